package io.omelet.scoring;

import io.omelet.trees.FlatForest;
import io.omelet.trees.ShapTables;
import io.omelet.trees.TreeShap;

/**
 * Test access to a MOJO's flat trees ({@link H2OForest}, package-private): the same trees explained
 * through Fast TreeSHAP tables of a chosen budget and through the recursion, so a test can hold one
 * against the other.
 */
public final class TreeShapProbe {
  private final FlatForest forest;
  private final ShapTables tables;
  private final TreeShap shap;

  /** Output 0 of the forest: a GBM's link-scale output or a binomial DRF's second-class probability. */
  public TreeShapProbe(MojoModel mojo, long tableBudget, int maxTableDepth) {
    forest = H2OForest.of(mojo).orElseThrow();
    tables = new ShapTables(forest, tableBudget, maxTableDepth);
    shap = new TreeShap(forest, 0, tables);
  }

  /** Whether RowScorer scores this MOJO through its flat trees. */
  public static boolean scoredByFlatForest(MojoModel mojo) {
    return H2OForest.of(mojo).isPresent();
  }

  /** A scorer that sums the flat trees wherever they exist, even where RowScorer keeps score0. */
  public static RowScorer flatScorer(MojoModel mojo, FeatureBinding binding) {
    return new RowScorer(mojo, binding, true);
  }

  public static long defaultBudget() {
    return ShapTables.DEFAULT_BUDGET;
  }

  public static int maxTableDepth() {
    return ShapTables.MAX_TABLE_DEPTH;
  }

  public int trees() {
    return forest.numTrees();
  }

  public int tabledTrees() {
    return tables.tabledTrees();
  }

  public long tableEntries() {
    return tables.entries();
  }

  public double bias() {
    return shap.bias();
  }

  /** Contributions through the tables where a tree has them (as {@link RowContributions} computes them). */
  public double[] shap(double[] x, int features) {
    double[] phi = new double[features];
    shap.shap(x, phi);
    return phi;
  }

  /** Contributions through the recursion alone. */
  public double[] shapByRecursion(double[] x, int features) {
    double[] phi = new double[features];
    shap.shapByRecursion(x, phi);
    return phi;
  }
}
