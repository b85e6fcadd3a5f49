package io.omelet.scoring;

import hex.genmodel.GenModel;
import hex.genmodel.algos.drf.DrfMojoModel;
import hex.genmodel.algos.gbm.GbmMojoModel;
import hex.genmodel.algos.tree.SharedTreeMojoModel;
import hex.genmodel.algos.tree.SharedTreeNode;
import hex.genmodel.algos.tree.SharedTreeSubgraph;
import io.omelet.trees.FlatForest;
import java.util.List;
import java.util.Optional;

/**
 * The {@link FlatForest} of an H2O GBM, DRF or XRT MOJO (regression, binomial, multinomial): the one
 * flat copy of its trees that both scoring ({@link RowScorer}) and TreeSHAP ({@link RowContributions})
 * use, built once per JVM per MOJO and kept in the {@link ModelCache}.
 *
 * <p>Trees are laid out in h2o-genmodel's scoring order (class by class, each class's trees in
 * iteration order) and add to output = class index, so summing them ({@link FlatForest#addLeaves})
 * reproduces h2o-genmodel's raw prediction array bit for bit; h2o-genmodel's own {@code unifyPreds}
 * then turns it into probabilities and the label. Splits are copied from h2o-genmodel's node logic:
 * thresholds and NA directions as stored, and each categorical split's routing of every level read
 * by asking the node itself ({@link SharedTreeNode#next}).
 *
 * <p>What each output explains (its offset and tree weights, for TreeSHAP): a GBM's link-scale
 * output (init_f + sum of trees) per class; a DRF's mean of trees, for a binomial DRF the second
 * class's probability (offset 1, weights -1/ntrees: its trees vote for the first class).
 */
final class H2OForest {
  private H2OForest() {}

  /** The flat forest of a GBM/DRF MOJO this class lays out exactly; empty for any other model. */
  static Optional<FlatForest> of(MojoModel mojo) {
    GenModel g = mojo.genModel();
    if (!(g instanceof GbmMojoModel || g instanceof DrfMojoModel) || g.requiresOffset()) return Optional.empty();
    return ModelCache.SHARED.get("forest:" + mojo.key(), () -> Optional.ofNullable(build((SharedTreeMojoModel) g,
        (SharedTreeMojoModel) mojo.readWithContributions())), f -> f.map(FlatForest::bytes).orElse(0L));
  }

  /** Null when the MOJO's trees are not all there as expected (then h2o-genmodel's score0 stays). */
  private static FlatForest build(SharedTreeMojoModel plain, SharedTreeMojoModel withTrees) {
    int groups = plain.getNTreeGroups();
    int perGroup = plain.getNTreesPerGroup();
    List<SharedTreeSubgraph> graphs;
    try {
      graphs = withTrees.computeGraph(-1).subgraphArray;
    } catch (RuntimeException e) {
      return null; // a tree h2o-genmodel cannot draw: keep its score0
    }
    if (graphs.size() != groups * perGroup) return null;
    int outputs = perGroup;
    double[] offset = new double[outputs];
    double weight = 1.0;
    boolean binomial = plain.isClassifier() && plain.getNumResponseClasses() == 2;
    if (plain instanceof GbmMojoModel gbm) {
      // binomial and regression: init_f + trees; multinomial: the trees alone (softmax inputs)
      if (perGroup == 1) offset[0] = gbm.getInitF();
    } else {
      weight = 1.0 / groups;
      if (binomial && perGroup == 1) {
        offset[0] = 1.0;
        weight = -weight;
      }
    }
    FlatForest.Builder b = new FlatForest.Builder();
    String[][] domains = plain.getDomainValues();
    double[] probe = new double[Math.max(plain.getNames().length, plain.nfeatures())];
    for (int c = 0; c < perGroup; c++) {
      for (int group = 0; group < groups; group++) {
        if (plain.treeBytes(group, c) == null) continue; // h2o-genmodel skips empty trees too
        SharedTreeNode[] nodes = graphs.get(group * perGroup + c).getNodes();
        int base = b.allocate(nodes.length);
        for (int i = 0; i < nodes.length; i++) {
          SharedTreeNode n = nodes[i];
          if (n == null) continue;
          if (n.isLeaf()) {
            b.leaf(base + i, n.getLeafValue(), n.getWeight());
            continue;
          }
          int col = n.getColId();
          int l = base + n.getLeftChildIndex();
          int r = base + n.getRightChildIndex();
          String[] domain = col < domains.length ? domains[col] : null;
          if (n.getDomainValues() != null || n.isBitset()) {
            int levels = domain != null ? domain.length : n.getDomainValues() != null ? n.getDomainValues().length : 0;
            boolean[] goesRight = new boolean[levels];
            for (int level = 0; level < levels; level++) {
              probe[col] = level;
              goesRight[level] = n.next(probe) == n.getRightChildIndex();
            }
            probe[col] = 0;
            b.categorical(base + i, col, goesRight, n.isLeftward(), !n.isBitset(), n.getSplitValue(), n.getWeight(), l, r);
          } else if (n.isNaVsRest()) {
            b.naVsRest(base + i, col, n.isLeftward(), n.getWeight(), l, r);
          } else {
            b.numeric(base + i, col, n.getSplitValue(), n.isLeftward(), n.getWeight(), l, r);
          }
        }
        b.tree(base, c, weight);
      }
    }
    return b.build(plain.nfeatures(), offset);
  }
}
