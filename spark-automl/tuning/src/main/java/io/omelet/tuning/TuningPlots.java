package io.omelet.tuning;

import io.omelet.common.svg.BarRows;
import io.omelet.common.svg.LinearScale;
import io.omelet.common.svg.PathData;
import io.omelet.common.svg.Svg;
import io.omelet.common.svg.Svg.Anchor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A finished study's plots as small standalone SVG documents (no script, no external reference; text
 * escaped): the optimisation history (each trial's value and the best so far), importance bars,
 * parallel coordinates (one axis per parameter and one for the value, a line per completed trial) and
 * one slice plot per parameter (its value against the metric).
 */
public final class TuningPlots {
  private static final int W = 640;
  private static final int H = 360;
  private static final int L = 70;
  private static final int R = 20;
  private static final int T = 30;
  private static final int B = 50;
  private static final String BLUE = "#1f77b4";
  private static final String RED = "#d62728";
  private static final String GREY = "#999999";

  private TuningPlots() {}

  /** Every plot by file name: history.svg, importance.svg, parallel_coordinates.svg, slice_<param>.svg. */
  public static Map<String, String> all(SearchSpace space, List<Trial> trials, Direction direction, String metric,
      Map<String, Double> importance) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("history.svg", history(trials, direction, metric));
    out.put("importance.svg", importance(importance));
    out.put("parallel_coordinates.svg", parallelCoordinates(space, trials, direction, metric));
    for (Parameter p : space.allParameters()) out.put("slice_" + fileSafe(p.name()) + ".svg", slice(space, p, trials, metric));
    return out;
  }

  static String fileSafe(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** Each trial's value by number (COMPLETE blue, PRUNED grey), and the best so far as a red step line. */
  public static String history(List<Trial> trials, Direction direction, String metric) {
    Svg svg = open("Optimisation history: " + metric);
    List<Trial> valued = new ArrayList<>();
    for (Trial t : trials) if (Double.isFinite(t.value()) && t.state() != TrialState.FAILED) valued.add(t);
    if (valued.isEmpty()) return note(svg, "no trial with a value");
    double minX = trials.get(0).number();
    double maxX = Math.max(minX + 1, trials.get(trials.size() - 1).number());
    LinearScale x = LinearScale.of(minX, maxX, L, W - R);
    LinearScale y = valueScale(valued);
    axes(svg, x, y, "trial", metric);
    PathData best = new PathData();
    double bestValue = Double.NaN;
    for (Trial t : trials) {
      if (t.state() == TrialState.COMPLETE && direction.isBetter(t.value(), bestValue)) bestValue = t.value();
      if (!Double.isNaN(bestValue)) best.lineTo(x.map(t.number()), y.map(bestValue));
    }
    if (!best.isEmpty()) svg.path(best, RED, 2, 1, null);
    for (Trial t : valued) {
      svg.circle(x.map(t.number()), y.map(t.value()), 4, t.state() == TrialState.COMPLETE ? BLUE : GREY, 1,
          "trial " + t.number() + " " + t.state() + ": " + g(t.value()));
    }
    String[] labels = {"COMPLETE", "PRUNED", "best so far"};
    String[] colours = {BLUE, GREY, RED};
    for (int i = 0; i < labels.length; i++) svg.swatch(W - R - 110, T + 7 + i * 14, colours[i], labels[i]);
    return svg.close();
  }

  /** Horizontal bars, most important first. */
  public static String importance(Map<String, Double> importance) {
    Svg svg = open("Hyper-parameter importance (fANOVA)");
    if (importance == null || importance.isEmpty()) return note(svg, "not enough completed trials");
    double rowH = Math.min(28, (H - T - B) / (double) importance.size());
    List<BarRows.Bar> bars = new ArrayList<>();
    for (Map.Entry<String, Double> e : importance.entrySet()) {
      bars.add(new BarRows.Bar(e.getKey(), Math.max(0, e.getValue()), String.format(Locale.ROOT, "%.3f", e.getValue()),
          BLUE));
    }
    int left = 180;
    // Importances are shares of the variance: a bar's length is its share of the whole width.
    BarRows.draw(svg, bars, new BarRows.Layout(T + 2, rowH, Math.max(1, rowH - 4), left - 6, true, left, W - left - R - 50), 1);
    return svg.close();
  }

  /** One vertical axis per parameter, then the value; a path per completed trial, darker when better. */
  public static String parallelCoordinates(SearchSpace space, List<Trial> trials, Direction direction, String metric) {
    Svg svg = open("Parallel coordinates");
    List<Parameter> ps = space.allParameters();
    List<Trial> done = new ArrayList<>();
    for (Trial t : trials) if (t.state() == TrialState.COMPLETE && Double.isFinite(t.value())) done.add(t);
    if (done.isEmpty()) return note(svg, "no completed trial");
    int axes = ps.size() + 1;
    LinearScale y = valueScale(done);
    double step = (W - L - R) / (double) Math.max(1, axes - 1);
    for (int a = 0; a < axes; a++) {
      double x = L + a * step;
      svg.line(x, T, x, H - B, "#333");
      svg.text(x, H - B + 16, a < ps.size() ? ps.get(a).name() : metric, Anchor.MIDDLE);
    }
    for (Trial t : done) {
      double q = (t.value() - y.lo()) / (y.hi() - y.lo());
      double good = direction == Direction.MAXIMIZE ? q : 1 - q;
      PathData line = new PathData();
      for (int a = 0; a < axes; a++) {
        double frac = a < ps.size() ? position(ps.get(a), t.param(ps.get(a).name())) : q;
        if (Double.isNaN(frac)) {
          line.lift();
        } else {
          line.lineTo(L + a * step, H - B - frac * (H - B - T));
        }
      }
      svg.path(line, BLUE, 1, 0.15 + 0.85 * good, "trial " + t.number() + ": " + g(t.value()));
    }
    return svg.close();
  }

  /** Where a value sits on its parameter's axis, in [0, 1] (log scale for log parameters); NaN when inactive. */
  static double position(Parameter p, Object v) {
    if (v == null) return Double.NaN;
    if (p instanceof NumericParameter n) return (n.toModel(v) - n.modelLow()) / (n.modelHigh() - n.modelLow());
    CategoricalParameter c = (CategoricalParameter) p;
    return (c.indexOf(v) + 0.5) / c.size();
  }

  /** A parameter's value (x) against the metric (y) for the trials where it was active. */
  public static String slice(SearchSpace space, Parameter p, List<Trial> trials, String metric) {
    Svg svg = open("Slice: " + p.name());
    List<Trial> done = new ArrayList<>();
    for (Trial t : trials) {
      if (t.state() == TrialState.COMPLETE && Double.isFinite(t.value()) && t.param(p.name()) != null) done.add(t);
    }
    if (done.isEmpty()) return note(svg, "no completed trial with " + p.name());
    LinearScale x = LinearScale.of(0, 1, L, W - R);
    LinearScale y = valueScale(done);
    axes(svg, x, y, p.name() + (p instanceof NumericParameter n && n.log() ? " (log scale)" : ""), metric);
    if (p instanceof NumericParameter n) {
      svg.text(x.map(0), H - B + 14, String.valueOf(lowOf(n)), Anchor.MIDDLE);
      svg.text(x.map(1), H - B + 14, String.valueOf(highOf(n)), Anchor.MIDDLE);
    } else {
      CategoricalParameter c = (CategoricalParameter) p;
      for (int i = 0; i < c.size(); i++) {
        svg.text(x.map((i + 0.5) / c.size()), H - B + 14, String.valueOf(c.choices().get(i)), Anchor.MIDDLE);
      }
    }
    for (Trial t : done) {
      svg.circle(x.map(position(p, t.param(p.name()))), y.map(t.value()), 4, BLUE, 0.7,
          p.name() + " = " + t.param(p.name()) + ": " + g(t.value()));
    }
    return svg.close();
  }

  private static Object lowOf(NumericParameter n) {
    return n instanceof FloatParameter f ? (Object) f.low() : ((IntParameter) n).low();
  }

  private static Object highOf(NumericParameter n) {
    return n instanceof FloatParameter f ? (Object) f.high() : ((IntParameter) n).high();
  }

  // ------------------------------------------------------------------ drawing

  private static Svg open(String title) {
    Svg svg = new Svg(W, H, 11).background("white");
    svg.text(W / 2.0, 18, title, Anchor.MIDDLE, 14, false);
    return svg;
  }

  private static String note(Svg svg, String text) {
    return svg.text(W / 2.0, H / 2.0, text, Anchor.MIDDLE).close();
  }

  /** The trials' values on the y axis, with a margin so no dot sits on the frame. */
  private static LinearScale valueScale(List<Trial> trials) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Trial t : trials) {
      lo = Math.min(lo, t.value());
      hi = Math.max(hi, t.value());
    }
    return LinearScale.of(lo, hi, H - B, T).padded(0.05);
  }

  /** Both axes; the y axis with five evenly spaced values, the x axis with its ends unless it is [0, 1]. */
  private static void axes(Svg svg, LinearScale x, LinearScale y, String xLabel, String yLabel) {
    svg.line(L, H - B, W - R, H - B, "#333");
    svg.line(L, T, L, H - B, "#333");
    for (int i = 0; i <= 4; i++) {
      double v = y.lo() + (y.hi() - y.lo()) * i / 4;
      svg.line(L - 4, y.map(v), L, y.map(v), "#333");
      svg.text(L - 6, y.map(v) + 4, g(v), Anchor.END);
    }
    if (x.hi() > 1 || x.lo() != 0) {
      svg.text(L, H - B + 14, g(x.lo()), Anchor.MIDDLE);
      svg.text(W - R, H - B + 14, g(x.hi()), Anchor.MIDDLE);
    }
    svg.text((L + W - R) / 2.0, H - 12, xLabel, Anchor.MIDDLE);
    svg.rotatedText(14, (T + H - B) / 2.0, yLabel, Anchor.MIDDLE, 0, -90);
  }

  private static String g(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }
}
