package io.omelet.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.omelet.common.svg.BarRows;
import io.omelet.common.svg.LinearScale;
import io.omelet.common.svg.Svg;
import io.omelet.common.svg.Svg.Anchor;

/**
 * Small self-contained SVG charts for HTML results (no script, no network): grouped bars for a
 * run comparison and lines for metric histories. Colours follow the runs' order.
 */
public final class Charts {
  private Charts() {}

  static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
      "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

  /** A series of (x, y) points under a name. */
  public record Series(String name, double[] x, double[] y) {}

  /** One bar per run for one metric; NaN bars are left out. */
  public static String bars(String title, List<String> runs, double[] values) {
    Svg svg = new Svg(360, 40 + 22 * runs.size(), 11);
    svg.text(4, 14, title, Anchor.START, 0, true);
    List<BarRows.Bar> bars = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      bars.add(new BarRows.Bar(shorten(runs.get(i), 14), values[i], num(values[i]), COLOURS[i % COLOURS.length]));
    }
    BarRows.draw(svg, bars, new BarRows.Layout(26, 22, 16, 4, false, 100, 200), 0);
    return svg.close();
  }

  /** Lines of y against x, one per series, with min/max axis labels and a legend. */
  public static String lines(String title, String xLabel, List<Series> series) {
    int w = 640, h = 300, left = 60, right = 16, top = 28, bottom = 40 + 16 * ((series.size() + 2) / 3);
    double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY;
    double ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isFinite(s.y()[i])) continue;
        xmin = Math.min(xmin, s.x()[i]);
        xmax = Math.max(xmax, s.x()[i]);
        ymin = Math.min(ymin, s.y()[i]);
        ymax = Math.max(ymax, s.y()[i]);
      }
    }
    if (xmin > xmax) { xmin = 0; xmax = 1; ymin = 0; ymax = 1; }
    int pw = w - left - right, ph = h - top - bottom;
    LinearScale x = LinearScale.of(xmin, xmax, left, left + pw);
    LinearScale y = LinearScale.of(ymin, ymax, top + ph, top);
    Svg svg = new Svg(w, h, 11);
    svg.text(4, 16, title, Anchor.START, 0, true);
    svg.frame(left, top, pw, ph, "#ccc");
    svg.text(left - 4, top + 10, num(y.hi()), Anchor.END);
    svg.text(left - 4, top + ph, num(y.lo()), Anchor.END);
    svg.text(left, top + ph + 14, num(x.lo()));
    svg.text(left + pw, top + ph + 14, num(x.hi()), Anchor.END);
    svg.text(left + pw / 2.0, top + ph + 14, xLabel, Anchor.MIDDLE);
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      String colour = COLOURS[k % COLOURS.length];
      List<Double> points = new ArrayList<>();
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isFinite(s.y()[i])) continue;
        points.add(x.map(s.x()[i]));
        points.add(y.map(s.y()[i]));
      }
      if (s.x().length == 1) {
        if (points.size() == 2) svg.circle(points.get(0), points.get(1), 3, colour);
      } else {
        svg.polyline(points.stream().mapToDouble(Double::doubleValue).toArray(), colour, 1.5);
      }
      svg.swatch(left + (k % 3) * 200, top + ph + 30 + 16 * (k / 3), colour, shorten(s.name(), 28));
    }
    return svg.close();
  }

  static String num(double v) {
    if (Double.isNaN(v)) return "NaN";
    double a = Math.abs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e6)) return String.format(Locale.ROOT, "%.3g", v);
    return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  static String shorten(String s, int n) {
    return s == null ? "" : s.length() <= n ? s : s.substring(0, n - 1) + "\u2026";
  }
}
