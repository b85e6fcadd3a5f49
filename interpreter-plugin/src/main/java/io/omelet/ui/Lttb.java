package io.omelet.ui;

/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps the first and last point
 * and, from each of {@code threshold - 2} equal buckets between them, the point forming the largest
 * triangle with the point kept before it and the mean of the next bucket. A chart drawn from
 * 1,000 of 100,000 points so chosen keeps the curve's peaks and dips, which taking every 100th
 * point would lose.
 */
final class Lttb {
  private Lttb() {}

  /** Indices (ascending) of the points kept from {@code x}, {@code y} (sorted by x); all of them when few. */
  static int[] downsample(double[] x, double[] y, int threshold) {
    int n = x.length;
    if (threshold >= n || threshold < 3) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) all[i] = i;
      return all;
    }
    int[] kept = new int[threshold];
    int k = 0;
    kept[k++] = 0;
    double every = (double) (n - 2) / (threshold - 2);
    int a = 0;
    for (int i = 0; i < threshold - 2; i++) {
      // the next bucket's mean: the third corner of the triangle
      int nextStart = (int) Math.floor((i + 1) * every) + 1;
      int nextEnd = Math.min(n, (int) Math.floor((i + 2) * every) + 1);
      double meanX = 0, meanY = 0;
      int count = Math.max(1, nextEnd - nextStart);
      for (int j = nextStart; j < nextEnd; j++) {
        meanX += x[j];
        meanY += y[j];
      }
      meanX /= count;
      meanY /= count;
      if (nextEnd <= nextStart) {
        meanX = x[n - 1];
        meanY = y[n - 1];
      }
      int start = (int) Math.floor(i * every) + 1;
      int end = (int) Math.floor((i + 1) * every) + 1;
      double best = -1;
      int chosen = start;
      for (int j = start; j < end; j++) {
        double area = Math.abs((x[a] - meanX) * (y[j] - y[a]) - (x[a] - x[j]) * (meanY - y[a]));
        if (Double.isNaN(area)) area = 0;
        if (area > best) {
          best = area;
          chosen = j;
        }
      }
      kept[k++] = chosen;
      a = chosen;
    }
    kept[k++] = n - 1;
    return kept;
  }
}
