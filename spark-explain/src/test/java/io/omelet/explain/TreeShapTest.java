package io.omelet.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.regression.DecisionTreeRegressor;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Exact TreeSHAP on Spark ML trees: additive to the model's own output and per input column (brute force: io.omelet.trees.TreeShapBruteForceTest). */
class TreeShapTest {

  /** Explains 400 rows and checks base + sum(phi) against the model's {@code outputCol}[index] (index -1: a double). */
  private static void assertAdditive(PipelineModel model, Dataset<Row> data, int targetClass, String outputCol,
      int index, List<String> expectedFeatures) {
    ModelAnatomy a = ModelAnatomy.of(model);
    List<String> features = a.explainedFeatures();
    assertEquals(expectedFeatures, features);
    TreeShapSource src = TreeShapSource.of(a, data, targetClass, features);
    Dataset<Row> rows = data.limit(400);
    Dataset<Row> explained = src.explain(rows, "shap", "base", null);
    List<Row> out = model.transform(explained).select("shap", "base", outputCol).collectAsList();
    assertEquals(400, out.size());
    double maxErr = 0;
    double spread = 0;
    for (Row r : out) {
      Vector phi = r.getAs(0);
      assertEquals(features.size(), phi.size());
      double sum = r.getDouble(1);
      for (double p : phi.toArray()) sum += p;
      double expected = index < 0 ? r.getDouble(2) : ((Vector) r.getAs(2)).apply(index);
      maxErr = Math.max(maxErr, Math.abs(sum - expected));
      spread += Math.abs(phi.toArray()[0]);
    }
    assertTrue(maxErr < 1e-6, "TreeSHAP not additive: max |base + sum(phi) - " + outputCol + "| = " + maxErr);
    assertTrue(spread > 0, "all contributions of the first feature are zero");
  }

  private static List<String> lcFeatures() {
    List<String> f = new java.util.ArrayList<>(List.of(TestSpark.LC_NUMBERS));
    f.addAll(List.of(TestSpark.LC_STRINGS));
    return f;
  }

  private static List<String> diamondFeatures() {
    List<String> f = new java.util.ArrayList<>(List.of(TestSpark.DIAMOND_NUMBERS));
    f.addAll(List.of(TestSpark.DIAMOND_STRINGS));
    return f;
  }

  private static PipelineModel lc(PipelineStage predictor) {
    return TestSpark.fitPipeline(TestSpark.lendingClub(), TestSpark.LC_STRINGS, TestSpark.LC_NUMBERS, predictor);
  }

  private static PipelineModel dia(PipelineStage predictor) {
    return TestSpark.fitPipeline(TestSpark.diamonds(), TestSpark.DIAMOND_STRINGS, TestSpark.DIAMOND_NUMBERS, predictor);
  }

  @Test
  void gbtClassifierMarginIsExplainedExactlyWithOneHotSlotsSummedBack() {
    PipelineModel m = lc(new GBTClassifier().setMaxIter(20).setMaxDepth(4).setSeed(1));
    assertAdditive(m, TestSpark.lendingClub(), 1, "rawPrediction", 1, lcFeatures());
    assertAdditive(m, TestSpark.lendingClub(), 0, "rawPrediction", 0, lcFeatures());
  }

  @Test
  void randomForestClassifierProbabilityIsExplainedExactly() {
    PipelineModel m = lc(new RandomForestClassifier().setNumTrees(15).setMaxDepth(6).setSeed(2));
    assertAdditive(m, TestSpark.lendingClub(), 1, "probability", 1, lcFeatures());
  }

  @Test
  void decisionTreeClassifierProbabilityIsExplainedExactly() {
    PipelineModel m = lc(new DecisionTreeClassifier().setMaxDepth(7).setSeed(3));
    assertAdditive(m, TestSpark.lendingClub(), 1, "probability", 1, lcFeatures());
  }

  @Test
  void regressorsArePredictionExact() {
    assertAdditive(dia(new GBTRegressor().setMaxIter(20).setMaxDepth(5).setSeed(4)), TestSpark.diamonds(), -1,
        "prediction", -1, diamondFeatures());
    assertAdditive(dia(new RandomForestRegressor().setNumTrees(10).setMaxDepth(6).setSeed(5)), TestSpark.diamonds(), -1,
        "prediction", -1, diamondFeatures());
    assertAdditive(dia(new DecisionTreeRegressor().setMaxDepth(8).setSeed(6)), TestSpark.diamonds(), -1,
        "prediction", -1, diamondFeatures());
  }

  /** A tree model on its own (no pipeline): the vector's slots are the features, named from its attributes. */
  @Test
  void bareTreeModelOnAVectorColumnIsExplainedPerSlot() {
    Dataset<Row> assembled = new org.apache.spark.ml.feature.VectorAssembler()
        .setInputCols(TestSpark.DIAMOND_NUMBERS).setOutputCol("features").transform(TestSpark.diamonds());
    org.apache.spark.ml.regression.DecisionTreeRegressionModel tree =
        new DecisionTreeRegressor().setMaxDepth(6).fit(assembled);
    ShapExplainer explainer = new ShapExplainer().setModel(tree).setOutputForm("map");
    assertEquals("tree", explainer.resolvedMethod());
    Dataset<Row> out = explainer.transform(assembled.limit(50));
    List<Row> rows = tree.transform(out).select("shap", "shap_base", "prediction").collectAsList();
    for (Row r : rows) {
      java.util.Map<String, Double> m = r.getJavaMap(0);
      assertEquals(java.util.Set.of(TestSpark.DIAMOND_NUMBERS), m.keySet());
      double sum = r.getDouble(1) + m.values().stream().mapToDouble(Double::doubleValue).sum();
      assertEquals(r.getDouble(2), sum, 1e-6);
    }
    IllegalArgumentException noVector = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> explainer.transformSchema(TestSpark.diamonds().schema()));
    assertTrue(noVector.getMessage().contains("'features'"), noVector.getMessage());
  }
}
