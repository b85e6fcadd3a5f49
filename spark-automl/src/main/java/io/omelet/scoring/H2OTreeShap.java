package io.omelet.scoring;

import hex.genmodel.algos.tree.SharedTreeMojoModel;
import hex.genmodel.algos.tree.SharedTreeNode;
import hex.genmodel.algos.tree.SharedTreeSubgraph;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Not thread-safe: one per thread (it owns its path buffers); the flattened {@link Trees} are
 * shared.
 */
final class H2OTreeShap {
  /** Tables grow as 2^d per leaf: trees with a leaf of more unique path features use the recursion. */
  static final int MAX_TABLE_DEPTH = 12;
  /** At most this many table entries per model (8 bytes each, 64 MiB), shared by the JVM's threads. */
  static final long TABLE_BUDGET = 1L << 23;

  /** The flattened trees, read-only once built: shared by every thread of a JVM. */
  static final class Trees {
    final int[] treeRoot;
    final int[] treeOffset;
    final int[] feature;
    final int[] left;
    final int[] right;
    final double[] value;
    /** Share of a node's training cover that goes left / right (0.5 each where the node has none). */
    final double[] leftFraction;
    final double[] rightFraction;
    final SharedTreeNode[] split;
    final double scale;
    final double bias;
    final int maxDepth;
    /**
     * Fast TreeSHAP v2 (Yang 2021): per tree, for each leaf and each set of its path features that a row
     * does not satisfy, the contributions path-dependent TreeSHAP gives that leaf. Null for a tree whose
     * tables would be too large: that tree goes through the recursion.
     */
    final double[][] table;
    /** Per leaf: where its block starts in its tree's table; its number of unique path features. */
    final int[] leafTableStart;
    final int[] leafWidth;
    /** Per leaf: where its unique path features (in bit order) start in {@link #leafFeatures}. */
    final int[] leafFeatureStart;
    final int[] leafFeatures;
    /** Per split: the bit of its feature among the unique features on the path from the root to it. */
    final int[] splitBit;

    /**
     * The explained output is {@code offset + scale * sum(trees)}: offset init_f and scale 1 for a GBM's
     * link-scale output. A DRF averages its trees, so its scale is divided by their number here: a binomial
     * DRF's second-class probability is offset 1, scale -1 (its trees vote for the first class).
     */
    Trees(SharedTreeMojoModel model, double offset, double scalePerTree) {
      this(model, offset, scalePerTree, TABLE_BUDGET, MAX_TABLE_DEPTH);
    }

    /**
     * tableBudget: at most this many table entries (doubles) over all trees, 0 for the recursion only;
     * maxTableDepth: a tree with a leaf of more unique path features goes through the recursion.
     */
    Trees(SharedTreeMojoModel model, double offset, double scalePerTree, long tableBudget, int maxTableDepth) {
      List<SharedTreeSubgraph> trees = model.computeGraph(-1).subgraphArray;
      boolean averaged = model instanceof hex.genmodel.algos.drf.DrfMojoModel;
      int total = 0;
      for (SharedTreeSubgraph t : trees) total += t.getNodes().length;
      treeRoot = new int[trees.size()];
      treeOffset = new int[trees.size()];
      feature = new int[total];
      left = new int[total];
      right = new int[total];
      value = new double[total];
      double[] cover = new double[total];
      split = new SharedTreeNode[total];
      int at = 0;
      int depth = 0;
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
          depth = Math.max(depth, n.getDepth());
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
      maxDepth = depth;
      leftFraction = new double[total];
      rightFraction = new double[total];
      for (int g = 0; g < total; g++) {
        if (feature[g] < 0) continue;
        double c = cover[g];
        leftFraction[g] = c > 0 ? cover[left[g]] / c : 0.5;
        rightFraction[g] = c > 0 ? cover[right[g]] / c : 0.5;
      }
      scale = averaged ? scalePerTree / trees.size() : scalePerTree;
      double expected = 0;
      for (int t = 0; t < trees.size(); t++) expected += expectedValue(treeRoot[t]);
      bias = offset + scale * expected;
      table = new double[trees.size()][];
      leafTableStart = new int[total];
      leafWidth = new int[total];
      leafFeatureStart = new int[total];
      splitBit = new int[total];
      leafFeatures = buildTables(tableBudget, Math.min(maxTableDepth, MAX_TABLE_DEPTH));
    }

    /** Fills the tables of every tree that fits the budget; returns the leaves' path features. */
    private int[] buildTables(long budget, int maxWidth) {
      int d = maxDepth + 3;
      double[] inverse = new double[d + 2];
      for (int k = 1; k < inverse.length; k++) inverse[k] = 1.0 / k;
      Path path = new Path(d);
      int[] features = new int[16];
      int featureCount = 0;
      long used = 0;
      for (int t = 0; t < treeRoot.length; t++) {
        List<Leaf> leaves = new ArrayList<>();
        if (!collectLeaves(treeRoot[t], new int[0], new double[0], new int[0], leaves, budget - used, maxWidth)) continue;
        long size = 0;
        int widest = 0;
        for (Leaf leaf : leaves) {
          widest = Math.max(widest, leaf.bitFeature.length);
          size += (long) leaf.bitFeature.length << leaf.bitFeature.length;
        }
        if (widest > maxWidth || used + size > budget || size > Integer.MAX_VALUE) continue;
        used += size;
        double[] tab = new double[(int) size];
        int at = 0;
        for (Leaf leaf : leaves) {
          int w = leaf.bitFeature.length;
          leafTableStart[leaf.node] = at;
          leafWidth[leaf.node] = w;
          if (featureCount + w > features.length) features = Arrays.copyOf(features, 2 * features.length + w);
          leafFeatureStart[leaf.node] = featureCount;
          System.arraycopy(leaf.bitFeature, 0, features, featureCount, w);
          featureCount += w;
          fillLeaf(leaf, tab, at, path, inverse);
          at += w << w;
        }
        table[t] = tab;
      }
      return Arrays.copyOf(features, featureCount);
    }

    /**
     * One leaf's unique path features: bitFeature in order of first appearance (the mask bits);
     * order/zero in the order the recursion holds them at the leaf (a feature split on again moves to
     * the end), zero being the product of its cover fractions along the path.
     */
    private record Leaf(int node, int[] bitFeature, int[] order, double[] zero) {}

    /** False (and stops) when the tree has a leaf too deep or more leaves than the budget has entries. */
    private boolean collectLeaves(int node, int[] bitFeature, double[] bitZero, int[] order, List<Leaf> out,
        long budget, int maxWidth) {
      int f = feature[node];
      if (f < 0) {
        double[] zero = new double[order.length];
        for (int i = 0; i < order.length; i++) zero[i] = bitZero[order[i]];
        out.add(new Leaf(node, bitFeature, order, zero));
        return out.size() <= budget;
      }
      int bit = -1;
      for (int i = 0; i < bitFeature.length; i++) if (bitFeature[i] == f) bit = i;
      int[] nextFeatures = bitFeature;
      int[] nextOrder;
      if (bit < 0) {
        bit = bitFeature.length;
        if (bit + 1 > maxWidth) return false;
        nextFeatures = Arrays.copyOf(bitFeature, bit + 1);
        nextFeatures[bit] = f;
        nextOrder = Arrays.copyOf(order, order.length + 1);
        nextOrder[order.length] = bit;
      } else {
        nextOrder = new int[order.length];
        int k = 0;
        for (int b : order) if (b != bit) nextOrder[k++] = b;
        nextOrder[k] = bit;
      }
      splitBit[node] = bit;
      double incoming = bit < bitZero.length ? bitZero[bit] : 1.0;
      double[] leftZero = Arrays.copyOf(bitZero, nextFeatures.length);
      double[] rightZero = Arrays.copyOf(bitZero, nextFeatures.length);
      leftZero[bit] = incoming * leftFraction[node];
      rightZero[bit] = incoming * rightFraction[node];
      return collectLeaves(left[node], nextFeatures, leftZero, nextOrder, out, budget, maxWidth)
          && collectLeaves(right[node], nextFeatures, rightZero, nextOrder, out, budget, maxWidth);
    }

    /** The recursion's arithmetic at this leaf, once for every set of unsatisfied features. */
    private void fillLeaf(Leaf leaf, double[] tab, int at, Path p, double[] inverse) {
      int w = leaf.bitFeature.length;
      double v = value[leaf.node] * scale;
      for (int unsatisfied = 0; unsatisfied < (1 << w); unsatisfied++) {
        int base = at + unsatisfied * w;
        boolean unreachable = false;
        for (int i = 0; i < w; i++) {
          // A branch neither x nor any training row reaches: the recursion never enters it.
          if ((unsatisfied >> leaf.order[i] & 1) != 0 && leaf.zero[i] == 0) unreachable = true;
        }
        if (unreachable) continue; // stays 0
        extend(p.feature, p.zero, p.one, p.weight, inverse, 0, 0, 1.0, 1.0, -1);
        for (int i = 0; i < w; i++) {
          double one = (unsatisfied >> leaf.order[i] & 1) != 0 ? 0.0 : 1.0;
          extend(p.feature, p.zero, p.one, p.weight, inverse, 0, i + 1, leaf.zero[i], one, leaf.order[i]);
        }
        for (int i = 1; i <= w; i++) {
          double u = unwoundSum(p.zero, p.one, p.weight, inverse, 0, w, i);
          tab[base + p.feature[i]] = u * (p.one[i] - p.zero[i]) * v;
        }
      }
    }

    private static final class Path {
      final int[] feature;
      final double[] zero;
      final double[] one;
      final double[] weight;

      Path(int size) {
        feature = new int[size];
        zero = new double[size];
        one = new double[size];
        weight = new double[size];
      }
    }

    // With the same fractions as the recursion below, so that base + sum(phi) = output exactly.
    private double expectedValue(int node) {
      if (feature[node] < 0) return value[node];
      return leftFraction[node] * expectedValue(left[node]) + rightFraction[node] * expectedValue(right[node]);
    }
  }

  private final Trees t;
  private final int[] treeOffset;
  private final int[] feature;
  private final int[] left;
  private final int[] right;
  private final double[] value;
  private final double[] leftFraction;
  private final double[] rightFraction;
  private final SharedTreeNode[] split;
  private final double scale;
  private final double[][] table;
  private final int[] leafTableStart;
  private final int[] leafWidth;
  private final int[] leafFeatureStart;
  private final int[] leafFeatures;
  private final int[] splitBit;
  /** inverse[k] = 1 / k: the path updates multiply instead of dividing. */
  private final double[] inverse;
  private final int[] pathFeature;
  private final double[] pathZero;
  private final double[] pathOne;
  private final double[] pathWeight;

  H2OTreeShap(Trees trees) {
    t = trees;
    treeOffset = trees.treeOffset;
    feature = trees.feature;
    left = trees.left;
    right = trees.right;
    value = trees.value;
    leftFraction = trees.leftFraction;
    rightFraction = trees.rightFraction;
    split = trees.split;
    scale = trees.scale;
    table = trees.table;
    leafTableStart = trees.leafTableStart;
    leafWidth = trees.leafWidth;
    leafFeatureStart = trees.leafFeatureStart;
    leafFeatures = trees.leafFeatures;
    splitBit = trees.splitBit;
    int d = trees.maxDepth + 3;
    inverse = new double[d + 2];
    for (int k = 1; k < inverse.length; k++) inverse[k] = 1.0 / k;
    int size = d * (d + 1) / 2 + d;
    pathFeature = new int[size];
    pathZero = new double[size];
    pathOne = new double[size];
    pathWeight = new double[size];
  }

  /** The base value: the explained output when no feature is known. */
  double bias() {
    return t.bias;
  }

  /** Adds each feature's contribution for row {@code x} (the model's row array) to {@code phi}. */
  void shap(double[] x, double[] phi) {
    int[] roots = t.treeRoot;
    for (int i = 0; i < roots.length; i++) {
      double[] tab = table[i];
      if (tab != null) walk(tab, treeOffset[i], roots[i], 0, x, phi);
      else recurse(i, roots[i], 0, 0, 1.0, 1.0, -1, x, phi);
    }
  }

  /** The same as {@link #shap} through the recursion alone (no tables): the reference the tables must match. */
  void shapByRecursion(double[] x, double[] phi) {
    int[] roots = t.treeRoot;
    for (int i = 0; i < roots.length; i++) recurse(i, roots[i], 0, 0, 1.0, 1.0, -1, x, phi);
  }

  /** Number of trees explained through tables. */
  int tabledTrees() {
    int n = 0;
    for (double[] tab : table) if (tab != null) n++;
    return n;
  }

  /** Number of table entries over all trees. */
  long tableEntries() {
    long n = 0;
    for (double[] tab : table) if (tab != null) n += tab.length;
    return n;
  }

  // One pass over the tree, carrying which path features x has left the path on so far.
  private void walk(double[] tab, int treeStart, int node, int unsatisfied, double[] x, double[] phi) {
    while (feature[node] >= 0) {
      int hot = treeStart + split[node].next(x);
      int cold = hot == left[node] ? right[node] : left[node];
      walk(tab, treeStart, cold, unsatisfied | (1 << splitBit[node]), x, phi);
      node = hot;
    }
    int w = leafWidth[node];
    int base = leafTableStart[node] + unsatisfied * w;
    int features = leafFeatureStart[node];
    for (int j = 0; j < w; j++) phi[leafFeatures[features + j]] += tab[base + j];
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
    boolean hotLeft = hot == left[node];
    int cold = hotLeft ? right[node] : left[node];
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
    double hotFraction = hotLeft ? leftFraction[node] : rightFraction[node];
    double coldFraction = hotLeft ? rightFraction[node] : leftFraction[node];
    recurse(tree, hot, off, last + 1, incomingZero * hotFraction, incomingOne, f, x, phi);
    // A branch no training row and not x reaches adds nothing (and would divide by zero when unwound).
    if (incomingZero * coldFraction > 0) {
      recurse(tree, cold, off, last + 1, incomingZero * coldFraction, 0.0, f, x, phi);
    }
  }

  private void extend(int off, int len, double zero, double one, int feature) {
    extend(pathFeature, pathZero, pathOne, pathWeight, inverse, off, len, zero, one, feature);
  }

  private static void extend(int[] pathFeature, double[] pathZero, double[] pathOne, double[] pathWeight,
      double[] inverse, int off, int len, double zero, double one, int feature) {
    pathFeature[off + len] = feature;
    pathZero[off + len] = zero;
    pathOne[off + len] = one;
    pathWeight[off + len] = len == 0 ? 1.0 : 0.0;
    double inv = inverse[len + 1];
    double oneInv = one * inv;
    double zeroInv = zero * inv;
    for (int i = len - 1; i >= 0; i--) {
      double w = pathWeight[off + i];
      pathWeight[off + i + 1] += oneInv * w * (i + 1);
      pathWeight[off + i] = zeroInv * w * (len - i);
    }
  }

  private void unwind(int off, int last, int k) {
    double one = pathOne[off + k];
    double zero = pathZero[off + k];
    double next = pathWeight[off + last];
    double denom = last + 1;
    double invDenom = inverse[last + 1];
    if (one != 0) {
      double denomOverOne = denom / one;
      double zeroInv = zero * invDenom;
      for (int j = last - 1; j >= 0; j--) {
        double saved = pathWeight[off + j];
        double w = next * denomOverOne * inverse[j + 1];
        pathWeight[off + j] = w;
        next = saved - w * zeroInv * (last - j);
      }
    } else {
      double denomOverZero = denom / zero;
      for (int j = last - 1; j >= 0; j--) pathWeight[off + j] *= denomOverZero * inverse[last - j];
    }
    for (int j = k; j < last; j++) {
      pathFeature[off + j] = pathFeature[off + j + 1];
      pathZero[off + j] = pathZero[off + j + 1];
      pathOne[off + j] = pathOne[off + j + 1];
    }
  }

  private double unwoundSum(int off, int last, int k) {
    return unwoundSum(pathZero, pathOne, pathWeight, inverse, off, last, k);
  }

  private static double unwoundSum(double[] pathZero, double[] pathOne, double[] pathWeight, double[] inverse,
      int off, int last, int k) {
    double one = pathOne[off + k];
    double zero = pathZero[off + k];
    double next = pathWeight[off + last];
    double denom = last + 1;
    double total = 0;
    if (one != 0) {
      double denomOverOne = denom / one;
      double zeroInv = zero * inverse[last + 1];
      for (int j = last - 1; j >= 0; j--) {
        double w = next * denomOverOne * inverse[j + 1];
        total += w;
        next = pathWeight[off + j] - w * zeroInv * (last - j);
      }
    } else {
      double denomOverZero = denom / zero;
      for (int j = last - 1; j >= 0; j--) total += pathWeight[off + j] * inverse[last - j];
      total *= denomOverZero;
    }
    return total;
  }
}
