package io.omelet.automl;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark ML estimator and model, on penguins (multiclass, NA as missing values). */
class OmeletAutoMLTest {
  static Dataset<Row> penguins;
  static AutoMLModel model;

  @BeforeAll
  static void fit() {
    TestSupport.h2o();
    penguins = TestSupport.csvNa("penguins.csv").cache();
    model = new OmeletAutoML().setLabelCol("species").setMaxModels(2).setNfolds(3).setSeed(7)
        .setExcludeAlgos("DeepLearning", "StackedEnsemble").fit(penguins);
  }

  @Test
  void multiclassLeaderboardAndHoldout() {
    assertEquals(ProblemType.MULTINOMIAL, model.problemType());
    assertEquals(List.of("Adelie", "Chinstrap", "Gentoo"), model.result().info().classLabels());
    assertTrue(model.models().size() >= 2);
    Dataset<Row> lb = model.leaderboard();
    assertEquals(model.models().size(), lb.count());
    assertTrue(List.of(lb.columns()).containsAll(List.of("model_id", "algo", "mean_per_class_error",
        "logloss", "rmse", "mse", "training_time_ms", "predict_time_per_row_ms")),
        List.of(lb.columns()).toString());
    for (ModelResult m : model.models()) {
      assertNotNull(m.holdout(), m.modelId() + " " + m.error());
      // penguins species are almost separable: every model should do well
      assertTrue(m.holdout().get("accuracy") > 0.85, m.modelId() + " " + m.holdout().values());
      for (String k : List.of("logloss", "mean_per_class_error", "macro_f1", "micro_f1",
          "weighted_f1", "macro_precision", "weighted_recall")) {
        assertTrue(m.holdout().values().containsKey(k), k);
      }
      assertEquals(3, m.holdout().confusionMatrix().length);
      assertFalse(m.variableImportance().isEmpty(), m.modelId());
    }
    Dataset<Row> vi = model.variableImportance(model.leader().modelId());
    assertEquals(List.of("variable", "relative_importance", "scaled_importance", "percentage"),
        List.of(vi.columns()));
    assertTrue(vi.count() > 0);
    assertTrue(model.holdoutMetrics().filter(col("metric").equalTo("accuracy")).count()
        >= model.models().size());
  }

  @Test
  void transformAddsPredictionProbabilityAndClassColumns() {
    Dataset<Row> out = model.transform(penguins);
    List<String> cols = List.of(out.columns());
    assertTrue(cols.containsAll(List.of("prediction", "probability", "p_Adelie", "p_Chinstrap",
        "p_Gentoo")), cols.toString());
    List<Row> rows = out.select("species", "prediction", "probability", "p_Adelie", "p_Chinstrap",
        "p_Gentoo").collectAsList();
    assertEquals(penguins.count(), rows.size());
    int agree = 0;
    for (Row r : rows) {
      Vector p = r.getAs("probability");
      assertEquals(3, p.size());
      assertEquals(1.0, p.apply(0) + p.apply(1) + p.apply(2), 1e-6);
      assertEquals(p.apply(0), r.getDouble(3), 0.0);
      assertEquals(p.apply(2), r.getDouble(5), 0.0);
      if (r.getString(0).equals(r.getString(1))) agree++;
    }
    assertTrue(agree > 0.9 * rows.size(), "agreement " + agree + "/" + rows.size());
    // another leaderboard model scores too
    ModelResult second = model.models().get(1);
    assertEquals(penguins.count(), model.forModel(second.modelId()).transform(penguins).count());
  }

  @Test
  void scoringCoreEqualsTheMojosOwnEasyPredictions() throws Exception {
    for (ModelResult m : model.models()) {
      hex.genmodel.easy.EasyPredictModelWrapper easy = new hex.genmodel.easy.EasyPredictModelWrapper(
          new hex.genmodel.easy.EasyPredictModelWrapper.Config()
              .setModel(m.mojoModel().genModel()).setConvertUnknownCategoricalLevelsToNa(true));
      List<Row> scored = model.forModel(m.modelId()).transform(penguins).collectAsList();
      String[] names = penguins.columns();
      for (Row r : scored) {
        hex.genmodel.easy.RowData data = new hex.genmodel.easy.RowData();
        for (int i = 0; i < names.length; i++) {
          Object v = r.get(i);
          if (v == null || names[i].equals("species")) continue;
          data.put(names[i], v instanceof Number n ? (Object) n.doubleValue() : v.toString());
        }
        hex.genmodel.easy.prediction.MultinomialModelPrediction p = easy.predictMultinomial(data);
        assertEquals(p.label, r.getAs("prediction"));
        Vector probs = r.getAs("probability");
        assertArrayEquals(p.classProbabilities, probs.toArray(), 0.0);
      }
    }
  }

  @Test
  void coercesColumnTypes() {
    // numbers given as text, and a categorical given with different case in the column name
    Dataset<Row> asText = penguins.selectExpr("CAST(bill_length_mm AS STRING) AS bill_length_mm",
        "CAST(bill_depth_mm AS STRING) AS BILL_DEPTH_MM", "flipper_length_mm", "body_mass_g",
        "island AS Island", "sex", "year", "'extra' AS unused");
    List<Row> a = model.transform(penguins).select("prediction", "probability").collectAsList();
    List<Row> b = model.transform(asText).select("prediction", "probability").collectAsList();
    assertEquals(a, b);
  }

  @Test
  void matchesColumnsIgnoringCaseAndFailsNamingAMissingFeature() {
    Dataset<Row> renamed = penguins.withColumnRenamed("island", "ISLAND").drop("species");
    assertEquals(penguins.count(), model.transform(renamed).count());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.transform(penguins.drop("bill_length_mm")));
    assertTrue(e.getMessage().contains("bill_length_mm"), e.getMessage());
  }

  @Test
  void savedModelScoresIdentically(@TempDir Path dir) throws Exception {
    String path = dir.resolve("model").toString();
    model.write().save(path);
    // Spark's metadata, the leaderboard as JSON, one MOJO zip per model; no Java serialization
    assertTrue(Files.exists(dir.resolve("model/metadata")));
    String json = Files.readString(dir.resolve("model/data/result.json"));
    assertTrue(json.contains("\"format\" : 2") && json.contains(model.leader().modelId()), json);
    for (ModelResult m : model.models()) {
      assertArrayEquals(m.mojo(), Files.readAllBytes(dir.resolve(String.format("model/data/models/%02d.zip", m.rank()))));
    }
    assertFalse(Files.exists(dir.resolve("model/data/result.ser")));
    assertFalse(Files.exists(dir.resolve("model/data/leader_mojo.zip")));
    AutoMLModel loaded = AutoMLModel.load(path);
    // MOJOs are read when first used
    assertFalse(loaded.models().get(1).mojoZip().isLoaded());
    assertEquals(model.leader().holdout().values(), loaded.leader().holdout().values());
    assertArrayEquals(model.leader().holdout().confusionMatrix(), loaded.leader().holdout().confusionMatrix());
    assertEquals(model.leader().variableImportance(), loaded.leader().variableImportance());
    assertEquals(model.leader().params(), loaded.leader().params());
    assertEquals(model.result().info().classLabels(), loaded.result().info().classLabels());
    assertEquals(model.result().info().settings().toMap(), loaded.result().info().settings().toMap());
    assertEquals(model.uid(), loaded.uid());
    assertEquals(model.leader().modelId(), loaded.leader().modelId());
    assertEquals(model.models().size(), loaded.models().size());
    assertArrayEquals(model.leader().mojo(), loaded.leader().mojo());
    List<Row> a = model.transform(penguins).select("prediction", "probability").collectAsList();
    List<Row> b = loaded.transform(penguins).select("prediction", "probability").collectAsList();
    assertEquals(a, b);

    OmeletAutoML est = new OmeletAutoML().setLabelCol("species").setMaxModels(4).setNfolds(2);
    est.write().save(dir.resolve("estimator").toString());
    OmeletAutoML est2 = OmeletAutoML.load(dir.resolve("estimator").toString());
    assertEquals("species", est2.getLabelCol());
    assertEquals(4, est2.getMaxModels());
    assertEquals(2, est2.getNfolds());
  }
}
