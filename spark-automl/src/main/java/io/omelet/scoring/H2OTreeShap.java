package io.omelet.scoring;

import hex.genmodel.algos.tree.SharedTreeMojoModel;
import hex.genmodel.algos.tree.SharedTreeNode;
import hex.genmodel.algos.tree.SharedTreeSubgraph;
import java.util.List;

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion and Lee 2018, algorithm 2) over the trees of an
 * H2O GBM or DRF MOJO, in double precision. h2o-genmodel's own TreeSHAP works in float32, which
 * leaves its contributions up to ~1e-4 (relative) away from the model's output; the trees' leaf
 * values are float32 but the model adds them up in double, and so does this: base + sum(phi) equals
 * the model's raw output to double rounding. Splits are decided by h2o-genmodel's own node logic
 * ({@link SharedTreeNode#next}: thresholds, categorical bitsets, NA directions), so the path a row
 * takes is the one the model scores.
 *
 * <p>Not thread-safe: one per thread (it owns its path buffers); the flattened trees could be
 * shared but are small next to the MOJO.
 */
final class H2OTreeShap {
  private final int[] treeRoot;
  private final int[] treeOffset;
  private final int[] feature;
  private final int[] left;
  private final int[] right;
  private final double[] value;
  private final double[] cover;
  private final SharedTreeNode[] split;
  private final double scale;
  private final double bias;
  private final int[] pathFeature;
  private final double[] pathZero;
  private final double[] pathOne;
  private final double[] pathWeight;

  /**
   * The explained output is {@code offset + scale * sum(trees)}: e.g. offset init_f and scale 1 for
   * a GBM's link-scale output, offset 1 and scale -1/ntrees for a binomial DRF's second-class
   * probability (its trees vote for the first class).
   */
  H2OTreeShap(SharedTreeMojoModel model, double offset, double scale) {
    List<SharedTreeSubgraph> trees = model.computeGraph(-1).subgraphArray;
    int total = 0;
    for (SharedTreeSubgraph t : trees) total += t.getNodes().length;
    treeRoot = new int[trees.size()];
    treeOffset = new int[trees.size()];
    feature = new int[total];
    left = new int[total];
    right = new int[total];
    value = new double[total];
    cover = new double[total];
    split = new SharedTreeNode[total];
    int at = 0;
    int maxDepth = 0;
    for (int t = 0; t < trees.size(); t++) {
      SharedTreeNode[] nodes = trees.get(t).getNodes();
      treeOffset[t] = at;
      treeRoot[t] = at; // h2o-genmodel's TreeSHAP starts at node 0 of each tree too
      for (int i = 0; i < nodes.length; i++) {
        SharedTreeNode n = nodes[i];
        int g = at + i;
        if (n == null) {
          feature[g] = -1;
          continue;
        }
        cover[g] = n.getWeight();
        maxDepth = Math.max(maxDepth, n.getDepth());
        if (n.isLeaf()) {
          feature[g] = -1;
          value[g] = n.getLeafValue();
        } else {
          feature[g] = n.getColId();
          left[g] = at + n.getLeftChildIndex();
          right[g] = at + n.getRightChildIndex();
          split[g] = n;
        }
      }
      at += nodes.length;
    }
    this.scale = scale;
    double expected = 0;
    for (int t = 0; t < trees.size(); t++) expected += expectedValue(treeRoot[t]);
    this.bias = offset + scale * expected;
    int d = maxDepth + 3;
    int size = d * (d + 1) / 2 + d;
    pathFeature = new int[size];
    pathZero = new double[size];
    pathOne = new double[size];
    pathWeight = new double[size];
  }

  /** The base value: the explained output when no feature is known. */
  double bias() {
    return bias;
  }

  /** Adds each feature's contribution for row {@code x} (the model's row array) to {@code phi}. */
  void shap(double[] x, double[] phi) {
    for (int t = 0; t < treeRoot.length; t++) recurse(t, treeRoot[t], 0, 0, 1.0, 1.0, -1, x, phi);
  }

  private double fraction(int child, int parent) {
    double c = cover[parent];
    return c > 0 ? cover[child] / c : 0.5;
  }

  // With the same fractions as the recursion below, so that base + sum(phi) = output exactly.
  private double expectedValue(int node) {
    if (feature[node] < 0) return value[node];
    return fraction(left[node], node) * expectedValue(left[node])
        + fraction(right[node], node) * expectedValue(right[node]);
  }

  private void recurse(int tree, int node, int parentOff, int parentLen, double zeroFraction, double oneFraction,
      int featureIndex, double[] x, double[] phi) {
    int off = parentOff + parentLen;
    if (parentLen > 0) {
      System.arraycopy(pathFeature, parentOff, pathFeature, off, parentLen);
      System.arraycopy(pathZero, parentOff, pathZero, off, parentLen);
      System.arraycopy(pathOne, parentOff, pathOne, off, parentLen);
      System.arraycopy(pathWeight, parentOff, pathWeight, off, parentLen);
    }
    extend(off, parentLen, zeroFraction, oneFraction, featureIndex);
    int last = parentLen;
    int f = feature[node];
    if (f < 0) {
      double v = value[node] * scale;
      for (int i = 1; i <= last; i++) {
        double w = unwoundSum(off, last, i);
        phi[pathFeature[off + i]] += w * (pathOne[off + i] - pathZero[off + i]) * v;
      }
      return;
    }
    int hot = treeOffset[tree] + split[node].next(x);
    int cold = hot == left[node] ? right[node] : left[node];
    double incomingZero = 1.0;
    double incomingOne = 1.0;
    // A feature split on twice along a path counts once: undo its earlier extension, carry its fractions.
    for (int k = 1; k <= last; k++) {
      if (pathFeature[off + k] == f) {
        incomingZero = pathZero[off + k];
        incomingOne = pathOne[off + k];
        unwind(off, last, k);
        last--;
        break;
      }
    }
    double hotFraction = fraction(hot, node);
    double coldFraction = fraction(cold, node);
    recurse(tree, hot, off, last + 1, incomingZero * hotFraction, incomingOne, f, x, phi);
    // A branch no training row and not x reaches adds nothing (and would divide by zero when unwound).
    if (incomingZero * coldFraction > 0) {
      recurse(tree, cold, off, last + 1, incomingZero * coldFraction, 0.0, f, x, phi);
    }
  }

  private void extend(int off, int len, double zero, double one, int feature) {
    pathFeature[off + len] = feature;
    pathZero[off + len] = zero;
    pathOne[off + len] = one;
    pathWeight[off + len] = len == 0 ? 1.0 : 0.0;
    double denom = len + 1;
    for (int i = len - 1; i >= 0; i--) {
      pathWeight[off + i + 1] += one * pathWeight[off + i] * (i + 1) / denom;
      pathWeight[off + i] = zero * pathWeight[off + i] * (len - i) / denom;
    }
  }

  private void unwind(int off, int last, int k) {
    double one = pathOne[off + k];
    double zero = pathZero[off + k];
    double next = pathWeight[off + last];
    double denom = last + 1;
    for (int j = last - 1; j >= 0; j--) {
      if (one != 0) {
        double saved = pathWeight[off + j];
        pathWeight[off + j] = next * denom / ((j + 1) * one);
        next = saved - pathWeight[off + j] * zero * (last - j) / denom;
      } else {
        pathWeight[off + j] = pathWeight[off + j] * denom / (zero * (last - j));
      }
    }
    for (int j = k; j < last; j++) {
      pathFeature[off + j] = pathFeature[off + j + 1];
      pathZero[off + j] = pathZero[off + j + 1];
      pathOne[off + j] = pathOne[off + j + 1];
    }
  }

  private double unwoundSum(int off, int last, int k) {
    double one = pathOne[off + k];
    double zero = pathZero[off + k];
    double next = pathWeight[off + last];
    double denom = last + 1;
    double total = 0;
    for (int j = last - 1; j >= 0; j--) {
      if (one != 0) {
        double w = next * denom / ((j + 1) * one);
        total += w;
        next = pathWeight[off + j] - w * zero * (last - j) / denom;
      } else {
        total += pathWeight[off + j] * denom / (zero * (last - j));
      }
    }
    return total;
  }
}
