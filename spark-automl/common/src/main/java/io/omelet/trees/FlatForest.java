package io.omelet.trees;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The trees of an ensemble (H2O GBM, DRF and XRT; Spark ML GBT, random forest, decision tree) as
 * flat primitive arrays, one node per index, every tree concatenated: what scoring walks and what
 * {@link TreeShap} explains, built once per model. No object per node, no decoding while walking.
 *
 * <p>Each tree adds its leaf value to one <em>output</em> (a class of a multinomial model; output 0
 * otherwise). Scoring ({@link #addLeaves}) sums raw leaf values per output in tree order, which is
 * the order h2o-genmodel sums them, so the result is bit for bit h2o-genmodel's. The explained
 * value of an output is {@code outputOffset + sum(treeWeight * leaf)} (e.g. init_f and 1 for a
 * GBM's link-scale output; 0 and 1/ntrees for a DRF's mean).
 *
 * <p>A split sends a row right when: NaN: {@code naLeft} says; numeric: {@code x >= threshold}; NA
 * vs rest: a number goes left; categorical: the level's entry of its routing table (levels outside
 * the table go the NA way, except below 0 for a categorical split by threshold, which compares).
 * Categorical values are level indices, truncated to int as h2o-genmodel does.
 */
public final class FlatForest implements Serializable {
  private static final long serialVersionUID = 1L;

  static final byte LEAF = 0;
  static final byte NUMERIC = 1;
  static final byte NA_VS_REST = 2;
  static final byte CATEGORICAL = 3;
  /** Categorical levels in a routing table, and below 0 compared with the threshold. */
  static final byte CATEGORICAL_THRESHOLD = 4;

  final int numFeatures;
  final int numOutputs;
  final double[] outputOffset;
  final int[] treeRoot;
  final int[] treeOutput;
  final double[] treeWeight;
  /** Per output, its trees in scoring order. */
  final int[][] outputTrees;
  final byte[] kind;
  final int[] feature;
  final int[] left;
  final int[] right;
  final double[] value;
  final double[] threshold;
  final boolean[] naLeft;
  final int[] catStart;
  final int[] catLen;
  final boolean[] catRight;
  /** Share of a node's training cover that goes left / right (0.5 each where it has none). */
  final double[] leftFraction;
  final double[] rightFraction;
  final int maxDepth;
  private transient volatile ShapTables tables;

  private FlatForest(Builder b, int numFeatures, double[] outputOffset) {
    this.numFeatures = numFeatures;
    this.numOutputs = outputOffset.length;
    this.outputOffset = outputOffset.clone();
    int trees = b.trees;
    treeRoot = Arrays.copyOf(b.treeRoot, trees);
    treeOutput = Arrays.copyOf(b.treeOutput, trees);
    treeWeight = Arrays.copyOf(b.treeWeight, trees);
    int n = b.nodes;
    kind = Arrays.copyOf(b.kind, n);
    feature = Arrays.copyOf(b.feature, n);
    left = Arrays.copyOf(b.left, n);
    right = Arrays.copyOf(b.right, n);
    value = Arrays.copyOf(b.value, n);
    threshold = Arrays.copyOf(b.threshold, n);
    naLeft = Arrays.copyOf(b.naLeft, n);
    catStart = Arrays.copyOf(b.catStart, n);
    catLen = Arrays.copyOf(b.catLen, n);
    catRight = Arrays.copyOf(b.cats, b.catCount);
    leftFraction = new double[n];
    rightFraction = new double[n];
    for (int i = 0; i < n; i++) {
      if (kind[i] == LEAF) continue;
      double c = b.cover[i];
      leftFraction[i] = c > 0 ? b.cover[left[i]] / c : 0.5;
      rightFraction[i] = c > 0 ? b.cover[right[i]] / c : 0.5;
    }
    List<List<Integer>> perOutput = new ArrayList<>();
    for (int o = 0; o < numOutputs; o++) perOutput.add(new ArrayList<>());
    for (int t = 0; t < trees; t++) {
      if (treeOutput[t] < 0 || treeOutput[t] >= numOutputs) {
        throw new IllegalArgumentException("tree " + t + " adds to output " + treeOutput[t] + " of " + numOutputs);
      }
      perOutput.get(treeOutput[t]).add(t);
    }
    outputTrees = new int[numOutputs][];
    for (int o = 0; o < numOutputs; o++) outputTrees[o] = perOutput.get(o).stream().mapToInt(Integer::intValue).toArray();
    int depth = 0;
    for (int t = 0; t < trees; t++) depth = Math.max(depth, depth(treeRoot[t]));
    maxDepth = depth;
  }

  private int depth(int node) {
    if (kind[node] == LEAF) return 0;
    return 1 + Math.max(depth(left[node]), depth(right[node]));
  }

  public int numTrees() {
    return treeRoot.length;
  }

  public int numOutputs() {
    return numOutputs;
  }

  public int numFeatures() {
    return numFeatures;
  }

  public int numNodes() {
    return kind.length;
  }

  public int maxDepth() {
    return maxDepth;
  }

  /** Bytes the arrays take (for a cache's size bound); the SHAP tables, once built, are added. */
  public long bytes() {
    long n = kind.length;
    long b = n * (1 + 4 * 5 + 8 * 4 + 1) + catRight.length + treeRoot.length * 16L;
    ShapTables t = tables;
    return t == null ? b : b + t.bytes();
  }

  // Read access node by node (for tests, printing, tools); the hot loops read the arrays.

  public int treeRoot(int t) {
    return treeRoot[t];
  }

  public double treeWeight(int t) {
    return treeWeight[t];
  }

  public int treeOutput(int t) {
    return treeOutput[t];
  }

  public boolean isLeaf(int node) {
    return kind[node] == LEAF;
  }

  public boolean isCategorical(int node) {
    return kind[node] == CATEGORICAL || kind[node] == CATEGORICAL_THRESHOLD;
  }

  public int feature(int node) {
    return feature[node];
  }

  public int left(int node) {
    return left[node];
  }

  public int right(int node) {
    return right[node];
  }

  public double value(int node) {
    return value[node];
  }

  public double leftFraction(int node) {
    return leftFraction[node];
  }

  public double rightFraction(int node) {
    return rightFraction[node];
  }

  /** The child of split {@code node} that row {@code x} goes to. */
  public int next(int node, double[] x) {
    double d = x[feature[node]];
    if (d != d) return naLeft[node] ? left[node] : right[node];
    switch (kind[node]) {
      case NUMERIC:
        return d >= threshold[node] ? right[node] : left[node];
      case NA_VS_REST:
        return left[node];
      default: {
        int level = (int) d;
        if (level >= 0 && level < catLen[node]) return catRight[catStart[node] + level] ? right[node] : left[node];
        if (level < 0 && kind[node] == CATEGORICAL_THRESHOLD) return d >= threshold[node] ? right[node] : left[node];
        return naLeft[node] ? left[node] : right[node];
      }
    }
  }

  /** The leaf row {@code x} reaches in tree {@code t}. */
  public int leaf(int t, double[] x) {
    int n = treeRoot[t];
    while (kind[n] != LEAF) n = next(n, x);
    return n;
  }

  /**
   * Adds every tree's raw leaf value to {@code sums[base + its output]}, tree by tree in order (so the
   * floating-point sums are h2o-genmodel's).
   */
  public void addLeaves(double[] x, double[] sums, int base) {
    for (int t = 0; t < treeRoot.length; t++) sums[base + treeOutput[t]] += value[leaf(t, x)];
  }

  /** The explained value of {@code output} for row {@code x}: offset + sum of weighted leaves. */
  public double output(int output, double[] x) {
    double sum = 0;
    for (int t : outputTrees[output]) sum += treeWeight[t] * value[leaf(t, x)];
    return outputOffset[output] + sum;
  }

  /** The expected explained value of {@code output} under the training cover (TreeSHAP's base value). */
  public double expectedValue(int output) {
    double sum = 0;
    for (int t : outputTrees[output]) sum += treeWeight[t] * expected(treeRoot[t]);
    return outputOffset[output] + sum;
  }

  // With the same fractions as TreeSHAP's recursion, so that base + sum(phi) = output to rounding.
  double expected(int node) {
    if (kind[node] == LEAF) return value[node];
    return leftFraction[node] * expected(left[node]) + rightFraction[node] * expected(right[node]);
  }

  /** The Fast TreeSHAP tables within the default budget, built on first use and shared by all threads. */
  public ShapTables tables() {
    ShapTables t = tables;
    if (t == null) {
      synchronized (this) {
        if (tables == null) tables = new ShapTables(this, ShapTables.DEFAULT_BUDGET, ShapTables.MAX_TABLE_DEPTH);
        t = tables;
      }
    }
    return t;
  }

  /** Grows a forest tree by tree; nodes are numbered as they are allocated. */
  public static final class Builder {
    int trees;
    int[] treeRoot = new int[16];
    int[] treeOutput = new int[16];
    double[] treeWeight = new double[16];
    int nodes;
    byte[] kind = new byte[64];
    int[] feature = new int[64];
    int[] left = new int[64];
    int[] right = new int[64];
    double[] value = new double[64];
    double[] threshold = new double[64];
    boolean[] naLeft = new boolean[64];
    int[] catStart = new int[64];
    int[] catLen = new int[64];
    double[] cover = new double[64];
    boolean[] cats = new boolean[64];
    int catCount;

    /** Starts a tree rooted at {@code root} that adds to {@code output} with {@code weight}. */
    public int tree(int root, int output, double weight) {
      if (trees == treeRoot.length) {
        int c = 2 * trees;
        treeRoot = Arrays.copyOf(treeRoot, c);
        treeOutput = Arrays.copyOf(treeOutput, c);
        treeWeight = Arrays.copyOf(treeWeight, c);
      }
      treeRoot[trees] = root;
      treeOutput[trees] = output;
      treeWeight[trees] = weight;
      return trees++;
    }

    /** Allocates {@code count} consecutive nodes (leaves until set); returns the first one's index. */
    public int allocate(int count) {
      int need = nodes + count;
      if (need > kind.length) {
        int c = Math.max(need, 2 * kind.length);
        kind = Arrays.copyOf(kind, c);
        feature = Arrays.copyOf(feature, c);
        left = Arrays.copyOf(left, c);
        right = Arrays.copyOf(right, c);
        value = Arrays.copyOf(value, c);
        threshold = Arrays.copyOf(threshold, c);
        naLeft = Arrays.copyOf(naLeft, c);
        catStart = Arrays.copyOf(catStart, c);
        catLen = Arrays.copyOf(catLen, c);
        cover = Arrays.copyOf(cover, c);
      }
      int first = nodes;
      nodes = need;
      return first;
    }

    public void leaf(int node, double leafValue, double nodeCover) {
      kind[node] = LEAF;
      value[node] = leafValue;
      cover[node] = nodeCover;
      feature[node] = -1;
    }

    /** Right when {@code x >= threshold}; NaN goes left when {@code naGoesLeft}. */
    public void numeric(int node, int feat, double splitAt, boolean naGoesLeft, double nodeCover, int l, int r) {
      split(node, NUMERIC, feat, naGoesLeft, nodeCover, l, r);
      threshold[node] = splitAt;
    }

    /** NaN goes {@code naGoesLeft ? left : right}, every number left. */
    public void naVsRest(int node, int feat, boolean naGoesLeft, double nodeCover, int l, int r) {
      split(node, NA_VS_REST, feat, naGoesLeft, nodeCover, l, r);
    }

    /**
     * Level i goes right when {@code levelGoesRight[i]}; levels outside the table the NA way, or, when
     * {@code belowZeroCompares}, a negative value compared with {@code splitAt}.
     */
    public void categorical(int node, int feat, boolean[] levelGoesRight, boolean naGoesLeft, boolean belowZeroCompares,
        double splitAt, double nodeCover, int l, int r) {
      split(node, belowZeroCompares ? CATEGORICAL_THRESHOLD : CATEGORICAL, feat, naGoesLeft, nodeCover, l, r);
      threshold[node] = splitAt;
      if (catCount + levelGoesRight.length > cats.length) {
        cats = Arrays.copyOf(cats, Math.max(catCount + levelGoesRight.length, 2 * cats.length));
      }
      catStart[node] = catCount;
      catLen[node] = levelGoesRight.length;
      System.arraycopy(levelGoesRight, 0, cats, catCount, levelGoesRight.length);
      catCount += levelGoesRight.length;
    }

    private void split(int node, byte k, int feat, boolean naGoesLeft, double nodeCover, int l, int r) {
      kind[node] = k;
      feature[node] = feat;
      naLeft[node] = naGoesLeft;
      cover[node] = nodeCover;
      left[node] = l;
      right[node] = r;
    }

    /** The forest; {@code outputOffset} has one entry per output. */
    public FlatForest build(int numFeatures, double... outputOffset) {
      return new FlatForest(this, numFeatures, outputOffset);
    }
  }
}
