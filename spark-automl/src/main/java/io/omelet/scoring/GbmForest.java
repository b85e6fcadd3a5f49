package io.omelet.scoring;

import hex.genmodel.GenModel;
import hex.genmodel.algos.gbm.GbmMojoModel;
import hex.genmodel.algos.tree.SharedTreeNode;
import hex.genmodel.algos.tree.SharedTreeSubgraph;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A GBM's trees walked from flat arrays instead of h2o-genmodel's byte-coded trees (which wrap a
 * buffer per tree per row and decode each node as they go). Exact by construction: each split is
 * decided by h2o-genmodel's own {@link SharedTreeNode#next} (thresholds, categorical bitsets, NA
 * directions), the float leaf values are summed in h2o-genmodel's order into the same slot of the
 * prediction array, and h2o-genmodel's own {@code unifyPreds} turns the sum into probabilities and
 * the label. Built once per JVM per MOJO and shared read-only by every thread.
 *
 * <p>Only GBMs with one tree per iteration (regression, binomial without double trees); other
 * models keep h2o-genmodel's {@code score0}.
 */
final class GbmForest {
  private static final Map<String, GbmForest> SHARED = new ConcurrentHashMap<>();

  private final GbmMojoModel model;
  private final int[] treeOffset;
  private final SharedTreeNode[] split;
  private final boolean[] leaf;
  private final double[] value;
  /** The prediction slot the trees add to: 0 for regression, 1 for a binomial model. */
  private final int slot;

  private GbmForest(GbmMojoModel model, List<SharedTreeSubgraph> trees, int slot) {
    this.model = model;
    this.slot = slot;
    int total = 0;
    for (SharedTreeSubgraph t : trees) total += t.getNodes().length;
    treeOffset = new int[trees.size()];
    split = new SharedTreeNode[total];
    leaf = new boolean[total];
    value = new double[total];
    int at = 0;
    for (int t = 0; t < trees.size(); t++) {
      SharedTreeNode[] nodes = trees.get(t).getNodes();
      treeOffset[t] = at;
      for (int i = 0; i < nodes.length; i++) {
        SharedTreeNode n = nodes[i];
        if (n == null) continue;
        if (n.isLeaf()) {
          leaf[at + i] = true;
          value[at + i] = n.getLeafValue();
        } else {
          split[at + i] = n;
        }
      }
      at += nodes.length;
    }
  }

  /** The flat forest of a GBM MOJO this class can score exactly; null for any other model. */
  static GbmForest of(MojoModel mojo) {
    GenModel g = mojo.genModel();
    if (!(g instanceof GbmMojoModel gbm) || gbm.getNTreesPerGroup() != 1 || gbm.requiresOffset()) return null;
    int classes = gbm.isClassifier() ? gbm.getNumResponseClasses() : 1;
    if (classes > 2) return null;
    return SHARED.computeIfAbsent(mojo.key(), k -> {
      GbmMojoModel withTrees = (GbmMojoModel) mojo.contributionsModel();
      List<SharedTreeSubgraph> trees = withTrees.computeGraph(-1).subgraphArray;
      // Every tree must be there, in scoring order, or h2o-genmodel's score0 stays.
      if (trees.size() != gbm.getNTreeGroups()) return null;
      return new GbmForest(gbm, trees, classes == 1 ? 0 : 1);
    });
  }

  /** h2o-genmodel's score0(row, preds), computed from the flat trees. */
  double[] score0(double[] row, double[] preds) {
    java.util.Arrays.fill(preds, 0.0);
    double sum = 0.0;
    for (int t = 0; t < treeOffset.length; t++) {
      int base = treeOffset[t];
      int g = base;
      while (!leaf[g]) g = base + split[g].next(row);
      sum += value[g];
    }
    preds[slot] = sum;
    return model.unifyPreds(row, 0.0, preds);
  }
}
