package io.omelet.trees;

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion and Lee 2018, algorithm 2) of one output of a
 * {@link FlatForest}, in double precision: through the forest's Fast TreeSHAP tables where a tree
 * has one ({@link ShapTables}), through the recursion where it has none. base + sum(phi) equals the
 * output ({@link FlatForest#output}) to double rounding; splits are the forest's own, so the path a
 * row takes is the one scoring takes.
 *
 * <p>Not thread-safe: one per thread (it owns its path buffers); the forest and tables are shared.
 */
public final class TreeShap {
  private final FlatForest f;
  private final ShapTables tables;
  private final int[] trees;
  private final double bias;
  private final double[] inverse;
  private final PathMath path;

  /** Explains {@code output} of {@code forest} with its default tables. */
  public TreeShap(FlatForest forest, int output) {
    this(forest, output, forest.tables());
  }

  public TreeShap(FlatForest forest, int output, ShapTables tables) {
    if (output < 0 || output >= forest.numOutputs()) {
      throw new IllegalArgumentException("output " + output + " out of range: the forest has " + forest.numOutputs());
    }
    this.f = forest;
    this.tables = tables;
    this.trees = forest.outputTrees[output];
    this.bias = forest.expectedValue(output);
    int d = forest.maxDepth + 3;
    inverse = PathMath.inverses(d + 2);
    path = new PathMath(d * (d + 1) / 2 + d);
  }

  /** The base value: the explained output when no feature is known. */
  public double bias() {
    return bias;
  }

  /** Adds each feature's contribution for row {@code x} to {@code phi} (one slot per feature). */
  public void shap(double[] x, double[] phi) {
    for (int t : trees) {
      double[] tab = tables.table[t];
      if (tab != null) walk(tab, f.treeRoot[t], 0, x, phi);
      else recurse(f.treeRoot[t], 0, 0, 1.0, 1.0, -1, x, phi, f.treeWeight[t]);
    }
  }

  /** The same as {@link #shap} through the recursion alone: the reference the tables must match. */
  public void shapByRecursion(double[] x, double[] phi) {
    for (int t : trees) recurse(f.treeRoot[t], 0, 0, 1.0, 1.0, -1, x, phi, f.treeWeight[t]);
  }

  // One pass over the tree, carrying which path features x has left the path on so far.
  private void walk(double[] tab, int node, int unsatisfied, double[] x, double[] phi) {
    while (f.kind[node] != FlatForest.LEAF) {
      int hot = f.next(node, x);
      int cold = hot == f.left[node] ? f.right[node] : f.left[node];
      walk(tab, cold, unsatisfied | (1 << tables.splitBit[node]), x, phi);
      node = hot;
    }
    int w = tables.leafWidth[node];
    int base = tables.leafTableStart[node] + unsatisfied * w;
    int features = tables.leafFeatureStart[node];
    int[] leafFeatures = tables.leafFeatures;
    for (int j = 0; j < w; j++) phi[leafFeatures[features + j]] += tab[base + j];
  }

  /**
   * One node. The parent's path is the {@code parentLen} elements at {@code parentOff}; this node
   * copies it to the slice just after it (so siblings see the parent's path unchanged) and extends it
   * with the feature that led here.
   */
  private void recurse(int node, int parentOff, int parentLen, double zeroFraction, double oneFraction,
      int featureIndex, double[] x, double[] phi, double treeWeight) {
    int off = parentOff + parentLen;
    if (parentLen > 0) path.copy(parentOff, off, parentLen);
    path.extend(inverse, off, parentLen, zeroFraction, oneFraction, featureIndex);
    int last = parentLen;
    if (f.kind[node] == FlatForest.LEAF) {
      double v = f.value[node] * treeWeight;
      for (int i = 1; i <= last; i++) {
        double w = path.unwoundSum(inverse, off, last, i);
        phi[path.feature[off + i]] += w * (path.one[off + i] - path.zero[off + i]) * v;
      }
      return;
    }
    int feat = f.feature[node];
    int hot = f.next(node, x);
    boolean hotLeft = hot == f.left[node];
    int cold = hotLeft ? f.right[node] : f.left[node];
    double incomingZero = 1.0;
    double incomingOne = 1.0;
    // A feature split on twice along a path counts once: undo its earlier extension, carry its fractions.
    for (int k = 1; k <= last; k++) {
      if (path.feature[off + k] == feat) {
        incomingZero = path.zero[off + k];
        incomingOne = path.one[off + k];
        path.unwind(inverse, off, last, k);
        last--;
        break;
      }
    }
    double hotFraction = hotLeft ? f.leftFraction[node] : f.rightFraction[node];
    double coldFraction = hotLeft ? f.rightFraction[node] : f.leftFraction[node];
    recurse(hot, off, last + 1, incomingZero * hotFraction, incomingOne, feat, x, phi, treeWeight);
    // A branch no training row and not x reaches adds nothing (and would divide by zero when unwound).
    if (incomingZero * coldFraction > 0) {
      recurse(cold, off, last + 1, incomingZero * coldFraction, 0.0, feat, x, phi, treeWeight);
    }
  }
}
