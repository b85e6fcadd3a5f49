package io.omelet.tuning;

import java.util.Random;

/** The normal distribution cut to [low, high]: the kernel of the Parzen estimators. */
final class TruncatedNormal {
  static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
  private static final double SQRT2 = Math.sqrt(2);

  private TruncatedNormal() {}

  /**
   * A draw by rejection: the kernels' centres lie inside [low, high], so at least a third of the mass
   * does too (half a normal with sigma up to the range), and a few tries suffice.
   */
  static double sample(Random rng, double mu, double sigma, double low, double high) {
    for (int i = 0; i < 1000; i++) {
      double x = mu + sigma * rng.nextGaussian();
      if (x >= low && x <= high) return x;
    }
    return Math.min(high, Math.max(low, mu));
  }

  /** The log density at x of N(mu, sigma) cut to [low, high]. */
  static double logPdf(double x, double mu, double sigma, double low, double high) {
    double z = (x - mu) / sigma;
    return -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma) - logMass((low - mu) / sigma, (high - mu) / sigma);
  }

  /** The log probability that N(mu, sigma) cut to [low, high] falls in [a, b] (a bin of a discrete value). */
  static double logBinMass(double a, double b, double mu, double sigma, double low, double high) {
    return logMass((a - mu) / sigma, (b - mu) / sigma) - logMass((low - mu) / sigma, (high - mu) / sigma);
  }

  /** log(Phi(b) - Phi(a)) for the standard normal, accurate far in the tails and for narrow intervals. */
  static double logMass(double a, double b) {
    if (b <= a) return Double.NEGATIVE_INFINITY;
    double width = b - a;
    if (width * (1 + Math.max(Math.abs(a), Math.abs(b))) < 0.1) {
      // Narrow: Simpson's rule on the density, where a difference of two close tail values would cancel.
      double m = 0.5 * (a + b);
      double lm = logPhi(m);
      return lm + Math.log(width / 6 * (Math.exp(logPhi(a) - lm) + 4 + Math.exp(logPhi(b) - lm)));
    }
    if (a >= 0) return logUpperTailDifference(a, b);
    if (b <= 0) return logUpperTailDifference(-b, -a);
    return Math.log1p(-(Math.exp(logUpperTail(-a)) + Math.exp(logUpperTail(b))));
  }

  /** log(Q(a) - Q(b)) for 0 <= a < b, Q the upper tail. */
  private static double logUpperTailDifference(double a, double b) {
    double la = logUpperTail(a);
    double lb = logUpperTail(b);
    return la + Math.log1p(-Math.exp(lb - la));
  }

  private static double logPhi(double z) {
    return -0.5 * z * z - LOG_SQRT_2PI;
  }

  /**
   * log Q(z) for z >= 0, Q(z) = erfc(z / sqrt 2) / 2, with the Chebyshev fit of erfc from Numerical
   * Recipes (relative error below 1.2e-7 everywhere), kept in log form so far tails do not underflow.
   */
  static double logUpperTail(double z) {
    double x = z / SQRT2;
    double t = 1 / (1 + 0.5 * x);
    double poly = -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277))))))));
    return Math.log(t) + poly - Math.log(2);
  }
}
