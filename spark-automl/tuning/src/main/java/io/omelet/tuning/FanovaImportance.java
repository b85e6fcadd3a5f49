package io.omelet.tuning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Hyper-parameter importance by functional ANOVA (Hutter et al. 2014, "An Efficient Approach for
 * Assessing Hyperparameter Importance"), as Optuna's default FanovaImportanceEvaluator: a random forest
 * is fitted to the completed trials' values; each tree cuts the bounded space into boxes, so its
 * prediction's variance over the space, and the variance of its marginal along one parameter (the
 * prediction averaged over all the others), are computed exactly from the boxes. A parameter's importance
 * is its marginal's share of the tree's variance, averaged over the trees and normalised to sum to 1.
 *
 * <p>Encoding: numbers on their model scale (log for log parameters); a categorical as an ordinal axis
 * [0, k) where each choice owns a unit cell, so each choice weighs the same; a conditional parameter
 * that is inactive in a trial sits at the middle of its range, where it cannot single out the inactive
 * trials with one split and so take credit for its parent's effect.
 */
public final class FanovaImportance {
  private final int trees;
  private final int maxDepth;
  private final int minSamplesSplit;
  private final long seed;

  /** 64 trees of depth up to 64, splitting down to 2 samples, as Optuna's defaults. */
  public FanovaImportance(long seed) {
    this(64, 64, 2, seed);
  }

  public FanovaImportance(int trees, int maxDepth, int minSamplesSplit, long seed) {
    if (trees < 1 || maxDepth < 1 || minSamplesSplit < 2) {
      throw new IllegalArgumentException("fANOVA needs trees >= 1, maxDepth >= 1 and minSamplesSplit >= 2, got "
          + trees + ", " + maxDepth + ", " + minSamplesSplit);
    }
    this.trees = trees;
    this.maxDepth = maxDepth;
    this.minSamplesSplit = minSamplesSplit;
    this.seed = seed;
  }

  /** The importance of every parameter of the study's space, most important first, from its COMPLETE trials. */
  public Map<String, Double> evaluate(Study study) {
    return evaluate(study.space(), study.trials());
  }

  public Map<String, Double> evaluate(SearchSpace space, List<Trial> trials) {
    List<Trial> complete = new ArrayList<>();
    for (Trial t : trials) if (t.state() == TrialState.COMPLETE && Double.isFinite(t.value())) complete.add(t);
    if (complete.size() < 2) {
      throw new IllegalArgumentException("fANOVA needs at least 2 completed trials with finite values, got " + complete.size());
    }
    List<Parameter> params = space.allParameters();
    int d = params.size();
    double[] lo = new double[d];
    double[] hi = new double[d];
    for (int j = 0; j < d; j++) {
      Parameter p = params.get(j);
      lo[j] = p instanceof NumericParameter n ? n.modelLow() : 0;
      hi[j] = p instanceof NumericParameter n ? n.modelHigh() : ((CategoricalParameter) p).size();
    }
    int n = complete.size();
    double[][] x = new double[n][d];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      Trial t = complete.get(i);
      y[i] = t.value();
      for (int j = 0; j < d; j++) {
        Parameter p = params.get(j);
        Object v = t.param(p.name());
        if (v == null) x[i][j] = 0.5 * (lo[j] + hi[j]);
        else if (p instanceof NumericParameter np) x[i][j] = np.toModel(v);
        else x[i][j] = ((CategoricalParameter) p).indexOf(v) + 0.5;
      }
    }

    Random rng = new Random(seed);
    double[] shareSums = new double[d];
    int counted = 0;
    for (int k = 0; k < trees; k++) {
      int[] rows = new int[n];
      for (int i = 0; i < n; i++) rows[i] = rng.nextInt(n);
      RegressionTree tree = new RegressionTree(x, y, rows, rng, maxDepth, minSamplesSplit);
      double total = totalVariance(tree, lo, hi);
      if (!(total > 0)) continue;
      counted++;
      for (int j = 0; j < d; j++) shareSums[j] += Math.max(0, marginalVariance(tree, j, lo, hi)) / total;
    }
    if (counted == 0) {
      throw new IllegalStateException("the completed trials' values do not vary with the parameters: no importance to share");
    }
    double sum = Arrays.stream(shareSums).sum();
    List<Integer> order = new ArrayList<>();
    for (int j = 0; j < d; j++) order.add(j);
    order.sort(Comparator.comparingDouble((Integer j) -> -shareSums[j]).thenComparingInt(j -> j));
    Map<String, Double> out = new LinkedHashMap<>();
    for (int j : order) out.put(params.get(j).name(), sum > 0 ? shareSums[j] / sum : 0.0);
    return out;
  }

  /** The variance of the tree's prediction over the uniform measure on the box [lo, hi]. */
  static double totalVariance(RegressionTree tree, double[] lo, double[] hi) {
    List<double[]> leaves = new ArrayList<>(); // {volume fraction, value}
    collectLeaves(tree, 0, lo.clone(), hi.clone(), 1.0, leaves);
    double mean = 0;
    for (double[] l : leaves) mean += l[0] * l[1];
    double var = 0;
    for (double[] l : leaves) var += l[0] * (l[1] - mean) * (l[1] - mean);
    return var;
  }

  private static void collectLeaves(RegressionTree tree, int node, double[] lo, double[] hi, double fraction,
      List<double[]> out) {
    if (tree.isLeaf(node)) {
      out.add(new double[] {fraction, tree.value(node)});
      return;
    }
    int f = tree.feature(node);
    double t = tree.threshold(node);
    double pl = leftShare(t, lo[f], hi[f]);
    double savedHi = hi[f];
    double savedLo = lo[f];
    if (pl > 0) {
      hi[f] = Math.min(hi[f], t);
      collectLeaves(tree, tree.left(node), lo, hi, fraction * pl, out);
      hi[f] = savedHi;
    }
    if (pl < 1) {
      lo[f] = Math.max(lo[f], t);
      collectLeaves(tree, tree.right(node), lo, hi, fraction * (1 - pl), out);
      lo[f] = savedLo;
    }
  }

  /**
   * The variance along parameter j of the tree's marginal (its prediction averaged over every other
   * parameter): piecewise constant between the tree's thresholds on j, so one value per piece suffices.
   */
  static double marginalVariance(RegressionTree tree, int j, double[] lo, double[] hi) {
    TreeSet<Double> cuts = new TreeSet<>();
    cuts.add(lo[j]);
    cuts.add(hi[j]);
    for (int node = 0; node < tree.size(); node++) {
      if (!tree.isLeaf(node) && tree.feature(node) == j && tree.threshold(node) > lo[j] && tree.threshold(node) < hi[j]) {
        cuts.add(tree.threshold(node));
      }
    }
    if (cuts.size() == 2) return 0;
    Double[] c = cuts.toArray(new Double[0]);
    double range = hi[j] - lo[j];
    double[] w = new double[c.length - 1];
    double[] v = new double[c.length - 1];
    double mean = 0;
    for (int i = 0; i < w.length; i++) {
      w[i] = (c[i + 1] - c[i]) / range;
      v[i] = marginal(tree, 0, j, 0.5 * (c[i] + c[i + 1]), lo.clone(), hi.clone());
      mean += w[i] * v[i];
    }
    double var = 0;
    for (int i = 0; i < w.length; i++) var += w[i] * (v[i] - mean) * (v[i] - mean);
    return var;
  }

  /** The tree's prediction at x_j = xj averaged over the box [lo, hi] in every other parameter. */
  private static double marginal(RegressionTree tree, int node, int j, double xj, double[] lo, double[] hi) {
    if (tree.isLeaf(node)) return tree.value(node);
    int f = tree.feature(node);
    double t = tree.threshold(node);
    if (f == j) return marginal(tree, xj <= t ? tree.left(node) : tree.right(node), j, xj, lo, hi);
    double pl = leftShare(t, lo[f], hi[f]);
    double out = 0;
    double savedHi = hi[f];
    double savedLo = lo[f];
    if (pl > 0) {
      hi[f] = Math.min(hi[f], t);
      out += pl * marginal(tree, tree.left(node), j, xj, lo, hi);
      hi[f] = savedHi;
    }
    if (pl < 1) {
      lo[f] = Math.max(lo[f], t);
      out += (1 - pl) * marginal(tree, tree.right(node), j, xj, lo, hi);
      lo[f] = savedLo;
    }
    return out;
  }

  /** The share of [lo, hi] at or below threshold t. */
  private static double leftShare(double t, double lo, double hi) {
    return Math.min(1, Math.max(0, (t - lo) / (hi - lo)));
  }
}
