package io.omelet.explain;

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion and Lee 2018, "Consistent individualized feature
 * attribution for tree ensembles", algorithm 2) over a {@link TreeEnsemble}: polynomial time,
 * O(trees x leaves x depth^2) per row.
 *
 * <p>While descending a tree, it keeps the unique features met on the path with, for each, the
 * fraction of training cover that flows through ("zero fraction", feature unknown) and whether x
 * itself follows the path ("one fraction"), plus the permutation weights of every subset size. At a
 * leaf, each path feature's contribution is the weight unwound for that feature times the leaf value.
 *
 * <p>Not thread safe: one instance per thread (it owns its path buffers).
 */
public final class TreeShap {
  private final TreeEnsemble e;
  private final int[] pathFeature;
  private final double[] pathZero;
  private final double[] pathOne;
  private final double[] pathWeight;

  public TreeShap(TreeEnsemble ensemble) {
    this.e = ensemble;
    int d = ensemble.maxDepth + 3;
    int size = d * (d + 1) / 2 + d;
    pathFeature = new int[size];
    pathZero = new double[size];
    pathOne = new double[size];
    pathWeight = new double[size];
  }

  /** Adds the SHAP value of every slot of {@code x} to {@code phi} (length numSlots). */
  public void shap(double[] x, double[] phi) {
    for (int t = 0; t < e.treeRoot.length; t++) {
      recurse(e.treeRoot[t], 0, 0, 1.0, 1.0, -1, x, phi, e.treeWeight[t]);
    }
  }

  /**
   * One node. The parent's path is the {@code parentLen} elements at {@code parentOff}; this node
   * copies it to the slice just after it (so siblings see the parent's path unchanged) and extends it
   * with the feature that led here.
   */
  private void recurse(int node, int parentOff, int parentLen, double zeroFraction, double oneFraction,
      int featureIndex, double[] x, double[] phi, double treeWeight) {
    int off = parentOff + parentLen;
    if (parentLen > 0) {
      System.arraycopy(pathFeature, parentOff, pathFeature, off, parentLen);
      System.arraycopy(pathZero, parentOff, pathZero, off, parentLen);
      System.arraycopy(pathOne, parentOff, pathOne, off, parentLen);
      System.arraycopy(pathWeight, parentOff, pathWeight, off, parentLen);
    }
    extend(off, parentLen, zeroFraction, oneFraction, featureIndex);
    int last = parentLen; // index of the last path element

    int split = e.feature[node];
    if (split < 0) {
      double v = e.value[node] * treeWeight;
      for (int i = 1; i <= last; i++) {
        double w = unwoundSum(off, last, i);
        phi[pathFeature[off + i]] += w * (pathOne[off + i] - pathZero[off + i]) * v;
      }
      return;
    }

    int hot = e.goesLeft(node, x) ? e.left[node] : e.right[node];
    int cold = hot == e.left[node] ? e.right[node] : e.left[node];
    double incomingZero = 1.0;
    double incomingOne = 1.0;
    // A feature split on twice along a path counts once: undo its earlier extension, carry its fractions.
    for (int k = 1; k <= last; k++) {
      if (pathFeature[off + k] == split) {
        incomingZero = pathZero[off + k];
        incomingOne = pathOne[off + k];
        unwind(off, last, k);
        last--;
        break;
      }
    }
    double c = e.cover[node];
    double hotFraction = c > 0 ? e.cover[hot] / c : 0.5;
    double coldFraction = c > 0 ? e.cover[cold] / c : 0.5;
    recurse(hot, off, last + 1, incomingZero * hotFraction, incomingOne, split, x, phi, treeWeight);
    // A branch no training row and not x reaches adds nothing (and would divide by zero when unwound).
    if (incomingZero * coldFraction > 0) {
      recurse(cold, off, last + 1, incomingZero * coldFraction, 0.0, split, x, phi, treeWeight);
    }
  }

  /** Appends element {@code len} and updates the subset-size weights. */
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

  /** Inverse of extend for element {@code k}; {@code last} is the last index before removal. */
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

  /** Total weight the path would have after unwinding element {@code k}, without changing it. */
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
