package io.omelet.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.scoring.ModelLoader;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.MojoScorer;
import io.omelet.testing.SharedSpark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Batch and SQL scores into the inference table, on a real session, a real registry and a real
 * MOJO: one commit per job, the columns typed as the model takes them, the rest of the input in
 * extra_features, the outcome as the scorer gave it, the version that scored the rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InferenceRowsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  PenguinsModel model;
  SparkSession spark;

  @BeforeAll
  void registerTheModel() {
    model = new PenguinsModel();
    spark = model.spark;
  }

  @AfterAll
  void restore() {
    if (model != null) model.close();
  }

  @Test
  void aScorersRowsAreOneCommitWithTheFeaturesTypedAsTheModelTakesThem() throws Exception {
    Dataset<Row> input = model.rows(20);
    MojoScorer scorer = new MojoScorer().setModelUri("penguins@champion").setRegistryRoot(model.root);
    Dataset<Row> scored = scorer.transform(input);
    InferenceRows[] mapped = new InferenceRows[1];
    assertEquals(0, SharedSpark.jobsDuring(() -> mapped[0] = InferenceRows.of(scored, scorer)), "mapping the rows runs nothing");
    InferenceRows rows = mapped[0];

    InferenceTable.Appended appended = rows.appendTo(model.root);
    assertEquals(20, appended.rows());
    assertFalse(appended.skipped());
    assertTrue(appended.path().endsWith("/inference/penguins"), appended.path());
    assertEquals(List.of(appended.version()), writes(appended.path(), rows.jobId()), "one commit for the job");

    Map<Long, Row> byId = new HashMap<>();
    for (Row r : scored.collectAsList()) byId.put(((Number) r.getAs("id")).longValue(), r);
    List<Row> table = spark.read().format("delta").load(appended.path()).collectAsList();
    List<Row> logged = table.stream().filter(t -> t.<String>getAs("request_id").startsWith(rows.jobId() + "-")).toList();
    assertEquals(20, logged.size());
    Set<String> requestIds = new HashSet<>();
    for (Row t : logged) {
      JsonNode extra = JSON.readTree(t.<String>getAs("extra_features"));
      Row s = byId.get(extra.get("id").asLong());
      assertEquals(s.<String>getAs("species"), extra.get("species").asText());
      assertEquals(2, extra.size(), "the input's other columns, not the scorer's: " + extra);
      assertEquals("penguins", t.getAs("model_name"));
      assertEquals(1, t.<Integer>getAs("model_version"));
      assertEquals("champion", t.getAs("model_alias"));
      assertEquals(s.<String>getAs("island"), t.getAs("island"));
      assertEquals(s.<String>getAs("sex"), t.getAs("sex"));
      assertEquals(asDouble(s.getAs("bill_length_mm")), t.getAs("bill_length_mm"));
      assertEquals(asDouble(s.getAs("body_mass_g")), t.getAs("body_mass_g"));
      assertEquals(asDouble(s.getAs("year")), t.getAs("year"), "an int column is the double the model took");
      assertEquals(s.<String>getAs("prediction"), t.getAs("prediction"));
      Map<String, Double> p = t.getJavaMap(t.fieldIndex("probabilities"));
      Vector v = s.getAs("probability");
      for (int c = 0; c < PenguinsModel.LABELS.length; c++) {
        assertEquals(v.apply(c), p.get(PenguinsModel.LABELS[c]), 0.0);
        assertEquals(s.<Double>getAs("p_" + PenguinsModel.LABELS[c]), p.get(PenguinsModel.LABELS[c]), 0.0);
      }
      assertTrue(t.<String>getAs("request_id").startsWith(rows.jobId() + "-"));
      requestIds.add(t.getAs("request_id"));
      assertEquals(0, t.<Integer>getAs("row_index"));
      assertEquals(Timestamp.from(rows.time()), t.getAs("timestamp"));
      assertEquals(0L, t.<Long>getAs("latency_us"));
      assertEquals(200, t.<Integer>getAs("status"));
      assertNull(t.getAs("error"));
      assertEquals(1.0, t.<Double>getAs("sample_fraction"));
      assertNull(t.getAs("label"));
    }
    assertEquals(20, requestIds.size(), "one request id per row");
    assertTrue(logged.stream().anyMatch(t -> t.getAs("bill_length_mm") == null), "the fixture's NA row is missing there");
  }

  @Test
  void sqlScoresGoToTheTableWithTheVersionTheQueryResolved() {
    model.rows(12).createOrReplaceTempView("penguin_rows");
    model.registry.setRegisteredModelAlias(PenguinsModel.NAME, "champion", 2);
    try {
      Dataset<Row> scored = spark.sql("SELECT *, omelet_predict('penguins@champion', *) AS p FROM penguin_rows");
      // the alias moves after the query was analysed: the rows name the version that scored them
      model.registry.setRegisteredModelAlias(PenguinsModel.NAME, "champion", 1);
      InferenceRows rows = InferenceRows.ofPredictions(scored, "p");
      assertEquals(2, rows.model().resolved().version());
      InferenceTable.Appended appended = rows.appendTo(model.root);
      assertEquals(12, appended.rows());
      Map<Long, Row> byId = new HashMap<>();
      for (Row r : scored.collectAsList()) byId.put(((Number) r.getAs("id")).longValue(), r);
      List<Row> logged = spark.read().format("delta").load(appended.path())
          .where("request_id LIKE '" + rows.jobId() + "-%'").collectAsList();
      assertEquals(12, logged.size());
      for (Row t : logged) {
        assertEquals(2, t.<Integer>getAs("model_version"));
        assertEquals("champion", t.getAs("model_alias"));
        Row s = byId.get(readId(t));
        Row p = s.getAs("p");
        assertEquals(p.<String>getAs("prediction"), t.getAs("prediction"));
        assertEquals(p.getJavaMap(p.fieldIndex("probabilities")), t.getJavaMap(t.fieldIndex("probabilities")));
        assertFalse(t.<String>getAs("extra_features").contains("\"p\""), "the function's own column is not an input");
      }
    } finally {
      model.registry.setRegisteredModelAlias(PenguinsModel.NAME, "champion", 1);
    }
  }

  @Test
  void valuesAreRecordedAsTheModelTookThemAndTextItCouldNotTakeIsKeptAsSent() throws Exception {
    Dataset<Row> odd = spark.sql("SELECT * FROM VALUES"
        + " (1, 'Biscoe', 'male', '39.5', 17.4BD, 186, 3800, DATE'2008-01-01'),"
        + " (2, 'Dream', 'female', 'lots', 18.0BD, 190, 3400, DATE'2009-06-30'),"
        + " (3, 'Biscoe', NULL, ' ', 17.0BD, 180, NULL, NULL)"
        + " AS t(id, island, sex, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, year)");
    MojoScorer scorer = new MojoScorer().setModelUri("penguins/1").setRegistryRoot(model.root);
    InferenceRows rows = InferenceRows.of(scorer.transform(odd), scorer);
    Map<Integer, Row> byId = new HashMap<>();
    for (Row t : rows.rows().collectAsList()) byId.put(JSON.readTree(t.<String>getAs("extra_features")).get("id").asInt(), t);
    Row first = byId.get(1);
    assertEquals(39.5, first.<Double>getAs("bill_length_mm"), "text parsed as the model parses it");
    assertEquals(17.4, first.<Double>getAs("bill_depth_mm"), 1e-12, "a decimal as a double");
    assertEquals(1199145600000.0, first.<Double>getAs("year"), "a date as epoch milliseconds");
    assertNull(first.getAs("model_alias"), "scored by version: no alias");
    Row lots = byId.get(2);
    assertNull(lots.getAs("bill_length_mm"), "scored as missing");
    JsonNode extra = JSON.readTree(lots.<String>getAs("extra_features"));
    assertEquals("lots", extra.get("bill_length_mm").asText(), "kept as it came: " + extra);
    Row blank = byId.get(3);
    assertNull(blank.getAs("bill_length_mm"));
    assertNull(blank.getAs("sex"));
    assertEquals("{\"id\":3}", blank.getAs("extra_features"), "blank text is missing, not a bad value");

    // numbers feeding categorical features: the level's text as the model reads it
    Dataset<Row> numbers = spark.sql("SELECT 2 AS island, 1.5D AS sex, 3.0D AS bill_length_mm, 17.0D AS bill_depth_mm,"
        + " 180 AS flipper_length_mm, 3000 AS body_mass_g, 2008 AS year");
    Row levels = InferenceRows.of(scorer.transform(numbers), scorer).rows().first();
    assertEquals("2", levels.getAs("island"));
    assertEquals("1.5", levels.getAs("sex"));
    assertNull(levels.getAs("extra_features"), "nothing else was scored");
  }

  @Test
  void rowsThatCannotBeLoggedAreRefusedWithTheReason() {
    Dataset<Row> input = model.rows(5);
    MojoModel mojo = ModelLoader.load(model.registry, "penguins/1").mojo();
    MojoScorer held = MojoScorer.of(mojo);
    Dataset<Row> heldScored = held.transform(input);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InferenceRows.of(heldScored, held));
    assertTrue(e.getMessage().contains("inference tables are per registered model"), e.getMessage());

    input.createOrReplaceTempView("five");
    Dataset<Row> byRun = spark.sql("SELECT *, omelet_predict('runs:/" + model.runId + "/model/model.zip', *) AS p FROM five");
    e = assertThrows(IllegalArgumentException.class, () -> InferenceRows.ofPredictions(byRun, "p"));
    assertTrue(e.getMessage().contains("a run artifact has no model name"), e.getMessage());

    Dataset<Row> notScored = spark.sql("SELECT *, 1 AS p FROM five");
    e = assertThrows(IllegalArgumentException.class, () -> InferenceRows.ofPredictions(notScored, "p"));
    assertTrue(e.getMessage().contains("scores with no omelet_predict"), e.getMessage());

    Dataset<Row> field = spark.sql("SELECT *, omelet_predict('penguins/1', *).prediction AS p FROM five");
    e = assertThrows(IllegalArgumentException.class, () -> InferenceRows.ofPredictions(field, "p"));
    assertTrue(e.getMessage().contains("column 'p' is string, not omelet_predict's result"), e.getMessage());

    Dataset<Row> scored = spark.sql("SELECT *, omelet_predict('penguins/1', *) AS p FROM five");
    e = assertThrows(IllegalArgumentException.class, () -> InferenceRows.ofPredictions(scored, "q"));
    assertTrue(e.getMessage().contains("no column 'q'"), e.getMessage());
  }

  /**
   * SQL alone: the table's columns from a query, appended with INSERT ... BY NAME (the columns
   * left out, such as label, stay null). The version is written as the query knows it.
   */
  @Test
  void theSqlRecipeOfTheReadmeRuns() {
    model.rows(8).createOrReplaceTempView("eight");
    String path = InferenceTable.open(spark, model.root, PenguinsModel.NAME,
        ModelLoader.load(model.registry, "penguins/1").mojo().codec(), true).path();
    long before = spark.read().format("delta").load(path).count();
    spark.sql("INSERT INTO delta.`" + path + "` BY NAME"
        + " SELECT uuid() AS request_id, 0 AS row_index, current_timestamp() AS timestamp,"
        + "   'penguins' AS model_name, 1 AS model_version, CAST(NULL AS STRING) AS model_alias,"
        + "   island, sex, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, year,"
        + "   to_json(named_struct('id', id, 'species', species)) AS extra_features,"
        + "   p.prediction AS prediction, p.probabilities AS probabilities,"
        + "   0L AS latency_us, 200 AS status, 1.0D AS sample_fraction"
        + " FROM (SELECT *, omelet_predict('penguins/1', *) AS p FROM eight)");
    assertEquals(before + 8, spark.read().format("delta").load(path).count());
    // the other tests' rows name the alias they were scored through
    List<Row> added = spark.read().format("delta").load(path).where("model_alias IS NULL").collectAsList();
    assertEquals(8, added.size());
    for (Row t : added) {
      assertTrue(List.of(PenguinsModel.LABELS).contains(t.<String>getAs("prediction")), t.toString());
      assertEquals(3, t.getJavaMap(t.fieldIndex("probabilities")).size());
      assertNull(t.getAs("label"));
      assertNull(t.getAs("error"));
    }
  }

  private static long readId(Row t) {
    try {
      return JSON.readTree(t.<String>getAs("extra_features")).get("id").asLong();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Double asDouble(Object v) {
    return v == null ? null : ((Number) v).doubleValue();
  }

  /** The versions of the table's appends that carry {@code jobId}. */
  private List<Long> writes(String path, String jobId) {
    return spark.sql("DESCRIBE HISTORY delta.`" + path + "`")
        .where("userMetadata = '" + InferenceTable.JOB_MARKER + jobId + "'")
        .select("version").as(org.apache.spark.sql.Encoders.LONG()).collectAsList();
  }
}
