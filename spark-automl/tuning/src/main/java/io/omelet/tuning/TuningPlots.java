package io.omelet.tuning;

import io.omelet.common.HtmlText;
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
    StringBuilder b = open("Optimisation history: " + metric);
    List<Trial> valued = new ArrayList<>();
    for (Trial t : trials) if (Double.isFinite(t.value()) && t.state() != TrialState.FAILED) valued.add(t);
    if (valued.isEmpty()) return note(b, "no trial with a value");
    double minX = trials.get(0).number();
    double maxX = Math.max(minX + 1, trials.get(trials.size() - 1).number());
    double[] y = range(valued.stream().mapToDouble(Trial::value).toArray());
    axes(b, minX, maxX, y[0], y[1], "trial", metric);
    StringBuilder line = new StringBuilder();
    double best = Double.NaN;
    for (Trial t : trials) {
      if (t.state() == TrialState.COMPLETE && direction.isBetter(t.value(), best)) best = t.value();
      if (!Double.isNaN(best)) {
        line.append(line.length() == 0 ? "M" : " L").append(f(sx(t.number(), minX, maxX))).append(',')
            .append(f(sy(best, y[0], y[1])));
      }
    }
    if (line.length() > 0) b.append("<path d=\"").append(line).append("\" fill=\"none\" stroke=\"").append(RED).append("\" stroke-width=\"2\"/>\n");
    for (Trial t : valued) {
      b.append("<circle cx=\"").append(f(sx(t.number(), minX, maxX))).append("\" cy=\"").append(f(sy(t.value(), y[0], y[1])))
          .append("\" r=\"4\" fill=\"").append(t.state() == TrialState.COMPLETE ? BLUE : GREY).append("\"><title>")
          .append(esc("trial " + t.number() + " " + t.state() + ": " + g(t.value()))).append("</title></circle>\n");
    }
    legend(b, new String[] {"COMPLETE", "PRUNED", "best so far"}, new String[] {BLUE, GREY, RED});
    return close(b);
  }

  /** Horizontal bars, most important first. */
  public static String importance(Map<String, Double> importance) {
    StringBuilder b = open("Hyper-parameter importance (fANOVA)");
    if (importance == null || importance.isEmpty()) return note(b, "not enough completed trials");
    int n = importance.size();
    double rowH = Math.min(28, (H - T - B) / (double) n);
    int left = 180;
    int i = 0;
    for (Map.Entry<String, Double> e : importance.entrySet()) {
      double y = T + i * rowH;
      double w = Math.max(0, e.getValue()) * (W - left - R - 50);
      b.append("<text x=\"").append(left - 6).append("\" y=\"").append(f(y + rowH * 0.65))
          .append("\" text-anchor=\"end\">").append(esc(e.getKey())).append("</text>\n");
      b.append("<rect x=\"").append(left).append("\" y=\"").append(f(y + 2)).append("\" width=\"").append(f(w))
          .append("\" height=\"").append(f(Math.max(1, rowH - 4))).append("\" fill=\"").append(BLUE).append("\"/>\n");
      b.append("<text x=\"").append(f(left + w + 4)).append("\" y=\"").append(f(y + rowH * 0.65)).append("\">")
          .append(String.format(Locale.ROOT, "%.3f", e.getValue())).append("</text>\n");
      i++;
    }
    return close(b);
  }

  /** One vertical axis per parameter, then the value; a polyline per completed trial, darker when better. */
  public static String parallelCoordinates(SearchSpace space, List<Trial> trials, Direction direction, String metric) {
    StringBuilder b = open("Parallel coordinates");
    List<Parameter> ps = space.allParameters();
    List<Trial> done = new ArrayList<>();
    for (Trial t : trials) if (t.state() == TrialState.COMPLETE && Double.isFinite(t.value())) done.add(t);
    if (done.isEmpty()) return note(b, "no completed trial");
    int axes = ps.size() + 1;
    double[] y = range(done.stream().mapToDouble(Trial::value).toArray());
    double step = (W - L - R) / (double) Math.max(1, axes - 1);
    for (int a = 0; a < axes; a++) {
      double x = L + a * step;
      b.append("<line x1=\"").append(f(x)).append("\" y1=\"").append(T).append("\" x2=\"").append(f(x)).append("\" y2=\"")
          .append(H - B).append("\" stroke=\"#333\"/>\n");
      String label = a < ps.size() ? ps.get(a).name() : metric;
      b.append("<text x=\"").append(f(x)).append("\" y=\"").append(H - B + 16).append("\" text-anchor=\"middle\">")
          .append(esc(label)).append("</text>\n");
    }
    for (Trial t : done) {
      double q = (t.value() - y[0]) / (y[1] - y[0]);
      double good = direction == Direction.MAXIMIZE ? q : 1 - q;
      StringBuilder line = new StringBuilder();
      boolean pen = false;
      for (int a = 0; a < axes; a++) {
        double frac = a < ps.size() ? position(ps.get(a), t.param(ps.get(a).name())) : q;
        if (Double.isNaN(frac)) {
          pen = false;
          continue;
        }
        line.append(pen ? " L" : (line.length() == 0 ? "M" : " M")).append(f(L + a * step)).append(',')
            .append(f(H - B - frac * (H - B - T)));
        pen = true;
      }
      b.append("<path d=\"").append(line).append("\" fill=\"none\" stroke=\"").append(BLUE).append("\" stroke-opacity=\"")
          .append(f(0.15 + 0.85 * good)).append("\"><title>").append(esc("trial " + t.number() + ": " + g(t.value())))
          .append("</title></path>\n");
    }
    return close(b);
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
    StringBuilder b = open("Slice: " + p.name());
    List<Trial> done = new ArrayList<>();
    for (Trial t : trials) {
      if (t.state() == TrialState.COMPLETE && Double.isFinite(t.value()) && t.param(p.name()) != null) done.add(t);
    }
    if (done.isEmpty()) return note(b, "no completed trial with " + p.name());
    double[] y = range(done.stream().mapToDouble(Trial::value).toArray());
    axes(b, 0, 1, y[0], y[1], p.name() + (p instanceof NumericParameter n && n.log() ? " (log scale)" : ""), metric);
    if (p instanceof NumericParameter n) {
      tick(b, 0, String.valueOf(lowOf(n)));
      tick(b, 1, String.valueOf(highOf(n)));
    } else {
      CategoricalParameter c = (CategoricalParameter) p;
      for (int i = 0; i < c.size(); i++) tick(b, (i + 0.5) / c.size(), String.valueOf(c.choices().get(i)));
    }
    for (Trial t : done) {
      double x = position(p, t.param(p.name()));
      b.append("<circle cx=\"").append(f(sx(x, 0, 1))).append("\" cy=\"").append(f(sy(t.value(), y[0], y[1])))
          .append("\" r=\"4\" fill=\"").append(BLUE).append("\" fill-opacity=\"0.7\"><title>")
          .append(esc(p.name() + " = " + t.param(p.name()) + ": " + g(t.value()))).append("</title></circle>\n");
    }
    return close(b);
  }

  private static Object lowOf(NumericParameter n) {
    return n instanceof FloatParameter f ? (Object) f.low() : ((IntParameter) n).low();
  }

  private static Object highOf(NumericParameter n) {
    return n instanceof FloatParameter f ? (Object) f.high() : ((IntParameter) n).high();
  }

  // ------------------------------------------------------------------ drawing

  private static StringBuilder open(String title) {
    StringBuilder b = new StringBuilder();
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
        .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    b.append("<text x=\"").append(W / 2).append("\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">").append(esc(title))
        .append("</text>\n");
    return b;
  }

  private static String close(StringBuilder b) {
    return b.append("</svg>\n").toString();
  }

  private static String note(StringBuilder b, String text) {
    b.append("<text x=\"").append(W / 2).append("\" y=\"").append(H / 2).append("\" text-anchor=\"middle\">").append(esc(text))
        .append("</text>\n");
    return close(b);
  }

  private static void axes(StringBuilder b, double minX, double maxX, double minY, double maxY, String xLabel, String yLabel) {
    b.append("<line x1=\"").append(L).append("\" y1=\"").append(H - B).append("\" x2=\"").append(W - R).append("\" y2=\"")
        .append(H - B).append("\" stroke=\"#333\"/>\n");
    b.append("<line x1=\"").append(L).append("\" y1=\"").append(T).append("\" x2=\"").append(L).append("\" y2=\"").append(H - B)
        .append("\" stroke=\"#333\"/>\n");
    for (int i = 0; i <= 4; i++) {
      double v = minY + (maxY - minY) * i / 4;
      double yy = sy(v, minY, maxY);
      b.append("<line x1=\"").append(L - 4).append("\" y1=\"").append(f(yy)).append("\" x2=\"").append(L).append("\" y2=\"")
          .append(f(yy)).append("\" stroke=\"#333\"/>\n");
      b.append("<text x=\"").append(L - 6).append("\" y=\"").append(f(yy + 4)).append("\" text-anchor=\"end\">").append(g(v))
          .append("</text>\n");
    }
    if (maxX > 1 || minX != 0) {
      b.append("<text x=\"").append(L).append("\" y=\"").append(H - B + 14).append("\" text-anchor=\"middle\">")
          .append(g(minX)).append("</text>\n");
      b.append("<text x=\"").append(W - R).append("\" y=\"").append(H - B + 14).append("\" text-anchor=\"middle\">")
          .append(g(maxX)).append("</text>\n");
    }
    b.append("<text x=\"").append((L + W - R) / 2).append("\" y=\"").append(H - 12).append("\" text-anchor=\"middle\">")
        .append(esc(xLabel)).append("</text>\n");
    b.append("<text x=\"14\" y=\"").append((T + H - B) / 2).append("\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
        .append((T + H - B) / 2).append(")\">").append(esc(yLabel)).append("</text>\n");
  }

  private static void tick(StringBuilder b, double x, String label) {
    b.append("<text x=\"").append(f(sx(x, 0, 1))).append("\" y=\"").append(H - B + 14).append("\" text-anchor=\"middle\">")
        .append(esc(label)).append("</text>\n");
  }

  private static void legend(StringBuilder b, String[] labels, String[] colors) {
    int x = W - R - 110;
    for (int i = 0; i < labels.length; i++) {
      int y = T + 6 + i * 14;
      b.append("<rect x=\"").append(x).append("\" y=\"").append(y - 8).append("\" width=\"10\" height=\"10\" fill=\"")
          .append(colors[i]).append("\"/>\n");
      b.append("<text x=\"").append(x + 14).append("\" y=\"").append(y + 1).append("\">").append(esc(labels[i])).append("</text>\n");
    }
  }

  private static double[] range(double[] v) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double d : v) {
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    if (!(hi > lo)) {
      double pad = lo == 0 ? 1 : Math.abs(lo) * 0.05;
      return new double[] {lo - pad, hi + pad};
    }
    double pad = (hi - lo) * 0.05;
    return new double[] {lo - pad, hi + pad};
  }

  private static double sx(double x, double lo, double hi) {
    return L + (x - lo) / (hi - lo) * (W - L - R);
  }

  private static double sy(double y, double lo, double hi) {
    return H - B - (y - lo) / (hi - lo) * (H - B - T);
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String g(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }

  private static String esc(String s) {
    return HtmlText.escape(s);
  }
}
