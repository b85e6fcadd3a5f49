package io.omelet.explain;

/**
 * One row's KernelSHAP estimate: the weighted least-squares fit of E[f | coalition] - base on the
 * coalition indicators, under the efficiency constraint sum(phi) = f(x) - base (one feature is
 * eliminated through the constraint, the rest solved by Gaussian elimination).
 */
final class KernelShapSolver {
  private KernelShapSolver() {}

  /**
   * Fills {@code phi} (length m) and returns the weighted R^2 of the fit (1 when the coalition values
   * do not vary at all).
   */
  static double solve(int m, long[] masks, double[] weights, double[] expected, double fx, double base, double[] phi) {
    double total = fx - base;
    if (m == 1) {
      phi[0] = total;
      return 1.0;
    }
    int n = m - 1;
    long lastBit = 1L << n;
    double[] a = new double[n * n];
    double[] c = new double[n];
    double[] xr = new double[n];
    for (int k = 0; k < masks.length; k++) {
      long z = masks[k];
      double w = weights[k];
      double zl = (z & lastBit) != 0 ? 1 : 0;
      double y = expected[k] - base - zl * total;
      for (int j = 0; j < n; j++) xr[j] = (((z >>> j) & 1L) != 0 ? 1 : 0) - zl;
      for (int i = 0; i < n; i++) {
        double wi = w * xr[i];
        if (wi == 0) continue;
        c[i] += wi * y;
        int row = i * n;
        for (int j = 0; j <= i; j++) a[row + j] += wi * xr[j];
      }
    }
    for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i];
    double[] beta = gaussian(a, c, n);
    double sum = 0;
    for (int j = 0; j < n; j++) {
      phi[j] = beta[j];
      sum += beta[j];
    }
    phi[n] = total - sum;
    return rSquared(m, masks, weights, expected, base, phi);
  }

  static double rSquared(int m, long[] masks, double[] weights, double[] expected, double base, double[] phi) {
    double wsum = 0;
    double mean = 0;
    for (int k = 0; k < masks.length; k++) {
      wsum += weights[k];
      mean += weights[k] * (expected[k] - base);
    }
    if (wsum == 0) return 1.0;
    mean /= wsum;
    double sse = 0;
    double sst = 0;
    for (int k = 0; k < masks.length; k++) {
      double y = expected[k] - base;
      double fit = 0;
      long z = masks[k];
      for (int j = 0; j < m; j++) if (((z >>> j) & 1L) != 0) fit += phi[j];
      sse += weights[k] * (y - fit) * (y - fit);
      sst += weights[k] * (y - mean) * (y - mean);
    }
    return sst <= 1e-300 ? 1.0 : 1.0 - sse / sst;
  }

  /** Solves a x = b with partial pivoting; a near-singular system gets a tiny ridge so it still answers. */
  static double[] gaussian(double[] a0, double[] b0, int n) {
    double scale = 0;
    for (int i = 0; i < n; i++) scale = Math.max(scale, Math.abs(a0[i * n + i]));
    double ridge = Math.max(scale, 1e-300) * 1e-12;
    double[] a = a0.clone();
    double[] b = b0.clone();
    for (int i = 0; i < n; i++) a[i * n + i] += ridge;
    for (int col = 0; col < n; col++) {
      int piv = col;
      for (int r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[piv * n + col])) piv = r;
      if (piv != col) {
        for (int j = 0; j < n; j++) {
          double t = a[col * n + j];
          a[col * n + j] = a[piv * n + j];
          a[piv * n + j] = t;
        }
        double t = b[col];
        b[col] = b[piv];
        b[piv] = t;
      }
      double p = a[col * n + col];
      if (p == 0) continue;
      for (int r = col + 1; r < n; r++) {
        double f = a[r * n + col] / p;
        if (f == 0) continue;
        for (int j = col; j < n; j++) a[r * n + j] -= f * a[col * n + j];
        b[r] -= f * b[col];
      }
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double s = b[i];
      for (int j = i + 1; j < n; j++) s -= a[i * n + j] * x[j];
      double p = a[i * n + i];
      x[i] = p == 0 ? 0 : s / p;
    }
    return x;
  }
}
