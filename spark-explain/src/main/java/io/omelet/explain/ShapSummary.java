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

import io.omelet.common.RowSampler;

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
    Dataset<Row> rows = RowSampler.sample(explained, maxRows, seed);
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

  double[][] shap() {
    return shap;
  }

  /** Each collected row's feature values (null where the rows had no column of that name). */
  Object[][] values() {
    return values;
  }

  String outputName() {
    return outputName;
  }

  private int featureIndex(String feature) {
    int j = features.indexOf(feature);
    if (j < 0) throw new IllegalArgumentException("no feature '" + feature + "'; the features are " + features);
    return j;
  }

  /** Beeswarm of the {@code maxFeatures} most important features: one dot per row, coloured by the feature's value. */
  public String summaryPlotSvg(int maxFeatures) {
    return ShapPlots.summary(this, maxFeatures);
  }

  /** SHAP value of {@code feature} against its value: a scatter for numbers, a strip per category otherwise. */
  public String dependencePlotSvg(String feature) {
    return ShapPlots.dependence(this, featureIndex(feature));
  }

  // ---------------------------------------------------------------- one row

  /**
   * One row in plain words for a reviewer, largest contributions first, e.g. "int_rate=13.99 raised
   * the probability of bad by 0.12". {@code row} is a row of the explained data.
   */
  public static String describe(Row row, String shapCol, String baseCol, String outputName, int maxFeatures) {
    OneRow one = OneRow.of(row, shapCol, baseCol);
    double[] phi = one.phi();
    double base = one.base();
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
      String f = one.features().get(j);
      Object v = one.value(j);
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

  /** One explained row: its features, SHAP values and base value, and the row to read feature values from. */
  private record OneRow(List<String> features, double[] phi, double base, Row row) {
    static OneRow of(Row row, String shapCol, String baseCol) {
      List<String> features = featureNames(row.schema(), shapCol);
      return new OneRow(features, toArray(row.get(row.fieldIndex(shapCol)), features),
          row.getDouble(row.fieldIndex(baseCol)), row);
    }

    /** Whether the row has a column named like feature j. */
    boolean has(int j) {
      return Arrays.asList(row.schema().fieldNames()).contains(features.get(j));
    }

    /** Feature j's value in the row; null when the row has no column of that name. */
    Object value(int j) {
      return has(j) ? row.get(row.fieldIndex(features.get(j))) : null;
    }
  }

  /** Indices of {@code v}, largest magnitude first. */
  static Integer[] byMagnitude(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int j = 0; j < order.length; j++) order[j] = j;
    Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -Math.abs(v[j])));
    return order;
  }

  /** Waterfall of one explained row: from the base value, each feature's push, to the row's output. */
  public static String waterfallSvg(Row row, String shapCol, String baseCol, String outputName, int maxFeatures) {
    OneRow one = OneRow.of(row, shapCol, baseCol);
    double[] phi = one.phi();
    double base = one.base();
    Integer[] order = byMagnitude(phi);
    int shown = Math.min(maxFeatures, phi.length);
    List<String> labels = new ArrayList<>();
    List<Double> deltas = new ArrayList<>();
    for (int r = 0; r < shown; r++) {
      int j = order[r];
      String f = one.features().get(j);
      labels.add(one.has(j) ? f + " = " + valueText(one.value(j)) : f);
      deltas.add(phi[j]);
    }
    if (shown < phi.length) {
      double rest = 0;
      for (int r = shown; r < phi.length; r++) rest += phi[order[r]];
      labels.add((phi.length - shown) + " other features");
      deltas.add(rest);
    }
    return ShapPlots.waterfall(labels, deltas, base, outputName);
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

  /** Writes {@code content} (an SVG or HTML page) to {@code file}, creating its folder. */
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
}
