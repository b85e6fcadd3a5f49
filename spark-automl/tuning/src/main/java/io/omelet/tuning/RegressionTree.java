package io.omelet.tuning;

import java.util.Arrays;
import java.util.Random;

/**
 * A CART regression tree (squared error, axis-aligned splits at midpoints between observed values, every
 * feature considered at each node in a random order so ties break at random), the member of fANOVA's
 * forest. Nodes are kept in flat arrays so fANOVA can walk the partition the tree makes of the space.
 */
final class RegressionTree {
  private int size;
  private int[] feature = new int[16];
  private double[] threshold = new double[16];
  private int[] left = new int[16];
  private int[] right = new int[16];
  private double[] value = new double[16];

  private final double[][] x;
  private final double[] y;
  private final Random rng;
  private final int maxDepth;
  private final int minSamplesSplit;

  /** Grows a tree on the rows {@code rows} of (x, y); a row may appear more than once (a bootstrap). */
  RegressionTree(double[][] x, double[] y, int[] rows, Random rng, int maxDepth, int minSamplesSplit) {
    this.x = x;
    this.y = y;
    this.rng = rng;
    this.maxDepth = maxDepth;
    this.minSamplesSplit = minSamplesSplit;
    grow(rows.clone(), 0);
  }

  private int grow(int[] rows, int depth) {
    int node = newNode();
    double sum = 0;
    for (int r : rows) sum += y[r];
    value[node] = sum / rows.length;
    if (depth >= maxDepth || rows.length < minSamplesSplit || constant(rows)) return node;

    int d = x[0].length;
    int[] order = shuffledFeatures(d);
    int bestFeature = -1;
    double bestThreshold = 0;
    double bestScore = sum * sum / rows.length + 1e-12 * Math.abs(sum * sum / rows.length);
    Integer[] sorted = new Integer[rows.length];
    for (int f : order) {
      for (int i = 0; i < rows.length; i++) sorted[i] = rows[i];
      Arrays.sort(sorted, (a, b) -> Double.compare(x[a][f], x[b][f]));
      double leftSum = 0;
      for (int i = 0; i < sorted.length - 1; i++) {
        leftSum += y[sorted[i]];
        double xi = x[sorted[i]][f];
        double xn = x[sorted[i + 1]][f];
        if (xi == xn) continue;
        int nl = i + 1;
        int nr = sorted.length - nl;
        double rightSum = sum - leftSum;
        // Maximising the between-children sum of squares minimises the children's squared error.
        double score = leftSum * leftSum / nl + rightSum * rightSum / nr;
        if (score > bestScore) {
          bestScore = score;
          bestFeature = f;
          bestThreshold = 0.5 * (xi + xn);
        }
      }
    }
    if (bestFeature < 0) return node;

    int nl = 0;
    for (int r : rows) if (x[r][bestFeature] <= bestThreshold) nl++;
    int[] l = new int[nl];
    int[] rr = new int[rows.length - nl];
    int a = 0;
    int b = 0;
    for (int r : rows) {
      if (x[r][bestFeature] <= bestThreshold) l[a++] = r;
      else rr[b++] = r;
    }
    feature[node] = bestFeature;
    threshold[node] = bestThreshold;
    int leftChild = grow(l, depth + 1);
    int rightChild = grow(rr, depth + 1);
    left[node] = leftChild;
    right[node] = rightChild;
    return node;
  }

  private boolean constant(int[] rows) {
    for (int r : rows) if (y[r] != y[rows[0]]) return false;
    return true;
  }

  private int[] shuffledFeatures(int d) {
    int[] order = new int[d];
    for (int i = 0; i < d; i++) order[i] = i;
    for (int i = d - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private int newNode() {
    if (size == feature.length) {
      int n = size * 2;
      feature = Arrays.copyOf(feature, n);
      threshold = Arrays.copyOf(threshold, n);
      left = Arrays.copyOf(left, n);
      right = Arrays.copyOf(right, n);
      value = Arrays.copyOf(value, n);
    }
    feature[size] = -1;
    return size++;
  }

  int size() {
    return size;
  }

  boolean isLeaf(int node) {
    return feature[node] < 0;
  }

  int feature(int node) {
    return feature[node];
  }

  double threshold(int node) {
    return threshold[node];
  }

  int left(int node) {
    return left[node];
  }

  int right(int node) {
    return right[node];
  }

  double value(int node) {
    return value[node];
  }

  double predict(double[] row) {
    int n = 0;
    while (!isLeaf(n)) n = row[feature[n]] <= threshold[n] ? left[n] : right[n];
    return value[n];
  }
}
