package io.omelet.scoring;

import hex.genmodel.algos.gbm.GbmMojoModel;
import hex.genmodel.algos.tree.SharedTreeMojoModel;

/**
 * Test access to the package-private {@link H2OTreeShap}: the same trees explained through the Fast TreeSHAP
 * tables and through the recursion, so a test can hold one against the other.
 */
public final class TreeShapProbe {
  private final H2OTreeShap shap;
  private final int trees;

  /** A GBM's link-scale output or a binomial DRF's second-class probability, as {@link RowContributions} uses. */
  public TreeShapProbe(MojoModel mojo, long tableBudget, int maxTableDepth) {
    SharedTreeMojoModel model = (SharedTreeMojoModel) mojo.contributionsModel();
    H2OTreeShap.Trees t = model instanceof GbmMojoModel gbm
        ? new H2OTreeShap.Trees(gbm, gbm.getInitF(), 1.0, tableBudget, maxTableDepth)
        : new H2OTreeShap.Trees(model, 1.0, -1.0, tableBudget, maxTableDepth);
    shap = new H2OTreeShap(t);
    trees = t.treeRoot.length;
  }

  /** Whether RowScorer scores this MOJO through the flat trees of {@link GbmForest}. */
  public static boolean scoredByFlatForest(MojoModel mojo) {
    return GbmForest.of(mojo) != null;
  }

  public static long defaultBudget() {
    return H2OTreeShap.TABLE_BUDGET;
  }

  public static int maxTableDepth() {
    return H2OTreeShap.MAX_TABLE_DEPTH;
  }

  public int trees() {
    return trees;
  }

  public int tabledTrees() {
    return shap.tabledTrees();
  }

  public long tableEntries() {
    return shap.tableEntries();
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
