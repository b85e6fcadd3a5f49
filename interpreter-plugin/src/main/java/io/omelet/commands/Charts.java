package io.omelet.commands;

import io.omelet.common.HtmlText;

import java.util.List;
import java.util.Locale;

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
    int w = 360, h = 40 + 22 * runs.size();
    double max = 0;
    for (double v : values) if (!Double.isNaN(v)) max = Math.max(max, Math.abs(v));
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">", w, h));
    b.append("<text x=\"4\" y=\"14\" font-weight=\"bold\">").append(HtmlText.escape(title)).append("</text>");
    for (int i = 0; i < runs.size(); i++) {
      double v = values[i];
      int y = 26 + 22 * i;
      b.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">%s</text>", y + 13, HtmlText.escape(shorten(runs.get(i), 14))));
      if (Double.isNaN(v)) continue;
      double len = max == 0 ? 0 : 200 * Math.abs(v) / max;
      b.append(String.format(Locale.ROOT, "<rect x=\"100\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>", y, len, COLOURS[i % COLOURS.length]));
      b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>", 104 + len, y + 13, num(v)));
    }
    return b.append("</svg>").toString();
  }

  /** Lines of y against x, one per series, with min/max axis labels and a legend. */
  public static String lines(String title, String xLabel, List<Series> series) {
    int w = 640, h = 300, left = 60, right = 16, top = 28, bottom = 40 + 16 * ((series.size() + 2) / 3);
    double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY;
    double ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isNaN(s.y()[i]) || Double.isInfinite(s.y()[i])) continue;
        xmin = Math.min(xmin, s.x()[i]);
        xmax = Math.max(xmax, s.x()[i]);
        ymin = Math.min(ymin, s.y()[i]);
        ymax = Math.max(ymax, s.y()[i]);
      }
    }
    if (xmin > xmax) { xmin = 0; xmax = 1; ymin = 0; ymax = 1; }
    if (xmin == xmax) { xmin -= 0.5; xmax += 0.5; }
    if (ymin == ymax) { ymin -= 0.5; ymax += 0.5; }
    int pw = w - left - right, ph = h - top - bottom;
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">", w, h));
    b.append("<text x=\"4\" y=\"16\" font-weight=\"bold\">").append(HtmlText.escape(title)).append("</text>");
    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#ccc\"/>", left, top, pw, ph));
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", left - 4, top + 10, num(ymax)));
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", left - 4, top + ph, num(ymin)));
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>", left, top + ph + 14, num(xmin)));
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", left + pw, top + ph + 14, num(xmax)));
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>", left + pw / 2, top + ph + 14, HtmlText.escape(xLabel)));
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      String colour = COLOURS[k % COLOURS.length];
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isNaN(s.y()[i]) || Double.isInfinite(s.y()[i])) continue;
        double px = left + pw * (s.x()[i] - xmin) / (xmax - xmin);
        double py = top + ph - ph * (s.y()[i] - ymin) / (ymax - ymin);
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
      }
      if (s.x().length == 1) {
        String[] p = pts.toString().trim().split(",");
        if (p.length == 2) b.append("<circle cx=\"").append(p[0]).append("\" cy=\"").append(p[1]).append("\" r=\"3\" fill=\"").append(colour).append("\"/>");
      } else {
        b.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(colour).append("\" points=\"").append(pts.toString().trim()).append("\"/>");
      }
      int lx = left + (k % 3) * 200, ly = top + ph + 30 + 16 * (k / 3);
      b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", lx, ly - 9, colour));
      b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>", lx + 14, ly, HtmlText.escape(shorten(s.name(), 28))));
    }
    return b.append("</svg>").toString();
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
