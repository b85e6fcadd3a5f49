package io.omelet.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hex.genmodel.easy.EasyPredictModelWrapper;
import hex.genmodel.easy.RowData;
import hex.genmodel.easy.prediction.BinomialModelPrediction;
import io.omelet.automl.OmeletAutoML;
import io.omelet.automl.TestSupport;
import io.omelet.registry.ModelVersion;
import io.omelet.registry.OmeletRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * omelet_predict through the session extension and MojoScorer, on a real session and a real
 * registry holding two versions of an H2O model trained on lending_club: predictions equal
 * h2o-genmodel's own, all argument forms agree, aliases are followed between queries, and each
 * bad input fails with a message that names it.
 */
class SqlScoringTest {
  static SparkSession spark;
  static OmeletRegistry registry;
  static String previousRoot;
  static Dataset<Row> rows;
  static ModelVersion gbm;
  static ModelVersion glm;

  @BeforeAll
  static void trainTwoVersions() throws Exception {
    spark = TestSupport.spark();
    TestSupport.h2o();
    String root = Files.createTempDirectory("scoring-test").resolve("registry").toString();
    registry = OmeletRegistry.open(spark, root);
    previousRoot = spark.conf().getOption(OmeletRegistry.ROOT_CONF).getOrElse(() -> null);
    spark.conf().set(OmeletRegistry.ROOT_CONF, root);
    Dataset<Row> lending = TestSupport.csv("lending_club.csv").sample(false, 0.3, 5).cache();
    lending.createOrReplaceTempView("lending");
    rows = lending.limit(200).cache();
    rows.createOrReplaceTempView("lending_rows");
    for (String algo : new String[] {"GBM", "GLM"}) {
      new OmeletAutoML().setLabelCol("Class").setIncludeAlgos(algo).setMaxModels(1).setNfolds(0).setSeed(7)
          .setExperimentName("scoring-" + algo).setRegisteredModelName("lending").setModelAlias("champion")
          .setRegistryRoot(root).fit(lending);
    }
    gbm = registry.getModelVersion("lending", 1);
    glm = registry.getModelVersion("lending", 2);
  }

  @AfterAll
  static void restoreRoot() {
    if (spark == null) return;
    if (previousRoot == null) spark.conf().unset(OmeletRegistry.ROOT_CONF);
    else spark.conf().set(OmeletRegistry.ROOT_CONF, previousRoot);
  }

  static MojoModel mojo(ModelVersion v) {
    return ModelLoader.load(registry, "lending/" + v.version()).mojo();
  }

  /** h2o-genmodel's own prediction of a row: label, then p(bad), p(good). */
  static List<Object[]> genmodelPredictions(MojoModel mojo, List<Row> input) throws Exception {
    EasyPredictModelWrapper wrapper = new EasyPredictModelWrapper(
        new EasyPredictModelWrapper.Config().setModel(mojo.genModel()).setConvertUnknownCategoricalLevelsToNa(true)
            .setConvertInvalidNumbersToNa(true));
    List<Object[]> out = new ArrayList<>();
    for (Row r : input) {
      RowData data = new RowData();
      for (String f : mojo.features()) {
        Object v = r.getAs(f);
        if (v == null) continue;
        data.put(f, v instanceof String ? v : ((Number) v).doubleValue());
      }
      BinomialModelPrediction p = wrapper.predictBinomial(data);
      out.add(new Object[] {p.label, p.classProbabilities[0], p.classProbabilities[1]});
    }
    return out;
  }

  static void assertSameAsGenmodel(MojoModel mojo, List<Row> scored, String structCol) throws Exception {
    List<Object[]> expected = genmodelPredictions(mojo, scored);
    String[] labels = mojo.responseDomain();
    for (int i = 0; i < scored.size(); i++) {
      Row p = scored.get(i).getAs(structCol);
      assertEquals(expected.get(i)[0], p.getAs("prediction"), "row " + i);
      Map<String, Double> probs = p.getJavaMap(p.fieldIndex("probabilities"));
      assertEquals((double) expected.get(i)[1], probs.get(labels[0]), 0.0, "row " + i);
      assertEquals((double) expected.get(i)[2], probs.get(labels[1]), 0.0, "row " + i);
      assertEquals((double) expected.get(i)[2], p.<Double>getAs("positive_probability"), 0.0, "row " + i);
    }
  }

  @Test
  void sqlThroughTheSessionExtensionEqualsTheMojo() throws Exception {
    registry.setRegisteredModelAlias("lending", "champion", gbm.version());
    Dataset<Row> scored = spark.sql("SELECT *, omelet_predict('lending@champion', *) AS p FROM lending_rows");
    StructType type = (StructType) scored.schema().apply("p").dataType();
    assertArrayEquals(new String[] {"prediction", "probabilities", "positive_probability"}, type.fieldNames());
    List<Row> out = scored.collectAsList();
    assertEquals(200, out.size());
    assertSameAsGenmodel(mojo(gbm), out, "p");
    assertTrue(out.stream().map(r -> r.<Row>getAs("p").getString(0)).distinct().count() == 2,
        "both classes are predicted on 200 rows");
  }

  @Test
  void everyArgumentFormScoresTheSame() {
    String cols = String.join(", ", upper(mojo(gbm).features()));
    Dataset<Row> scored = spark.sql("SELECT omelet_predict('lending/1', *) AS a, "
        + "omelet_predict('lending/1', struct(*)) AS b, "
        + "omelet_predict('lending/1', " + cols + ", Class) AS c, "
        + "omelet_predict('models:/lending/1', " + cols + ") AS d FROM lending_rows");
    for (Row r : scored.collectAsList()) {
      assertEquals(r.get(0), r.get(1));
      assertEquals(r.get(0), r.get(2));
      assertEquals(r.get(0), r.get(3));
    }
  }

  @Test
  void columnsAreCoercedToTheModelsTypes() {
    // Numbers as strings and doubles as integers still feed the model's numeric features.
    String others = except("funded_amnt", "annual_inc");
    Dataset<Row> asText = spark.sql("SELECT omelet_predict('lending/1', *) AS p FROM "
        + "(SELECT CAST(funded_amnt AS STRING) AS funded_amnt, CAST(annual_inc AS BIGINT) AS annual_inc, "
        + others + " FROM lending_rows)");
    Dataset<Row> plain = spark.sql("SELECT omelet_predict('lending/1', *) AS p FROM "
        + "(SELECT funded_amnt, CAST(CAST(annual_inc AS BIGINT) AS DOUBLE) AS annual_inc, "
        + others + " FROM lending_rows)");
    assertEquals(plain.collectAsList(), asText.collectAsList());
  }

  @Test
  void valuesThatCannotBeCoercedAreCountedAsMissingOrFailAStrictQuery() {
    // funded_amnt as text, "lots" where it is above 20000: those rows score as if it were null.
    String others = except("funded_amnt");
    String text = "CASE WHEN funded_amnt > 20000 THEN 'lots' ELSE CAST(funded_amnt AS STRING) END";
    Dataset<Row> scored = spark.sql("SELECT omelet_predict('lending/1', *) AS p FROM (SELECT " + text
        + " AS funded_amnt, " + others + " FROM lending_rows)");
    Dataset<Row> asNull = spark.sql("SELECT omelet_predict('lending/1', *) AS p FROM (SELECT CASE WHEN "
        + "funded_amnt > 20000 THEN NULL ELSE funded_amnt END AS funded_amnt, " + others + " FROM lending_rows)");
    long lots = rows.filter("funded_amnt > 20000").count();
    assertTrue(lots > 0 && lots < 200, "some rows have the bad value: " + lots);
    assertEquals(0, CoercionPolicy.uncoercedValues(scored), "nothing counted before an action");
    assertEquals(asNull.collectAsList(), scored.collectAsList());
    assertEquals(lots, CoercionPolicy.uncoercedValues(scored));
    assertEquals(0, CoercionPolicy.uncoercedValues(asNull));

    // MojoScorer counts the same way, per transformed DataFrame
    Dataset<Row> input = spark.sql("SELECT " + text + " AS funded_amnt, " + others + " FROM lending_rows");
    Dataset<Row> byScorer = new MojoScorer().setModelUri("lending/1").transform(input).select("prediction");
    assertEquals(200, byScorer.collectAsList().size());
    assertEquals(lots, CoercionPolicy.uncoercedValues(byScorer));

    spark.conf().set(CoercionPolicy.STRICT_CONF, "true");
    try {
      Dataset<Row> strict = spark.sql("SELECT omelet_predict('lending/1', *) AS p FROM (SELECT " + text
          + " AS funded_amnt, " + others + " FROM lending_rows)");
      // a task's failure: Spark's SparkException around the coercion's IllegalArgumentException
      Throwable e = assertThrows(org.apache.spark.SparkException.class, strict::collect);
      assertInstanceOf(IllegalArgumentException.class, e.getCause(), "the coercion's own error as the cause");
      String message = String.valueOf(e.getMessage()) + (e.getCause() == null ? "" : e.getCause().getMessage());
      assertTrue(message.contains("omelet_predict('lending/1'): feature funded_amnt"), message);
      assertTrue(message.contains("\"lots\" is not a number"), message);
    } finally {
      spark.conf().unset(CoercionPolicy.STRICT_CONF);
    }
  }

  @Test
  void anAliasThatMovesIsFollowedByTheNextQuery() throws Exception {
    String q = "SELECT *, omelet_predict('lending@champion', *) AS p FROM lending_rows";
    registry.setRegisteredModelAlias("lending", "champion", gbm.version());
    List<Row> first = spark.sql(q).collectAsList();
    registry.setRegisteredModelAlias("lending", "champion", glm.version());
    List<Row> second = spark.sql(q).collectAsList();
    assertSameAsGenmodel(mojo(gbm), first, "p");
    assertSameAsGenmodel(mojo(glm), second, "p");
    assertNotEquals(first.get(0).<Row>getAs("p").get(1), second.get(0).<Row>getAs("p").get(1));
  }

  @Test
  void oneQueryResolvesAnAliasOnce() {
    registry.setRegisteredModelAlias("lending", "champion", glm.version());
    Dataset<Row> df = spark.sql("SELECT omelet_predict('lending@champion', *) AS a FROM lending_rows "
        + "UNION ALL SELECT omelet_predict('lending@champion', *) AS a FROM lending_rows");
    List<String> keys = new ArrayList<>();
    df.queryExecution().analyzed().foreach(plan -> {
      plan.expressions().foreach(e -> {
        e.foreach(x -> {
          if (x instanceof MojoFunction f) keys.add(f.mojo().key() + " " + f.modelDescription());
          return null;
        });
        return null;
      });
      return null;
    });
    assertEquals(2, keys.size());
    assertEquals(keys.get(0), keys.get(1));
    assertTrue(keys.get(0).endsWith("lending version 2"), keys.get(0));
  }

  @Test
  void mojoScorerInAPipelineEqualsSql() throws Exception {
    registry.setRegisteredModelAlias("lending", "champion", gbm.version());
    MojoScorer scorer = new MojoScorer().setModelUri("lending@champion");
    PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {scorer}).fit(rows);
    Path dir = Files.createTempDirectory("mojo-scorer");
    pipeline.write().overwrite().save(dir.toString());
    PipelineModel loaded = PipelineModel.load(dir.toString());
    List<Row> viaPipeline = loaded.transform(rows).collectAsList();
    List<Row> viaSql = spark.sql("SELECT omelet_predict('lending@champion', *) AS p FROM lending_rows").collectAsList();
    String[] labels = mojo(gbm).responseDomain();
    for (int i = 0; i < viaSql.size(); i++) {
      Row p = viaSql.get(i).getAs("p");
      Row t = viaPipeline.get(i);
      assertEquals(p.getString(0), t.getAs("prediction"));
      Vector prob = t.getAs("probability");
      Map<String, Double> byLabel = p.getJavaMap(1);
      assertEquals(byLabel.get(labels[0]), prob.apply(0), 0.0);
      assertEquals(byLabel.get(labels[1]), prob.apply(1), 0.0);
      assertEquals(byLabel.get(labels[1]), t.<Double>getAs("p_" + labels[1]), 0.0);
    }
    assertEquals(gbm.version(), scorer.lastModel().orElseThrow().resolved().version());
    // A scorer holding the MOJO itself survives save and load with it.
    MojoScorer held = MojoScorer.of(mojo(gbm));
    held.write().overwrite().save(dir.resolve("held").toString());
    List<Row> viaHeld = MojoScorer.load(dir.resolve("held").toString()).transform(rows).collectAsList();
    for (int i = 0; i < viaSql.size(); i++) {
      assertEquals(viaPipeline.get(i).<Vector>getAs("probability"), viaHeld.get(i).<Vector>getAs("probability"));
    }
  }

  @Test
  void sqlTransformerAndRestGiveTheMojosOwnPredictions() throws Exception {
    registry.setRegisteredModelAlias("lending", "champion", gbm.version());
    List<Row> input = rows.limit(60).collectAsList();
    List<Object[]> expected = genmodelPredictions(mojo(gbm), input);
    Dataset<Row> sixty = spark.createDataFrame(input, rows.schema());
    sixty.createOrReplaceTempView("sixty");
    List<Row> viaSql = spark.sql("SELECT omelet_predict('lending@champion', *) AS p FROM sixty").collectAsList();
    List<Row> viaScorer = new MojoScorer().setModelUri("lending@champion").transform(sixty).collectAsList();
    com.fasterxml.jackson.databind.JsonNode viaRest = postRows("lending@champion", "/predict", input);
    assertEquals(gbm.version(), viaRest.get("model").get("version").asInt());
    String[] labels = mojo(gbm).responseDomain();
    for (int i = 0; i < input.size(); i++) {
      Object[] e = expected.get(i);
      Row sql = viaSql.get(i).getAs("p");
      Row scorer = viaScorer.get(i);
      com.fasterxml.jackson.databind.JsonNode rest = viaRest.get("predictions").get(i);
      assertEquals(e[0], sql.getString(0), "sql, row " + i);
      assertEquals(e[0], scorer.getAs("prediction"), "transformer, row " + i);
      assertEquals(e[0], rest.get("prediction").asText(), "rest, row " + i);
      assertEquals((double) e[2], sql.<Double>getAs("positive_probability"), 0.0, "sql, row " + i);
      assertEquals((double) e[2], scorer.<Vector>getAs("probability").apply(1), 0.0, "transformer, row " + i);
      assertEquals((double) e[2], rest.get("positive_probability").asDouble(), 0.0, "rest, row " + i);
      assertEquals((double) e[1], rest.get("probabilities").get(labels[0]).asDouble(), 0.0, "rest, row " + i);
    }
  }

  @Test
  void omeletExplainAddsUpToTheLogitForGbmAndGlm() {
    for (ModelVersion v : new ModelVersion[] {gbm, glm}) {
      List<Row> out = spark.sql("SELECT omelet_predict('lending/" + v.version() + "', *) AS p, "
          + "omelet_explain('lending/" + v.version() + "', *) AS e FROM lending_rows").collectAsList();
      String[] features = mojo(v).features();
      for (Row r : out) {
        Row e = r.getAs("e");
        Map<String, Double> c = e.getJavaMap(e.fieldIndex("contributions"));
        assertEquals(java.util.Set.of(features), c.keySet());
        double sum = e.<Double>getAs("bias");
        for (double x : c.values()) sum += x;
        double p1 = r.<Row>getAs("p").<Double>getAs("positive_probability");
        assertEquals(Math.log(p1 / (1 - p1)), sum, 1e-6, "bias + contributions = logit(p1), version " + v.version());
      }
      assertTrue(out.stream().anyMatch(r -> r.<Row>getAs("e").<Map<String, Double>>getAs("contributions") != null
          && r.<Row>getAs("e").getJavaMap(0).values().stream().anyMatch(x -> (double) x != 0.0)));
    }
  }

  /**
   * A multinomial GBM is explained exactly, class by class, under the same field names: in SQL
   * {@code contributions} is a map from class to a feature map and {@code bias} a map from class;
   * each class's bias plus contributions is its raw score, whose softmax gives back the predicted
   * probabilities. REST's {@code explain=true} gives the same numbers for the same rows.
   */
  @Test
  void multinomialGbmIsExplainedPerClassInSqlAndRest() throws Exception {
    Dataset<Row> penguins = TestSupport.csvNa("penguins.csv").na().drop(new String[] {"species"}).cache();
    new OmeletAutoML().setLabelCol("species").setIncludeAlgos("GBM").setMaxModels(1).setNfolds(0).setSeed(7)
        .setExperimentName("scoring-multinomial").setRegisteredModelName("penguins").setModelAlias("champion")
        .setRegistryRoot(registry.root()).fit(penguins);
    List<Row> input = penguins.limit(40).collectAsList();
    Dataset<Row> forty = spark.createDataFrame(input, penguins.schema());
    forty.createOrReplaceTempView("penguins_forty");
    List<Row> sql = spark.sql("SELECT omelet_predict('penguins@champion', *) AS p, "
        + "omelet_explain('penguins@champion', *) AS e FROM penguins_forty").collectAsList();
    MojoModel mojo = ModelLoader.load(registry, "penguins@champion").mojo();
    String[] classes = mojo.responseDomain();
    assertEquals(3, classes.length);
    assertTrue(RowContributions.isMultinomialGbm(mojo), mojo.algorithm());
    double[][] sqlRaw = new double[sql.size()][];
    for (int i = 0; i < sql.size(); i++) {
      Row e = sql.get(i).getAs("e");
      Map<String, scala.collection.Map<String, Double>> perClass = e.getJavaMap(e.fieldIndex("contributions"));
      Map<String, Double> bias = e.getJavaMap(e.fieldIndex("bias"));
      assertEquals(java.util.Set.of(classes), perClass.keySet());
      double[] raw = new double[classes.length];
      for (int k = 0; k < classes.length; k++) {
        Map<String, Double> c = scala.collection.JavaConverters.mapAsJavaMap(perClass.get(classes[k]));
        assertEquals(java.util.Set.of(mojo.features()), c.keySet());
        raw[k] = bias.get(classes[k]);
        for (double x : c.values()) raw[k] += x;
      }
      sqlRaw[i] = raw;
      Map<String, Double> probs = sql.get(i).<Row>getAs("p").getJavaMap(1);
      double[] soft = softmax(raw);
      for (int k = 0; k < classes.length; k++) {
        assertEquals(probs.get(classes[k]), soft[k], 1e-9, "softmax(bias + contributions), row " + i + " " + classes[k]);
      }
    }
    com.fasterxml.jackson.databind.JsonNode rest = postRows("penguins@champion", "/predict?explain=true", input)
        .get("predictions");
    assertEquals(input.size(), rest.size());
    for (int i = 0; i < input.size(); i++) {
      for (int k = 0; k < classes.length; k++) {
        double raw = rest.get(i).get("bias").get(classes[k]).asDouble();
        for (String f : mojo.features()) raw += rest.get(i).get("contributions").get(classes[k]).get(f).asDouble();
        assertEquals(sqlRaw[i][k], raw, 1e-9, "REST and SQL, row " + i + " " + classes[k]);
      }
    }
  }

  private static double[] softmax(double[] raw) {
    double max = Double.NEGATIVE_INFINITY;
    for (double r : raw) max = Math.max(max, r);
    double[] out = new double[raw.length];
    double sum = 0;
    for (int k = 0; k < raw.length; k++) sum += out[k] = Math.exp(raw[k] - max);
    for (int k = 0; k < raw.length; k++) out[k] /= sum;
    return out;
  }

  @Test
  void badInputsFailWithMessagesThatNameThem() {
    Throwable alias = assertThrows(IllegalArgumentException.class,
        () -> spark.sql("SELECT omelet_predict('lending@challenger', *) FROM lending_rows").collect());
    assertTrue(alias.getMessage().contains("challenger"), alias.getMessage());
    Throwable model = assertThrows(IllegalArgumentException.class,
        () -> spark.sql("SELECT omelet_predict('churn@champion', *) FROM lending_rows").collect());
    assertTrue(model.getMessage().contains("churn"), model.getMessage());
    Throwable version = assertThrows(IllegalArgumentException.class,
        () -> spark.sql("SELECT omelet_predict('lending/9', *) FROM lending_rows").collect());
    assertTrue(version.getMessage().contains("no version 9"), version.getMessage());
    Throwable missing = assertThrows(IllegalArgumentException.class,
        () -> spark.sql("SELECT omelet_predict('lending/1', " + except("int_rate") + ") FROM lending_rows").collect());
    assertTrue(missing.getMessage().contains("missing feature column(s) int_rate"), missing.getMessage());
    Throwable type = assertThrows(IllegalArgumentException.class, () -> spark.sql(
        "SELECT omelet_predict('lending/1', struct(array(int_rate) AS int_rate, " + except("int_rate") + ")) FROM lending_rows")
        .collect());
    assertTrue(type.getMessage().contains("int_rate"), type.getMessage());
    Throwable uri = assertThrows(IllegalArgumentException.class,
        () -> spark.sql("SELECT omelet_predict(addr_state, *) FROM lending_rows").collect());
    assertTrue(uri.getMessage().contains("model URI as a string literal"), uri.getMessage());
    Throwable scorer = assertThrows(IllegalArgumentException.class,
        () -> new MojoScorer().setModelUri("lending@nope").transform(rows));
    assertTrue(scorer.getMessage().contains("nope"), scorer.getMessage());
    assertInstanceOf(io.omelet.registry.NotFoundException.class, scorer.getCause(), "the registry's own error, kept as the cause");
    Throwable scorerMissing = assertThrows(IllegalArgumentException.class,
        () -> new MojoScorer().setModelUri("lending/1").transform(rows.drop("sub_grade")));
    assertTrue(scorerMissing.getMessage().contains("sub_grade"), scorerMissing.getMessage());
  }

  /** Serves {@code uri} on a loopback port, posts {@code input} as JSON rows to {@code path}, returns the 200 body. */
  static com.fasterxml.jackson.databind.JsonNode postRows(String uri, String path, List<Row> input) throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ArrayNode body = json.createArrayNode();
    for (Row r : input) {
      com.fasterxml.jackson.databind.node.ObjectNode o = body.addObject();
      for (String f : r.schema().fieldNames()) {
        Object v = r.getAs(f);
        if (v == null) o.putNull(f);
        else if (v instanceof Number n) o.put(f, n.doubleValue());
        else o.put(f, v.toString());
      }
    }
    try (ScoringServer server = ScoringServer.start(registry,
        ServerConfig.of(uri).withPort(0).withReloadInterval(java.time.Duration.ZERO))) {
      java.net.http.HttpResponse<String> res = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(server.uri().resolve(path))
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.toString())).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, res.statusCode(), res.body());
      return json.readTree(res.body());
    }
  }

  /** The columns of lending_rows but these (Spark 3.5's SQL has no * EXCEPT). */
  private static String except(String... names) {
    List<String> keep = new ArrayList<>(List.of(rows.columns()));
    keep.removeAll(List.of(names));
    return String.join(", ", keep);
  }

  private static String[] upper(String[] names) {
    String[] out = new String[names.length];
    for (int i = 0; i < names.length; i++) out[i] = names[i].toUpperCase(java.util.Locale.ROOT);
    return out;
  }
}
