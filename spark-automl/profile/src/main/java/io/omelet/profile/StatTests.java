package io.omelet.profile;

import org.apache.commons.math3.distribution.ChiSquaredDistribution;

/** The few distribution functions the profile and drift report need. */
final class StatTests {
  private StatTests() {}

  /** P(X >= x) for a chi-square variable with {@code df} degrees of freedom. */
  static double chiSquareSurvival(double x, int df) {
    if (df <= 0) return 1.0;
    if (x <= 0) return 1.0;
    return 1.0 - new ChiSquaredDistribution(null, df).cumulativeProbability(x);
  }

  /** Chi-square statistic of observed counts against equal expected counts, with its p-value. */
  static double[] uniformChiSquare(long[] counts) {
    long n = 0;
    for (long c : counts) n += c;
    if (counts.length < 2 || n == 0) return new double[] {0, 1};
    double e = (double) n / counts.length;
    double x = 0;
    for (long c : counts) x += (c - e) * (c - e) / e;
    return new double[] {x, chiSquareSurvival(x, counts.length - 1)};
  }

  /**
   * Asymptotic p-value of the two-sample Kolmogorov-Smirnov statistic {@code d} for sample sizes
   * n and m (Kolmogorov distribution with Stephens' small-sample correction).
   */
  static double ksPValue(double d, long n, long m) {
    if (n == 0 || m == 0) return 1.0;
    double en = Math.sqrt((double) n * m / (n + m));
    double lambda = (en + 0.12 + 0.11 / en) * d;
    if (lambda < 1e-3) return 1.0;
    double sum = 0;
    for (int j = 1; j <= 100; j++) {
      double term = 2 * ((j & 1) == 1 ? 1 : -1) * Math.exp(-2 * lambda * lambda * j * j);
      sum += term;
      if (Math.abs(term) < 1e-12) break;
    }
    return Math.max(0, Math.min(1, sum));
  }
}
