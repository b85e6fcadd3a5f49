package io.omelet.profile;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON, HTML and DataFrame forms; every bad input of the issue gives a sensible profile. */
class FormsAndBadInputTest {
  static Profile credit;

  @BeforeAll
  static void setUp() {
    credit = new DataProfiler().profile(TestSpark.csv("credit_data.csv"));
  }

  @Test
  void jsonRoundTrip(@TempDir Path dir) throws Exception {
    String json = credit.toJson();
    Profile back = Profile.fromJson(json);
    assertEquals(json, back.toJson());
    assertEquals(credit.overview.rows, back.overview.rows);
    assertEquals(credit.variable("Income").p50, back.variable("Income").p50);
    assertEquals(credit.alerts.size(), back.alerts.size());
    assertEquals(credit.correlations.pearson.get("Income", "Amount"), back.correlations.pearson.get("Income", "Amount"));
    Path file = credit.writeJson(dir.resolve("profile.json"));
    assertEquals(json, Profile.readJson(file).toJson());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Profile.fromJson("{\"overview\": 3"));
    assertTrue(bad.getMessage().contains("not a profile"));
    assertThrows(IllegalArgumentException.class, () -> credit.variable("nope"));
  }

  @Test
  void htmlIsSelfContained(@TempDir Path dir) throws Exception {
    Path file = credit.writeHtml(dir.resolve("profile.html"));
    String html = Files.readString(file);
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    for (String tab : HtmlReport.TABS) assertTrue(html.contains("data-tab=\"" + tab + "\""), tab);
    assertTrue(html.contains("<svg"));
    assertFalse(Pattern.compile("(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//", Pattern.CASE_INSENSITIVE).matcher(html).find());
    assertFalse(html.contains("http://"));
    assertFalse(html.contains("https://"));
    assertFalse(html.contains("@import"));
    // scoped: every CSS rule starts with the report's own id
    String fragment = credit.toHtmlFragment();
    String id = fragment.substring(fragment.indexOf("id=\"") + 4, fragment.indexOf('"', fragment.indexOf("id=\"") + 4));
    String css = fragment.substring(fragment.indexOf("<style>") + 7, fragment.indexOf("</style>"));
    for (String rule : css.split("}")) {
      if (rule.isBlank()) continue;
      for (String selector : rule.substring(0, rule.indexOf('{')).split(",")) {
        assertTrue(selector.trim().startsWith("#" + id), "unscoped selector: " + selector);
      }
    }
    assertFalse(fragment.contains("<html"));
    assertTrue(fragment.contains("Income"));
  }

  @Test
  void dataFrameView() {
    Dataset<Row> stats = credit.toDataFrame(TestSpark.spark());
    assertEquals(14, stats.count());
    Row income = stats.filter("column = 'Income'").first();
    VariableProfile v = credit.variable("Income");
    assertEquals(v.mean, income.getDouble(income.fieldIndex("mean")));
    assertEquals(v.missing, income.getLong(income.fieldIndex("missing")));
    assertEquals("NUM", income.getString(income.fieldIndex("type")));
    Row home = stats.filter("column = 'Home'").first();
    assertEquals(v.p50, income.getDouble(income.fieldIndex("p50")));
    assertEquals(credit.variable("Home").topValues.get(0).value, home.getString(home.fieldIndex("top_value")));
  }

  @Test
  void emptyTable() {
    Dataset<Row> empty = TestSpark.csv("credit_data.csv").limit(0);
    Profile p = new DataProfiler().profile(empty);
    assertEquals(0, p.overview.rows);
    assertEquals(14, p.variables.size());
    assertEquals(0L, p.overview.duplicateRows);
    assertEquals(0, p.variable("Income").count);
    assertNull(p.variable("Income").mean);
    assertTrue(p.alertsOf(AlertType.EMPTY).stream().anyMatch(a -> a.column == null));
    assertNotNull(Profile.fromJson(p.toJson()));
    assertTrue(p.toHtml().contains("<svg"));
    assertEquals(14, p.toDataFrame(TestSpark.spark()).count());
  }

  @Test
  void allNullColumnAndAwkwardNames() {
    Dataset<Row> df = TestSpark.csv("penguins.csv")
        .withColumn("all null", functions.lit(null).cast("double"))
        .withColumn("null.text", functions.lit(null).cast("string"))
        .withColumnRenamed("bill_length_mm", "bill.length mm");
    Profile p = new DataProfiler().profile(df);
    VariableProfile nul = p.variable("all null");
    assertEquals(344, nul.missing);
    assertEquals(100.0, nul.missingPct);
    assertEquals(0L, nul.distinct);
    assertNull(nul.mean);
    assertEquals(344, p.variable("null.text").missing);
    assertTrue(p.alerts.stream().anyMatch(a -> a.type == AlertType.EMPTY && "all null".equals(a.column)));
    assertEquals(VariableType.CAT, p.variable("bill.length mm").type, "literal NA makes it text: not all numbers");
    assertTrue(p.toHtml().contains("bill.length mm"));
  }

  @Test
  void nestedArrayAndMapColumnsAreUnsupported() {
    Dataset<Row> base = TestSpark.csv("penguins.csv");
    Dataset<Row> df = base
        .withColumn("nested", functions.struct(functions.col("species"), functions.col("year")))
        .withColumn("arr", functions.array(functions.col("year"), functions.col("year")))
        .withColumn("map", functions.map(functions.col("species"), functions.col("year")))
        .withColumn("bin", functions.col("species").cast("binary"));
    Profile p = new DataProfiler().profile(df);
    for (String c : new String[] {"nested", "arr", "map", "bin"}) {
      assertEquals(VariableType.UNSUPPORTED, p.variable(c).type, c);
      assertEquals(0, p.variable(c).missing);
    }
    assertEquals(4, p.overview.types.get(VariableType.UNSUPPORTED));
    // the rest is profiled as without them; penguins has no duplicate rows
    assertEquals(VariableType.CAT, p.variable("species").type);
    assertEquals(0L, p.overview.duplicateRows);
    assertTrue(p.samples.head.get(0).get(base.columns().length).contains("Adelie"));
  }

  @Test
  void nanAndInfinities() {
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("x", DataTypes.DoubleType, true),
        DataTypes.createStructField("f", DataTypes.FloatType, true)));
    List<Row> rows = new ArrayList<>();
    double[] xs = {1, 2, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 3, -0.0, 0.0, 4, Double.NaN};
    for (double x : xs) rows.add(RowFactory.create(x, (float) x));
    rows.add(RowFactory.create(null, null));
    Dataset<Row> df = TestSpark.spark().createDataFrame(rows, schema);
    Profile p = new DataProfiler().profile(df);
    for (String c : new String[] {"x", "f"}) {
      VariableProfile v = p.variable(c);
      assertEquals(3, v.missing, "null and two NaN");
      assertEquals(2L, v.nan);
      assertEquals(2L, v.infinite);
      assertEquals(8, v.count);
      assertEquals(2L, v.zeros, "-0.0 and 0.0");
      assertEquals(1L, v.negatives, "-Infinity");
      assertEquals(7L, v.distinct, "1,2,3,4,0,+inf,-inf");
      assertEquals(0.0, v.min);
      assertEquals(4.0, v.max);
      assertEquals(10.0 / 6, v.mean, 1e-12);
      assertEquals(1.5, v.p50, 1e-12);
      assertEquals(6, v.histogram.total());
    }
    assertFalse(p.alertsOf(AlertType.INFINITE).isEmpty());
    String json = p.toJson();
    assertEquals(json, Profile.fromJson(json).toJson());
  }

  @Test
  void everyAtomicSparkType() {
    Dataset<Row> df = TestSpark.csv("credit_data.csv").select(
        functions.col("Income").cast("decimal(12,2)").as("income_dec"),
        functions.col("Income").cast("float").as("income_float"),
        functions.col("Age").cast("byte").as("age_byte"),
        functions.col("Age").cast("short").as("age_short"),
        functions.col("Amount").cast("long").as("amount_long"),
        functions.col("Status").equalTo("good").as("good"),
        functions.col("Income"));
    Profile p = new DataProfiler().profile(df);
    Row r = df.agg(functions.avg("Income"), functions.avg("Age_byte"), functions.avg("amount_long"),
        functions.sum(functions.col("good").cast("int"))).first();
    assertEquals(r.getDouble(0), p.variable("income_dec").mean, 1e-9 * r.getDouble(0));
    assertEquals(r.getDouble(0), p.variable("income_float").mean, 1e-9 * r.getDouble(0));
    assertEquals(p.variable("Income").missing, p.variable("income_dec").missing);
    assertEquals(r.getDouble(1), p.variable("age_byte").mean, 1e-9 * r.getDouble(1));
    assertEquals(r.getDouble(1), p.variable("age_short").mean, 1e-9 * r.getDouble(1));
    assertEquals(r.getDouble(2), p.variable("amount_long").mean, 1e-9 * r.getDouble(2));
    VariableProfile good = p.variable("good");
    assertEquals(VariableType.BOOL, good.type);
    assertEquals(2L, good.distinct);
    long trues = r.getLong(3);
    assertTrue(good.topValues.stream().anyMatch(v -> v.value.equals("true") && v.count == trues));
  }

  @Test
  void wideTable() {
    Dataset<Row> lending = TestSpark.csv("lending_club.csv").limit(500);
    List<Column> cols = new ArrayList<>();
    for (String c : lending.columns()) cols.add(functions.col(c));
    for (int i = 0; cols.size() < 320; i++) {
      String src = lending.columns()[i % lending.columns().length];
      cols.add(functions.col(src).as("copy_" + i + "_" + src));
    }
    Dataset<Row> wide = lending.select(cols.toArray(new Column[0]));
    Profile p = new DataProfiler().setMaxCorrelationColumns(40).profile(wide);
    assertEquals(320, p.overview.columns);
    assertEquals(320, p.variables.size());
    assertEquals(500, p.overview.rows);
    assertEquals(p.variable("funded_amnt").mean, p.variable("copy_0_funded_amnt").mean);
    assertTrue(p.correlations.pearson.columns.length <= 40);
    assertTrue(p.alertsOf(AlertType.HIGH_CORRELATION).size() > 0);
    assertTrue(Arrays.stream(p.toHtml().split("op-var\"")).count() > 320);
  }

  @Test
  void settingsAreTypedParamsThatSaveAndLoad(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DataProfiler().setTopK(0));
    assertTrue(e.getMessage().contains("topK"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DataProfiler().set("mode", "sideways"));
    DataProfiler p = new DataProfiler().setMode(ProfileMode.UNIVARIATE).setTopK(7).setSkewnessAlert(3.5)
        .setCorrelationSampleRows(5000);
    assertTrue(p.explainParams().contains("exactDistinctLimit"));
    String path = dir.resolve("profiler").toString();
    try {
      p.write().save(path);
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
    DataProfiler back = DataProfiler.load(path);
    assertEquals(p.uid(), back.uid());
    assertEquals(ProfileMode.UNIVARIATE, back.getMode());
    assertEquals(7, back.getTopK());
    assertEquals(3.5, back.getAlertThresholds().skewness);
    assertEquals(5000, back.getCorrelationSampleRows());
    assertEquals(10_000, back.getExactDistinctLimit());
    DataProfiler copy = p.copy(new org.apache.spark.ml.param.ParamMap());
    assertEquals(7, copy.getTopK());
  }
}
