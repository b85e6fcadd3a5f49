package io.omelet.profile;

import java.io.Serializable;

/**
 * Count, mean and central moments 2..4 of finite values. Within a partition it folds shifted power
 * sums (four multiply-adds a value); partitions merge with the pairwise formulas of Pébay (2008),
 * which stay accurate where raw power sums would cancel.
 */
final class Moments implements Serializable {
  private static final long serialVersionUID = 1L;
  long n;
  private boolean shifted;
  private double shift, s1, s2, s3, s4;
  // central form, valid after center()
  private boolean centered;
  double mean, m2, m3, m4;

  void add(double x) {
    if (!shifted) {
      shift = x;
      shifted = true;
    }
    double d = x - shift;
    double d2 = d * d;
    n++;
    s1 += d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }

  void center() {
    if (centered) return;
    centered = true;
    if (n == 0) return;
    double m = s1 / n;
    mean = shift + m;
    m2 = Math.max(0, s2 - n * m * m);
    m3 = s3 - 3 * m * s2 + 2 * n * m * m * m;
    m4 = s4 - 4 * m * s3 + 6 * m * m * s2 - 3 * n * m * m * m * m;
  }

  void merge(Moments o) {
    center();
    o.center();
    if (o.n == 0) return;
    if (n == 0) {
      n = o.n; mean = o.mean; m2 = o.m2; m3 = o.m3; m4 = o.m4;
      return;
    }
    double na = n, nb = o.n, nn = na + nb;
    double delta = o.mean - mean;
    double d2 = delta * delta;
    double newMean = mean + delta * nb / nn;
    double newM2 = m2 + o.m2 + d2 * na * nb / nn;
    double newM3 = m3 + o.m3 + d2 * delta * na * nb * (na - nb) / (nn * nn)
        + 3 * delta * (na * o.m2 - nb * m2) / nn;
    double newM4 = m4 + o.m4 + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (nn * nn * nn)
        + 6 * d2 * (na * na * o.m2 + nb * nb * m2) / (nn * nn)
        + 4 * delta * (na * o.m3 - nb * m3) / nn;
    n += o.n;
    mean = newMean;
    m2 = newM2;
    m3 = newM3;
    m4 = newM4;
  }

  /** Sample standard deviation (as Spark's stddev). */
  Double std() {
    center();
    return n < 2 ? null : Math.sqrt(m2 / (n - 1));
  }

  /** Population skewness, as Spark's skewness(). */
  Double skewness() {
    center();
    return n == 0 || m2 == 0 ? null : Math.sqrt(n) * m3 / Math.pow(m2, 1.5);
  }

  /** Excess kurtosis, as Spark's kurtosis(). */
  Double kurtosis() {
    center();
    return n == 0 || m2 == 0 ? null : n * m4 / (m2 * m2) - 3.0;
  }
}
