package io.omelet.trees;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import io.omelet.testing.SharedSpark;

/** TreeSHAP of a Spark GBT flattened by TreeEnsemble equals the Shapley values computed by brute force. */
class TreeShapBruteForceTest {

  /**
   * Path-dependent TreeSHAP is the Shapley value of the game v(S) = E[f(x) | x_S] where the
   * expectation follows the training cover at splits on features outside S. Computed here by brute
   * force over every subset of the 7 slots (3 numbers and the 4 one-hot slots of cut).
   */
  @Test
  void matchesBruteForceShapleyOfTheCoverWeightedGame() {
    // 2,000 diamonds rows, as the explain tests read them.
    Dataset<Row> diamonds = SharedSpark.csv("diamonds.csv").sample(false, 0.04, 7).limit(2000)
        .withColumn("label", functions.col("price").cast("double")).cache();
    PipelineModel featureStages = new Pipeline().setStages(new PipelineStage[] {
        new StringIndexer().setInputCols(new String[] {"cut"}).setOutputCols(new String[] {"cut_idx"})
            .setHandleInvalid("keep"),
        new OneHotEncoder().setInputCols(new String[] {"cut_idx"}).setOutputCols(new String[] {"cut_ohe"}),
        new VectorAssembler().setInputCols(new String[] {"carat", "depth", "table", "cut_ohe"}).setOutputCol("features")
            .setHandleInvalid("keep")}).fit(diamonds);
    Dataset<Row> assembled = featureStages.transform(diamonds);
    GBTRegressionModel gbt = new GBTRegressor().setMaxIter(4).setMaxDepth(4).setSeed(8).fit(assembled);
    TreeEnsemble e = TreeEnsemble.of(gbt, -1);
    List<Row> xs = assembled.select("features").limit(25).collectAsList();
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
    diamonds.unpersist();
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
