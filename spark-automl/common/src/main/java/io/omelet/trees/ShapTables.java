package io.omelet.trees;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fast TreeSHAP v2 (Yang 2021) for a {@link FlatForest}: per tree, for each leaf and each set of its
 * path features that a row does not satisfy, the contributions path-dependent TreeSHAP gives that
 * leaf (weighted by its tree). A row then costs one walk over each tree instead of the O(depth^2)
 * recursion per leaf. Tables grow as 2^d per leaf: a tree with a leaf of more unique path features,
 * or one that no longer fits the budget, has no table and goes through the recursion. Read-only once
 * built: shared by every thread.
 */
public final class ShapTables {
  /** Trees with a leaf of more unique path features than this use the recursion. */
  public static final int MAX_TABLE_DEPTH = 12;
  /** At most this many table entries per forest (8 bytes each, 64 MiB), shared by the JVM's threads. */
  public static final long DEFAULT_BUDGET = 1L << 23;

  final double[][] table;
  /** Per leaf: where its block starts in its tree's table; its number of unique path features. */
  final int[] leafTableStart;
  final int[] leafWidth;
  /** Per leaf: where its unique path features (in bit order) start in {@link #leafFeatures}. */
  final int[] leafFeatureStart;
  final int[] leafFeatures;
  /** Per split: the bit of its feature among the unique features on the path from the root to it. */
  final int[] splitBit;
  private final FlatForest f;

  /**
   * budget: at most this many table entries (doubles) over all trees, 0 for the recursion only;
   * maxTableDepth: a tree with a leaf of more unique path features goes through the recursion.
   */
  public ShapTables(FlatForest forest, long budget, int maxTableDepth) {
    f = forest;
    int n = forest.numNodes();
    table = new double[forest.numTrees()][];
    leafTableStart = new int[n];
    leafWidth = new int[n];
    leafFeatureStart = new int[n];
    splitBit = new int[n];
    leafFeatures = build(budget, Math.min(maxTableDepth, MAX_TABLE_DEPTH));
  }

  /** Number of trees explained through tables. */
  public int tabledTrees() {
    int n = 0;
    for (double[] tab : table) if (tab != null) n++;
    return n;
  }

  /** Number of table entries over all trees. */
  public long entries() {
    long n = 0;
    for (double[] tab : table) if (tab != null) n += tab.length;
    return n;
  }

  long bytes() {
    return entries() * 8 + leafFeatures.length * 4L + leafTableStart.length * 16L;
  }

  private int[] build(long budget, int maxWidth) {
    int d = f.maxDepth + 3;
    double[] inverse = PathMath.inverses(d + 2);
    PathMath path = new PathMath(d);
    int[] features = new int[16];
    int featureCount = 0;
    long used = 0;
    for (int t = 0; t < f.treeRoot.length; t++) {
      List<Leaf> leaves = new ArrayList<>();
      if (!collectLeaves(f.treeRoot[t], new int[0], new double[0], new int[0], leaves, budget - used, maxWidth)) continue;
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
      double weight = f.treeWeight[t];
      for (Leaf leaf : leaves) {
        int w = leaf.bitFeature.length;
        leafTableStart[leaf.node] = at;
        leafWidth[leaf.node] = w;
        if (featureCount + w > features.length) features = Arrays.copyOf(features, 2 * features.length + w);
        leafFeatureStart[leaf.node] = featureCount;
        System.arraycopy(leaf.bitFeature, 0, features, featureCount, w);
        featureCount += w;
        fillLeaf(leaf, f.value[leaf.node] * weight, tab, at, path, inverse);
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
    if (f.kind[node] == FlatForest.LEAF) {
      double[] zero = new double[order.length];
      for (int i = 0; i < order.length; i++) zero[i] = bitZero[order[i]];
      out.add(new Leaf(node, bitFeature, order, zero));
      return out.size() <= budget;
    }
    int feat = f.feature[node];
    int bit = -1;
    for (int i = 0; i < bitFeature.length; i++) if (bitFeature[i] == feat) bit = i;
    int[] nextFeatures = bitFeature;
    int[] nextOrder;
    if (bit < 0) {
      bit = bitFeature.length;
      if (bit + 1 > maxWidth) return false;
      nextFeatures = Arrays.copyOf(bitFeature, bit + 1);
      nextFeatures[bit] = feat;
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
    leftZero[bit] = incoming * f.leftFraction[node];
    rightZero[bit] = incoming * f.rightFraction[node];
    return collectLeaves(f.left[node], nextFeatures, leftZero, nextOrder, out, budget, maxWidth)
        && collectLeaves(f.right[node], nextFeatures, rightZero, nextOrder, out, budget, maxWidth);
  }

  /** The recursion's arithmetic at this leaf, once for every set of unsatisfied features. */
  private static void fillLeaf(Leaf leaf, double v, double[] tab, int at, PathMath p, double[] inverse) {
    int w = leaf.bitFeature.length;
    for (int unsatisfied = 0; unsatisfied < (1 << w); unsatisfied++) {
      int base = at + unsatisfied * w;
      boolean unreachable = false;
      for (int i = 0; i < w; i++) {
        // A branch neither x nor any training row reaches: the recursion never enters it.
        if ((unsatisfied >> leaf.order[i] & 1) != 0 && leaf.zero[i] == 0) unreachable = true;
      }
      if (unreachable) continue; // stays 0
      p.extend(inverse, 0, 0, 1.0, 1.0, -1);
      for (int i = 0; i < w; i++) {
        double one = (unsatisfied >> leaf.order[i] & 1) != 0 ? 0.0 : 1.0;
        p.extend(inverse, 0, i + 1, leaf.zero[i], one, leaf.order[i]);
      }
      for (int i = 1; i <= w; i++) {
        double u = p.unwoundSum(inverse, 0, w, i);
        tab[base + p.feature[i]] = u * (p.one[i] - p.zero[i]) * v;
      }
    }
  }
}
