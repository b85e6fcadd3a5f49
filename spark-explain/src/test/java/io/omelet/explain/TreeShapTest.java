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
import io.omelet.trees.FlatForest;
import io.omelet.trees.TreeShap;
import org.junit.jupiter.api.Test;

/** Exact TreeSHAP on Spark ML trees: additive to the model's own output, per input column, and equal to brute force. */
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

  /**
   * Path-dependent TreeSHAP is the Shapley value of the game v(S) = E[f(x) | x_S] where the
   * expectation follows the training cover at splits on features outside S. Computed here by brute
   * force over every subset of the 7 slots (3 numbers and the 4 one-hot slots of cut).
   */
  @Test
  void matchesBruteForceShapleyOfTheCoverWeightedGame() {
    String[] nums = {"carat", "depth", "table"};
    String[] strs = {"cut"};
    PipelineModel m = TestSpark.fitPipeline(TestSpark.diamonds(), strs, nums,
        new GBTRegressor().setMaxIter(4).setMaxDepth(4).setSeed(8));
    ModelAnatomy a = ModelAnatomy.of(m);
    TreeEnsemble e = TreeEnsemble.of(a.predictor(), -1);
    List<Row> xs = a.featureStages().transform(TestSpark.diamonds()).select("features").limit(25).collectAsList();
    int n = e.numSlots();
    assertTrue(n >= 7 && n <= 10, "slots: " + n);
    boolean categoricalSplitSeen = false;
    FlatForest f = e.forest();
    for (int i = 0; i < f.numNodes(); i++) categoricalSplitSeen |= !f.isLeaf(i) && f.isCategorical(i);
    assertTrue(categoricalSplitSeen, "the one-hot slots should give categorical splits");
    TreeShap shap = e.shap();
    for (Row r : xs) {
      double[] x = ((Vector) r.getAs(0)).toArray();
      double[] phi = new double[n];
      shap.shap(x, phi);
      double[] exact = bruteForce(e, x);
      for (int j = 0; j < n; j++) {
        assertEquals(exact[j], phi[j], 1e-8 * (1 + Math.abs(exact[j])), "slot " + j);
      }
      double sum = e.expectedValue();
      for (double p : phi) sum += p;
      assertEquals(e.predict(x), sum, 1e-8);
    }
  }

  private static double[] bruteForce(TreeEnsemble e, double[] x) {
    int n = e.numSlots();
    double[] v = new double[1 << n];
    for (int s = 0; s < v.length; s++) {
      FlatForest f = e.forest();
      for (int t = 0; t < e.numTrees(); t++) v[s] += f.treeWeight(t) * conditional(f, f.treeRoot(t), x, s);
    }
    double[] fact = new double[n + 1];
    fact[0] = 1;
    for (int i = 1; i <= n; i++) fact[i] = fact[i - 1] * i;
    double[] phi = new double[n];
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < v.length; s++) {
        if ((s & (1 << i)) != 0) continue;
        int size = Integer.bitCount(s);
        double w = fact[size] * fact[n - size - 1] / fact[n];
        phi[i] += w * (v[s | (1 << i)] - v[s]);
      }
    }
    return phi;
  }

  private static double conditional(FlatForest f, int node, double[] x, int known) {
    if (f.isLeaf(node)) return f.value(node);
    if ((known & (1 << f.feature(node))) != 0) return conditional(f, f.next(node, x), x, known);
    return f.leftFraction(node) * conditional(f, f.left(node), x, known)
        + f.rightFraction(node) * conditional(f, f.right(node), x, known);
  }
}
