package io.omelet.explain;

import static io.omelet.explain.ShapSummary.fmt;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.omelet.common.svg.Axes;
import io.omelet.common.svg.LinearScale;
import io.omelet.common.svg.Svg;
import io.omelet.common.svg.Svg.Anchor;

/**
 * The SVG plots of {@link ShapSummary}: the summary (beeswarm) of the most important features, the
 * dependence of one feature's SHAP value on its value, and the waterfall of one row.
 */
final class ShapPlots {
  private static final String RISE = "#e53935";
  private static final String FALL = "#1e88e5";

  private ShapPlots() {}

  /** Beeswarm of the {@code maxFeatures} most important features: one dot per row, coloured by the feature's value. */
  static String summary(ShapSummary s, int maxFeatures) {
    double[][] shap = s.shap();
    Integer[] order = ShapSummary.byMagnitude(s.meanAbsShap());
    int k = Math.min(maxFeatures, order.length);
    int rowH = 28;
    int left = 190;
    int width = 760;
    int plotW = width - left - 40;
    int top = 40;
    int height = top + k * rowH + 70;
    double lo = 0;
    double hi = 0;
    for (int r = 0; r < k; r++) for (double[] row : shap) {
      lo = Math.min(lo, row[order[r]]);
      hi = Math.max(hi, row[order[r]]);
    }
    LinearScale x = LinearScale.of(lo, hi, left, left + plotW).padded(0.04);
    Svg svg = new Svg(width, height).background("#ffffff");
    svg.text(width / 2.0, 22, "SHAP values (" + s.outputName() + ")", Anchor.MIDDLE, 14, true);
    svg.line(x.map(0), top - 6, x.map(0), top + k * rowH, "#999");
    for (int r = 0; r < k; r++) {
      int j = order[r];
      double cy = top + r * rowH + rowH / 2.0;
      svg.text(left - 10, cy + 4, s.features().get(j), Anchor.END, 12, false);
      svg.line(left, cy, left + plotW, cy, "#eee");
      double[] ranks = valueRanks(s.values(), j);
      // Beeswarm: dots sharing a pixel bin are stacked alternately above and below the line.
      Map<Integer, Integer> binCount = new HashMap<>();
      for (int i = 0; i < shap.length; i++) {
        double px = x.map(shap[i][j]);
        int bin = (int) Math.round(px / 3.0);
        int c = binCount.merge(bin, 1, Integer::sum) - 1;
        double off = ((c + 1) / 2) * 2.2 * (c % 2 == 0 ? 1 : -1);
        off = Math.max(-rowH / 2.0 + 3, Math.min(rowH / 2.0 - 3, off));
        svg.circle(px, cy + off, 2.4, Double.isNaN(ranks[i]) ? "#888888" : colour(ranks[i]), 0.75, null);
      }
    }
    Axes.bottom(svg, x, top + k * rowH, "SHAP value (impact on " + s.outputName() + ")", ShapSummary::fmt);
    double ly = height - 18;
    svg.text(left, ly, "feature value:", Anchor.START, 11, false);
    for (int c = 0; c <= 20; c++) svg.rect(left + 90 + c * 6, ly - 9, 6, 10, colour(c / 20.0));
    svg.text(left + 86, ly, "low", Anchor.END, 11, false);
    svg.text(left + 90 + 21 * 6 + 4, ly, "high", Anchor.START, 11, false);
    svg.text(left + 90 + 21 * 6 + 40, ly, "(grey: not a number)", Anchor.START, 11, false);
    return svg.close();
  }

  /** Each row's value of feature j as its rank in [0, 1] among numeric values; NaN when not a number. */
  private static double[] valueRanks(Object[][] values, int j) {
    double[] v = new double[values.length];
    List<double[]> numeric = new ArrayList<>();
    for (int i = 0; i < v.length; i++) {
      Object o = values[i][j];
      v[i] = Double.NaN;
      if (o instanceof Number num && !Double.isNaN(num.doubleValue())) numeric.add(new double[] {num.doubleValue(), i});
    }
    numeric.sort(Comparator.comparingDouble(a -> a[0]));
    for (int r = 0; r < numeric.size(); r++) {
      v[(int) numeric.get(r)[1]] = numeric.size() == 1 ? 0.5 : r / (double) (numeric.size() - 1);
    }
    return v;
  }

  /** Blue (low) to red (high) through purple. */
  private static String colour(double t) {
    int r = (int) Math.round(30 + t * (230 - 30));
    int g = (int) Math.round(136 - t * (136 - 30));
    int b = (int) Math.round(229 - t * (229 - 80));
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
  }

  /** SHAP value of feature {@code j} against its value: a scatter for numbers, a strip per category otherwise. */
  static String dependence(ShapSummary s, int j) {
    double[][] shap = s.shap();
    Object[][] values = s.values();
    String feature = s.features().get(j);
    int width = 640;
    int height = 420;
    int left = 80;
    int right = 30;
    int top = 40;
    int bottom = 70;
    boolean numeric = true;
    for (Object[] row : values) if (row[j] != null && !(row[j] instanceof Number)) numeric = false;
    double ylo = 0;
    double yhi = 0;
    for (double[] row : shap) {
      ylo = Math.min(ylo, row[j]);
      yhi = Math.max(yhi, row[j]);
    }
    LinearScale y = LinearScale.of(ylo, yhi, height - bottom, top).padded(0.04);
    Svg svg = new Svg(width, height).background("#ffffff");
    svg.text(width / 2.0, 22, "Dependence of " + s.outputName() + " on " + feature, Anchor.MIDDLE, 14, true);
    svg.line(left, y.map(0), width - right, y.map(0), "#999");
    if (numeric) {
      double xlo = Double.POSITIVE_INFINITY;
      double xhi = Double.NEGATIVE_INFINITY;
      for (Object[] row : values) {
        double v = row[j] == null ? Double.NaN : ((Number) row[j]).doubleValue();
        if (Double.isNaN(v)) continue;
        xlo = Math.min(xlo, v);
        xhi = Math.max(xhi, v);
      }
      if (xlo > xhi) {
        xlo = 0;
        xhi = 1;
      }
      LinearScale x = LinearScale.of(xlo, xhi, left, width - right).padded(0.04);
      for (int i = 0; i < shap.length; i++) {
        if (values[i][j] == null || Double.isNaN(((Number) values[i][j]).doubleValue())) continue;
        svg.circle(x.map(((Number) values[i][j]).doubleValue()), y.map(shap[i][j]), 2.8, FALL, 0.6, null);
      }
      Axes.bottom(svg, x, height - bottom, feature, ShapSummary::fmt);
    } else {
      List<String> cats = new ArrayList<>();
      for (Object[] row : values) {
        String c = String.valueOf(row[j]);
        if (!cats.contains(c)) cats.add(c);
      }
      cats.sort(null);
      double step = (width - left - right) / (double) Math.max(1, cats.size());
      for (int i = 0; i < shap.length; i++) {
        int c = cats.indexOf(String.valueOf(values[i][j]));
        double jitter = ((i * 2654435761L) % 1000) / 1000.0 - 0.5;
        svg.circle(left + step * (c + 0.5 + 0.5 * jitter), y.map(shap[i][j]), 2.8, FALL, 0.6, null);
      }
      int every = Math.max(1, cats.size() / 25);
      for (int c = 0; c < cats.size(); c += every) {
        svg.rotatedText(left + step * (c + 0.5), height - bottom + 12, cats.get(c), Anchor.END, 10, -45);
      }
      svg.line(left, height - bottom, width - right, height - bottom, "#333");
      svg.text(width / 2.0, height - 8, feature, Anchor.MIDDLE, 12, false);
    }
    Axes.left(svg, y, left, 18, "SHAP value of " + feature, ShapSummary::fmt);
    return svg.close();
  }

  /** Waterfall of one row: from the base value, each labelled push ({@code deltas}), to the row's output. */
  static String waterfall(List<String> labels, List<Double> deltas, double base, String outputName) {
    double lo = base;
    double hi = base;
    double run = base;
    for (double d : deltas) {
      run += d;
      lo = Math.min(lo, run);
      hi = Math.max(hi, run);
    }
    int rowH = 26;
    int left = 240;
    int width = 780;
    int top = 50;
    int height = top + deltas.size() * rowH + 60;
    LinearScale x = LinearScale.of(lo, hi, left, width - 90).padded(0.04);
    Svg svg = new Svg(width, height).background("#ffffff");
    svg.text(width / 2.0, 22, "Why this row: " + outputName + " " + fmt(run) + " (average " + fmt(base) + ")",
        Anchor.MIDDLE, 14, true);
    svg.line(x.map(base), top - 8, x.map(base), top + deltas.size() * rowH, "#999");
    double at = base;
    for (int r = 0; r < deltas.size(); r++) {
      double d = deltas.get(r);
      double y = top + r * rowH;
      double x0 = x.map(Math.min(at, at + d));
      double x1 = x.map(Math.max(at, at + d));
      svg.rect(x0, y + 4, Math.max(1, x1 - x0), rowH - 8, d >= 0 ? RISE : FALL);
      svg.text(left - 10, y + rowH / 2.0 + 4, labels.get(r), Anchor.END, 12, false);
      svg.text(x1 + 4, y + rowH / 2.0 + 4, (d >= 0 ? "+" : "-") + fmt(Math.abs(d)), Anchor.START, 11, false);
      at += d;
    }
    Axes.bottom(svg, x, top + deltas.size() * rowH, outputName, ShapSummary::fmt);
    return svg.close();
  }
}
