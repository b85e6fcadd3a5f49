package io.omelet.profile;

/**
 * Equal-width bins: {@code edges} has one more entry than {@code counts}. For DATE columns the
 * edges are epoch days (dates) or epoch microseconds (timestamps).
 */
public final class Histogram {
  public double[] edges;
  public long[] counts;
  /** True when counts were derived from a quantile sketch rather than counted exactly. */
  public boolean approximate;

  public Histogram() {}

  public Histogram(double[] edges, long[] counts, boolean approximate) {
    this.edges = edges;
    this.counts = counts;
    this.approximate = approximate;
  }

  public long total() {
    long t = 0;
    for (long c : counts) t += c;
    return t;
  }
}
