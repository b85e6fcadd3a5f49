package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TruncatedNormalTest {
  @Test
  void massesMatchKnownValuesIncludingFarTailsAndNarrowBins() {
    assertEquals(Math.log(0.682689492137), TruncatedNormal.logMass(-1, 1), 1e-6);
    assertEquals(Math.log(0.5), TruncatedNormal.logMass(0, 40), 1e-6);
    assertEquals(Math.log(0.022750131948), TruncatedNormal.logMass(2, Double.POSITIVE_INFINITY), 1e-6);
    // Q(10) = 7.619853e-24: the log form does not underflow (the erfc fit is good to about 1e-4 there).
    assertEquals(Math.log(7.619853024160e-24), TruncatedNormal.logMass(10, 11), 1e-4);
    assertEquals(Math.log(7.619853024160e-24), TruncatedNormal.logMass(-11, -10), 1e-4);
    // A narrow bin: the density times the width.
    double phi1 = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
    assertEquals(Math.log(phi1 * 1e-4), TruncatedNormal.logMass(1 - 5e-5, 1 + 5e-5), 1e-6);
  }

  @Test
  void theTruncatedDensityIntegratesToOne() {
    double mu = 0.8;
    double sigma = 0.5;
    double sum = 0;
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      double x = (i + 0.5) / n;
      sum += Math.exp(TruncatedNormal.logPdf(x, mu, sigma, 0, 1)) / n;
    }
    assertEquals(1.0, sum, 1e-6);
  }
}
