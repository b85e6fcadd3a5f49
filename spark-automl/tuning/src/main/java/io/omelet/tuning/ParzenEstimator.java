package io.omelet.tuning;

import java.util.Arrays;
import java.util.Random;

/**
 * A weighted mixture of truncated Gaussian kernels on a numeric parameter's model scale, one per
 * observation plus a broad prior kernel: TPE's l(x) or g(x). Bandwidths follow Optuna's univariate rule
 * (distance to the farther neighbour, the end kernels to their inner neighbour) with its "magic clip",
 * which keeps kernels from collapsing to spikes while there are few observations.
 */
final class ParzenEstimator {
  private final double low;
  private final double high;
  /** Cell width for discrete values (their density is a bin mass), 0 when continuous. */
  private final double step;
  private final double[] mus;
  private final double[] sigmas;
  private final double[] weights;
  private final double[] logWeights;

  /**
   * @param observations model-scale values, oldest first
   * @param observationWeights one weight per observation
   */
  ParzenEstimator(double[] observations, double[] observationWeights, double low, double high, double step,
      double priorWeight) {
    this.low = low;
    this.high = high;
    this.step = step;
    int n = observations.length;
    double range = high - low;
    mus = Arrays.copyOf(observations, n + 1);
    mus[n] = 0.5 * (low + high);
    sigmas = bandwidths(mus, low, high);
    double minSigma = optunaFloor(range, mus.length);
    for (int i = 0; i < sigmas.length; i++) sigmas[i] = clip(sigmas[i], minSigma, range);
    sigmas[n] = range;
    weights = Arrays.copyOf(observationWeights, n + 1);
    weights[n] = priorWeight;
    double sum = Arrays.stream(weights).sum();
    logWeights = new double[n + 1];
    for (int i = 0; i <= n; i++) {
      weights[i] /= sum;
      logWeights[i] = Math.log(weights[i]);
    }
  }

  /** Optuna's "magic clip": range / min(100, 1 + kernels), kernels counting the prior's. */
  static double optunaFloor(double range, int kernels) {
    return range / Math.min(100.0, 1.0 + kernels);
  }

  /**
   * The joint estimator's floor, range / min(50, (2 + the study's observations) / 2): it narrows with
   * the whole study, so the good group's few kernels can refine a minimum (see TreeParzenEstimator).
   */
  static double studyFloor(double range, int studyObservations) {
    return range / Math.min(50.0, (2.0 + studyObservations) / 2);
  }

  /** A bandwidth kept between the floor and the whole range. */
  static double clip(double sigma, double floor, double range) {
    return Math.min(range, Math.max(floor, sigma));
  }

  /**
   * Optuna's univariate bandwidths: each kernel's distance to its farther neighbour, the end kernels'
   * to their inner neighbour (not to the bound); shared by the univariate and the joint estimator.
   */
  static double[] bandwidths(double[] mus, double low, double high) {
    int m = mus.length;
    Integer[] order = new Integer[m];
    for (int i = 0; i < m; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Double.compare(mus[a], mus[b]));
    double[] sigmas = new double[m];
    for (int r = 0; r < m; r++) {
      double left = mus[order[r]] - (r == 0 ? low : mus[order[r - 1]]);
      double right = (r == m - 1 ? high : mus[order[r + 1]]) - mus[order[r]];
      double s = Math.max(left, right);
      // The end kernels take their inner neighbour's distance, not the distance to the bound.
      if (m >= 2 && r == 0) s = right;
      if (m >= 2 && r == m - 1) s = left;
      sigmas[order[r]] = s;
    }
    return sigmas;
  }

  double sample(Random rng) {
    double u = rng.nextDouble();
    int k = 0;
    double acc = weights[0];
    while (u >= acc && k < weights.length - 1) acc += weights[++k];
    return TruncatedNormal.sample(rng, mus[k], sigmas[k], low, high);
  }

  double logPdf(double x) {
    double max = Double.NEGATIVE_INFINITY;
    double[] terms = new double[mus.length];
    for (int k = 0; k < mus.length; k++) {
      double lp = step > 0
          ? TruncatedNormal.logBinMass(Math.max(low, x - step / 2), Math.min(high, x + step / 2), mus[k], sigmas[k], low, high)
          : TruncatedNormal.logPdf(x, mus[k], sigmas[k], low, high);
      terms[k] = lp + logWeights[k];
      max = Math.max(max, terms[k]);
    }
    if (max == Double.NEGATIVE_INFINITY) return max;
    double s = 0;
    for (double t : terms) s += Math.exp(t - max);
    return max + Math.log(s);
  }
}
