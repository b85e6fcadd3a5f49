package io.omelet.explain;

import static io.omelet.common.HtmlText.escape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Global and single-row views of explained rows (the output of {@link ShapExplainer}): mean |SHAP|
 * importance as a DataFrame, a summary (beeswarm) plot, a dependence plot, and a waterfall for one
 * row, as a plot and in plain words. Plots are self-contained SVG (no scripts, no external
 * references) that Zeppelin's %html shows as is, or wrapped in a small HTML page by {@link #html}.
 */
public final class ShapSummary {
  private final List<String> features;
  private final double[][] shap;
  private final Object[][] values;
  private final double[] base;
  private final String outputName;
  private final double[] meanAbs;

  private ShapSummary(List<String> features, double[][] shap, Object[][] values, double[] base, String outputName) {
    this.features = features;
    this.shap = shap;
    this.values = values;
    this.base = base;
    this.outputName = outputName;
    meanAbs = new double[features.size()];
    for (double[] s : shap) for (int j = 0; j < s.length; j++) meanAbs[j] += Math.abs(s[j]) / shap.length;
  }

  /**
   * Collects up to {@code maxRows} explained rows (a seeded sample when there are more) with each
   * feature's value, read from the input column of the same name when the rows have one.
   * {@code outputName} says what the values explain, e.g. "probability of bad".
   */
  public static ShapSummary of(Dataset<Row> explained, String shapCol, String baseCol, String outputName, int maxRows,
      long seed) {
    List<String> features = featureNames(explained.schema(), shapCol);
    long n = explained.count();
    Dataset<Row> rows = n > maxRows ? explained.orderBy(functions.rand(seed)).limit(maxRows) : explained;
    List<String> cols = new ArrayList<>(List.of(shapCol, baseCol));
    List<String> names = Arrays.asList(explained.columns());
    for (String f : features) if (names.contains(f)) cols.add(f);
    List<Row> collected = rows.selectExpr(cols.stream().map(c -> "`" + c + "`").toArray(String[]::new)).collectAsList();
    double[][] shap = new double[collected.size()][];
    Object[][] values = new Object[collected.size()][features.size()];
    double[] base = new double[collected.size()];
    for (int i = 0; i < shap.length; i++) {
      Row r = collected.get(i);
      shap[i] = toArray(r.get(0), features);
      base[i] = r.getDouble(1);
      for (int j = 0; j < features.size(); j++) {
        int c = cols.indexOf(features.get(j));
        values[i][j] = c >= 0 ? r.get(c) : null;
      }
    }
    if (shap.length == 0) throw new IllegalArgumentException("no explained rows to summarise");
    return new ShapSummary(features, shap, values, base, outputName);
  }

  /** The feature names of a SHAP column: its ML attributes (vector form) or map keys of the first row. */
  static List<String> featureNames(StructType schema, String shapCol) {
    if (!Arrays.asList(schema.fieldNames()).contains(shapCol)) {
      throw new IllegalArgumentException("column '" + shapCol + "' with SHAP values is missing; the rows have "
          + Arrays.toString(schema.fieldNames()));
    }
    StructField f = schema.apply(shapCol);
    if (f.dataType() instanceof MapType) {
      throw new IllegalArgumentException("ShapSummary reads the vector form of '" + shapCol
          + "' (ShapExplainer outputForm=vector), whose metadata keeps the feature order");
    }
    AttributeGroup g = AttributeGroup.fromStructField(f);
    if (!g.attributes().isDefined()) {
      throw new IllegalArgumentException("column '" + shapCol + "' has no feature names in its metadata: "
          + "pass the output of ShapExplainer");
    }
    List<String> out = new ArrayList<>();
    for (Attribute a : g.attributes().get()) out.add(a.name().get());
    return out;
  }

  private static double[] toArray(Object v, List<String> features) {
    if (v instanceof Vector vec) return vec.toArray();
    @SuppressWarnings("unchecked")
    Map<String, Double> m = (Map<String, Double>) v;
    double[] out = new double[features.size()];
    for (int j = 0; j < out.length; j++) out[j] = m.getOrDefault(features.get(j), 0.0);
    return out;
  }

  /**
   * Mean |SHAP| per feature over all explained rows, computed by Spark: columns feature, mean_abs_shap,
   * mean_shap, most important first.
   */
  public static Dataset<Row> importance(Dataset<Row> explained, String shapCol) {
    List<String> features = featureNames(explained.schema(), shapCol);
    Dataset<Row> exploded = explained
        .select(functions.posexplode(org.apache.spark.ml.functions.vector_to_array(explained.col(shapCol), "float64")));
    Dataset<Row> agg = exploded.groupBy("pos")
        .agg(functions.avg(functions.abs(functions.col("col"))).as("mean_abs_shap"),
            functions.avg(functions.col("col")).as("mean_shap"));
    List<Row> names = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) names.add(org.apache.spark.sql.RowFactory.create(i, features.get(i)));
    Dataset<Row> nameDf = explained.sparkSession().createDataFrame(names,
        new StructType().add("pos", DataTypes.IntegerType).add("feature", DataTypes.StringType));
    return nameDf.join(agg, "pos").orderBy(functions.col("mean_abs_shap").desc(), functions.col("pos"))
        .select("feature", "mean_abs_shap", "mean_shap");
  }

  public List<String> features() {
    return features;
  }

  public int rows() {
    return shap.length;
  }

  /** Mean |SHAP| of the collected rows, in feature order. */
  public double[] meanAbsShap() {
    return meanAbs.clone();
  }

  private Integer[] byImportance() {
    return byMagnitude(meanAbs);
  }

  private int featureIndex(String feature) {
    int j = features.indexOf(feature);
    if (j < 0) throw new IllegalArgumentException("no feature '" + feature + "'; the features are " + features);
    return j;
  }

  // ---------------------------------------------------------------- summary (beeswarm)

  /** Beeswarm of the {@code maxFeatures} most important features: one dot per row, coloured by the feature's value. */
  public String summaryPlotSvg(int maxFeatures) {
    Integer[] order = byImportance();
    int k = Math.min(maxFeatures, order.length);
    int rowH = 28;
    int left = 190;
    int width = 760;
    int plotW = width - left - 40;
    int top = 40;
    int height = top + k * rowH + 70;
    double lo = 0;
    double hi = 0;
    for (int r = 0; r < k; r++) for (double[] s : shap) {
      lo = Math.min(lo, s[order[r]]);
      hi = Math.max(hi, s[order[r]]);
    }
    Scale x = new Scale(lo, hi, left, left + plotW);
    Svg svg = new Svg(width, height);
    svg.text(width / 2.0, 22, "SHAP values (" + outputName + ")", "middle", 14, "bold");
    svg.line(x.map(0), top - 6, x.map(0), top + k * rowH, "#999", 1);
    for (int r = 0; r < k; r++) {
      int j = order[r];
      double cy = top + r * rowH + rowH / 2.0;
      svg.text(left - 10, cy + 4, features.get(j), "end", 12, "normal");
      svg.line(left, cy, left + plotW, cy, "#eee", 1);
      double[] ranks = valueRanks(j);
      // Beeswarm: dots sharing a pixel bin are stacked alternately above and below the line.
      Map<Integer, Integer> binCount = new java.util.HashMap<>();
      for (int i = 0; i < shap.length; i++) {
        double px = x.map(shap[i][j]);
        int bin = (int) Math.round(px / 3.0);
        int c = binCount.merge(bin, 1, Integer::sum) - 1;
        double off = ((c + 1) / 2) * 2.2 * (c % 2 == 0 ? 1 : -1);
        off = Math.max(-rowH / 2.0 + 3, Math.min(rowH / 2.0 - 3, off));
        svg.circle(px, cy + off, 2.4, Double.isNaN(ranks[i]) ? "#888888" : colour(ranks[i]), 0.75);
      }
    }
    axis(svg, x, top + k * rowH, "SHAP value (impact on " + outputName + ")");
    double ly = height - 18;
    svg.text(left, ly, "feature value:", "start", 11, "normal");
    for (int s = 0; s <= 20; s++) svg.rect(left + 90 + s * 6, ly - 9, 6, 10, colour(s / 20.0));
    svg.text(left + 86, ly, "low", "end", 11, "normal");
    svg.text(left + 90 + 21 * 6 + 4, ly, "high", "start", 11, "normal");
    svg.text(left + 90 + 21 * 6 + 40, ly, "(grey: not a number)", "start", 11, "normal");
    return svg.close();
  }

  /** Each row's value of feature j as its rank in [0, 1] among numeric values; NaN when not a number. */
  private double[] valueRanks(int j) {
    double[] v = new double[shap.length];
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

  private static String colour(double t) {
    // Blue (low) to red (high) through purple.
    int r = (int) Math.round(30 + t * (230 - 30));
    int g = (int) Math.round(136 - t * (136 - 30));
    int b = (int) Math.round(229 - t * (229 - 80));
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
  }

  // ---------------------------------------------------------------- dependence

  /** SHAP value of {@code feature} against its value: a scatter for numbers, a strip per category otherwise. */
  public String dependencePlotSvg(String feature) {
    int j = featureIndex(feature);
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
    for (double[] s : shap) {
      ylo = Math.min(ylo, s[j]);
      yhi = Math.max(yhi, s[j]);
    }
    Scale y = new Scale(ylo, yhi, height - bottom, top);
    Svg svg = new Svg(width, height);
    svg.text(width / 2.0, 22, "Dependence of " + outputName + " on " + feature, "middle", 14, "bold");
    svg.line(left, y.map(0), width - right, y.map(0), "#999", 1);
    if (numeric) {
      double xlo = Double.POSITIVE_INFINITY;
      double xhi = Double.NEGATIVE_INFINITY;
      for (Object[] row : values) {
        if (row[j] == null) continue;
        double v = ((Number) row[j]).doubleValue();
        if (Double.isNaN(v)) continue;
        xlo = Math.min(xlo, v);
        xhi = Math.max(xhi, v);
      }
      if (xlo > xhi) {
        xlo = 0;
        xhi = 1;
      }
      Scale x = new Scale(xlo, xhi, left, width - right);
      for (int i = 0; i < shap.length; i++) {
        if (values[i][j] == null || Double.isNaN(((Number) values[i][j]).doubleValue())) continue;
        svg.circle(x.map(((Number) values[i][j]).doubleValue()), y.map(shap[i][j]), 2.8, "#1e88e5", 0.6);
      }
      axis(svg, x, height - bottom, feature);
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
        svg.circle(left + step * (c + 0.5 + 0.5 * jitter), y.map(shap[i][j]), 2.8, "#1e88e5", 0.6);
      }
      int every = Math.max(1, cats.size() / 25);
      for (int c = 0; c < cats.size(); c += every) {
        double cx = left + step * (c + 0.5);
        svg.rotatedText(cx, height - bottom + 12, cats.get(c), 10);
      }
      svg.line(left, height - bottom, width - right, height - bottom, "#333", 1);
      svg.text(width / 2.0, height - 8, feature, "middle", 12, "normal");
    }
    for (double t : y.ticks()) {
      svg.line(left - 4, y.map(t), left, y.map(t), "#333", 1);
      svg.text(left - 6, y.map(t) + 4, fmt(t), "end", 10, "normal");
    }
    svg.line(left, top, left, height - bottom, "#333", 1);
    svg.rotatedLabel(18, (top + height - bottom) / 2.0, "SHAP value of " + feature);
    return svg.close();
  }

  // ---------------------------------------------------------------- one row

  /**
   * One row in plain words for a reviewer, largest contributions first, e.g. "int_rate=13.99 raised
   * the probability of bad by 0.12". {@code row} is a row of the explained data.
   */
  public static String describe(Row row, String shapCol, String baseCol, String outputName, int maxFeatures) {
    List<String> features = featureNames(row.schema(), shapCol);
    double[] phi = toArray(row.get(row.fieldIndex(shapCol)), features);
    double base = row.getDouble(row.fieldIndex(baseCol));
    List<String> names = Arrays.asList(row.schema().fieldNames());
    Integer[] order = byMagnitude(phi);
    double total = base;
    for (double p : phi) total += p;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "The %s for this row is %s; on average it is %s.%n", outputName, fmt(total),
        fmt(base)));
    int shown = Math.min(maxFeatures, phi.length);
    for (int r = 0; r < shown; r++) {
      int j = order[r];
      if (phi[j] == 0) break;
      String f = features.get(j);
      Object v = names.contains(f) ? row.get(row.fieldIndex(f)) : null;
      String what = v == null ? f : f + "=" + valueText(v);
      sb.append(String.format(Locale.ROOT, "- %s %s the %s by %s%n", what, phi[j] > 0 ? "raised" : "lowered", outputName,
          fmt(Math.abs(phi[j]))));
    }
    double rest = 0;
    int restCount = 0;
    for (int r = shown; r < order.length; r++) {
      if (phi[order[r]] != 0) {
        rest += phi[order[r]];
        restCount++;
      }
    }
    if (restCount > 0) {
      sb.append(String.format(Locale.ROOT, "- the %d other features together %s it by %s%n", restCount,
          rest >= 0 ? "raised" : "lowered", fmt(Math.abs(rest))));
    }
    return sb.toString();
  }

  /** Indices of {@code v}, largest magnitude first. */
  private static Integer[] byMagnitude(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int j = 0; j < order.length; j++) order[j] = j;
    Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -Math.abs(v[j])));
    return order;
  }

  /** Waterfall of one explained row: from the base value, each feature's push, to the row's output. */
  public static String waterfallSvg(Row row, String shapCol, String baseCol, String outputName, int maxFeatures) {
    List<String> features = featureNames(row.schema(), shapCol);
    double[] phi = toArray(row.get(row.fieldIndex(shapCol)), features);
    double base = row.getDouble(row.fieldIndex(baseCol));
    List<String> names = Arrays.asList(row.schema().fieldNames());
    Integer[] order = byMagnitude(phi);
    int shown = Math.min(maxFeatures, phi.length);
    List<String> labels = new ArrayList<>();
    List<Double> deltas = new ArrayList<>();
    for (int r = 0; r < shown; r++) {
      int j = order[r];
      String f = features.get(j);
      labels.add(names.contains(f) ? f + " = " + valueText(row.get(row.fieldIndex(f))) : f);
      deltas.add(phi[j]);
    }
    if (shown < phi.length) {
      double rest = 0;
      for (int r = shown; r < phi.length; r++) rest += phi[order[r]];
      labels.add((phi.length - shown) + " other features");
      deltas.add(rest);
    }
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
    Scale x = new Scale(lo, hi, left, width - 90);
    Svg svg = new Svg(width, height);
    svg.text(width / 2.0, 22, "Why this row: " + outputName + " " + fmt(run) + " (average " + fmt(base) + ")",
        "middle", 14, "bold");
    svg.line(x.map(base), top - 8, x.map(base), top + deltas.size() * rowH, "#999", 1);
    double at = base;
    for (int r = 0; r < deltas.size(); r++) {
      double d = deltas.get(r);
      double y = top + r * rowH;
      double x0 = x.map(Math.min(at, at + d));
      double x1 = x.map(Math.max(at, at + d));
      svg.rect(x0, y + 4, Math.max(1, x1 - x0), rowH - 8, d >= 0 ? "#e53935" : "#1e88e5");
      svg.text(left - 10, y + rowH / 2.0 + 4, labels.get(r), "end", 12, "normal");
      svg.text(x1 + 4, y + rowH / 2.0 + 4, (d >= 0 ? "+" : "-") + fmt(Math.abs(d)), "start", 11, "normal");
      at += d;
    }
    axis(svg, x, top + deltas.size() * rowH, outputName);
    return svg.close();
  }

  /** A small self-contained HTML page around one or more SVG plots. */
  public static String html(String title, String... svgs) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(title))
        .append("</title></head>\n<body style=\"font-family:sans-serif\">\n<h3>").append(escape(title))
        .append("</h3>\n");
    for (String s : svgs) sb.append("<div>").append(s).append("</div>\n");
    return sb.append("</body></html>\n").toString();
  }

  /** Writes {@code content} (an SVG or HTML page) to {@code file}, creating its folder. */
  /**
   * Saves the global views as artifacts of a run under {@code artifactDir}: {@code summary.svg},
   * one {@code dependence_<feature>.svg} for each of the {@code topFeatures} most important
   * features, and {@code shap_report.html} holding them all, so a reviewer finds them with the model.
   */
  public void logTo(io.omelet.registry.OmeletRegistry registry, String runId, String artifactDir, int topFeatures) {
    String dir = artifactDir == null || artifactDir.isBlank() ? "" : artifactDir.replaceAll("/+$", "") + "/";
    String summary = summaryPlotSvg(20);
    registry.logText(runId, summary, dir + "summary.svg");
    Integer[] order = byImportance();
    java.util.List<String> svgs = new java.util.ArrayList<>(java.util.List.of(summary));
    for (int k = 0; k < Math.min(topFeatures, order.length); k++) {
      String feature = features().get(order[k]);
      String svg = dependencePlotSvg(feature);
      svgs.add(svg);
      registry.logText(runId, svg, dir + "dependence_" + feature.replaceAll("[^A-Za-z0-9_.-]", "_") + ".svg");
    }
    registry.logText(runId, html("SHAP summary", svgs.toArray(new String[0])), dir + "shap_report.html");
  }

  public static Path write(Path file, String content) throws IOException {
    if (file.getParent() != null) Files.createDirectories(file.getParent());
    return Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  /** A data value as the reviewer would read it in the table: 13.99 stays 13.99, 35000.0 reads 35000. */
  private static String valueText(Object v) {
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) return String.valueOf(d);
      return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
    return String.valueOf(v);
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.format(Locale.ROOT, "%.0f", v);
    double a = Math.abs(v);
    if (a >= 100) return String.format(Locale.ROOT, "%.1f", v);
    if (a >= 1) return String.format(Locale.ROOT, "%.3g", v);
    if (a >= 0.001) return String.format(Locale.ROOT, "%.3f", v);
    return String.format(Locale.ROOT, "%.2e", v);
  }

  private static void axis(Svg svg, Scale x, double y, String label) {
    svg.line(x.out0, y, x.out1, y, "#333", 1);
    for (double t : x.ticks()) {
      svg.line(x.map(t), y, x.map(t), y + 4, "#333", 1);
      svg.text(x.map(t), y + 16, fmt(t), "middle", 10, "normal");
    }
    svg.text((x.out0 + x.out1) / 2, y + 34, label, "middle", 12, "normal");
  }

  /** Linear map from data to pixels with round tick values. */
  private static final class Scale {
    final double in0;
    final double in1;
    final double out0;
    final double out1;

    Scale(double lo, double hi, double out0, double out1) {
      if (hi - lo < 1e-12) {
        lo -= 0.5;
        hi += 0.5;
      }
      double pad = (hi - lo) * 0.04;
      this.in0 = lo - pad;
      this.in1 = hi + pad;
      this.out0 = out0;
      this.out1 = out1;
    }

    double map(double v) {
      return out0 + (v - in0) / (in1 - in0) * (out1 - out0);
    }

    List<Double> ticks() {
      double span = in1 - in0;
      double step = Math.pow(10, Math.floor(Math.log10(span / 5)));
      if (span / step > 10) step *= 2;
      if (span / step > 10) step *= 2.5;
      List<Double> out = new ArrayList<>();
      for (double t = Math.ceil(in0 / step) * step; t <= in1 + 1e-12; t += step) out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
      return out;
    }
  }

  /** Minimal SVG writer; every text is escaped. */
  private static final class Svg {
    private final StringBuilder sb = new StringBuilder();

    Svg(int w, int h) {
      sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>%n",
          w, h, w, h));
    }

    void line(double x1, double y1, double x2, double y2, String colour, double w) {
      sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
          + "stroke-width=\"%.1f\"/>%n", x1, y1, x2, y2, colour, w));
    }

    void circle(double cx, double cy, double r, String fill, double opacity) {
      sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"%.2f\"/>%n",
          cx, cy, r, fill, opacity));
    }

    void rect(double x, double y, double w, double h, String fill) {
      sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
          x, y, w, h, fill));
    }

    void text(double x, double y, String s, String anchor, int size, String weight) {
      sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" "
          + "font-weight=\"%s\">%s</text>%n", x, y, anchor, size, weight, escape(s)));
    }

    void rotatedText(double x, double y, String s, int size) {
      sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"%d\" "
          + "transform=\"rotate(-45 %.1f %.1f)\">%s</text>%n", x, y, size, x, y, escape(s)));
    }

    void rotatedLabel(double x, double y, String s) {
      sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" "
          + "transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n", x, y, x, y, escape(s)));
    }

    String close() {
      return sb.append("</svg>\n").toString();
    }
  }
}
