package io.omelet.profile;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.LongsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * Everything one pass learns about a numeric (or date) column. Values are counted exactly in a
 * primitive map while the column has at most {@code exactLimit} distinct values; past that the
 * map is replayed once into three sketches (HLL for distinct, KLL for quantiles, frequent items
 * for top values) that take over. Exact counts give exact quantiles, histograms and top values.
 */
final class NumericAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Keys are the values themselves (integers, days, micros) rather than double bits. */
  final boolean integral;
  private final int exactLimit;
  private final int kllK;
  private final int hllLgK;
  private final int freqMapSize;

  long count; // non-missing values, infinities included
  long nan, posInf, negInf, zeros, negatives;
  double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY; // finite values
  double sum;
  final Moments moments = new Moments();

  private LongCountMap exact;
  private transient HllSketch hll;
  private transient KllDoublesSketch kll;
  private transient LongsSketch freq;

  NumericAccumulator(boolean integral, ProfileSettings s) {
    this.integral = integral;
    this.exactLimit = s.exactDistinctLimit;
    this.kllK = s.kllK;
    this.hllLgK = s.hllLgK;
    this.freqMapSize = s.frequentItemsMapSize;
    this.exact = new LongCountMap(64);
  }

  void addLong(long v) {
    count++;
    double d = v;
    if (v == 0) zeros++;
    else if (v < 0) negatives++;
    if (d < min) min = d;
    if (d > max) max = d;
    sum += d;
    moments.add(d);
    if (exact != null) {
      exact.add(v, 1);
      if (exact.size() > exactLimit) overflow();
    } else {
      hll.update(v);
      kll.update(d);
      freq.update(v);
    }
  }

  void addDouble(double v) {
    if (Double.isNaN(v)) {
      nan++;
      return;
    }
    count++;
    if (v == 0) {
      zeros++;
      v = 0.0; // one key for -0.0 and 0.0
    } else if (v < 0) negatives++;
    boolean finite = !Double.isInfinite(v);
    if (finite) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      moments.add(v);
    } else if (v > 0) posInf++;
    else negInf++;
    long key = Double.doubleToRawLongBits(v);
    if (exact != null) {
      exact.add(key, 1);
      if (exact.size() > exactLimit) overflow();
    } else {
      hll.update(key);
      if (finite) kll.update(v);
      freq.update(key);
    }
  }

  double valueOf(long key) {
    return integral ? key : Double.longBitsToDouble(key);
  }

  boolean isExact() {
    return exact != null;
  }

  private void overflow() {
    hll = new HllSketch(hllLgK, TgtHllType.HLL_8);
    kll = KllDoublesSketch.newHeapInstance(kllK);
    freq = new LongsSketch(freqMapSize);
    LongCountMap m = exact;
    exact = null;
    m.forEach((k, c) -> {
      hll.update(k);
      freq.update(k, c);
      double v = valueOf(k);
      if (!Double.isInfinite(v)) for (long i = 0; i < c; i++) kll.update(v);
    });
  }

  void merge(NumericAccumulator o) {
    count += o.count;
    nan += o.nan;
    posInf += o.posInf;
    negInf += o.negInf;
    zeros += o.zeros;
    negatives += o.negatives;
    min = Math.min(min, o.min);
    max = Math.max(max, o.max);
    sum += o.sum;
    moments.merge(o.moments);
    if (exact != null && o.exact != null) {
      o.exact.forEach((k, c) -> exact.add(k, c));
      if (exact.size() > exactLimit) overflow();
      return;
    }
    if (exact != null) overflow();
    if (o.exact != null) o.overflow();
    Union u = new Union(hllLgK);
    u.update(hll);
    u.update(o.hll);
    hll = u.getResult(TgtHllType.HLL_8);
    kll.merge(o.kll);
    freq.merge(o.freq);
  }

  long finiteCount() {
    return count - posInf - negInf;
  }

  long distinct() {
    return exact != null ? exact.size() : Math.round(hll.getEstimate());
  }

  /** Finite values with their counts, ascending; only in exact mode. */
  double[][] sortedFinite() {
    List<double[]> pairs = new ArrayList<>(exact.size());
    exact.forEach((k, c) -> {
      double v = valueOf(k);
      if (!Double.isInfinite(v)) pairs.add(new double[] {v, c});
    });
    pairs.sort((a, b) -> Double.compare(a[0], b[0]));
    double[] vs = new double[pairs.size()], cum = new double[pairs.size()];
    double run = 0;
    for (int i = 0; i < vs.length; i++) {
      vs[i] = pairs.get(i)[0];
      run += pairs.get(i)[1];
      cum[i] = run;
    }
    return new double[][] {vs, cum};
  }

  /**
   * Quantiles at the given fractions: exact with linear interpolation between closest ranks (as
   * Spark's percentile()) when values were counted exactly, from the KLL sketch otherwise.
   */
  double[] quantiles(double[] fractions) {
    double[] out = new double[fractions.length];
    long n = finiteCount();
    if (n == 0) {
      Arrays.fill(out, Double.NaN);
      return out;
    }
    if (exact == null) {
      double[] q = kll.getQuantiles(fractions);
      System.arraycopy(q, 0, out, 0, q.length);
      return out;
    }
    double[][] sc = sortedFinite();
    double[] vs = sc[0], cum = sc[1];
    for (int i = 0; i < fractions.length; i++) {
      double h = fractions[i] * (n - 1);
      long lo = (long) Math.floor(h);
      long hi = (long) Math.ceil(h);
      double vlo = valueAtRank(vs, cum, lo), vhi = valueAtRank(vs, cum, hi);
      out[i] = vlo + (h - lo) * (vhi - vlo);
    }
    return out;
  }

  /** The value at 0-based rank r in sorted order. */
  private static double valueAtRank(double[] vs, double[] cum, long r) {
    int lo = 0, hi = vs.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cum[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return vs[lo];
  }

  Histogram histogram(int bins) {
    long n = finiteCount();
    if (n == 0) return null;
    if (min == max) return new Histogram(new double[] {min, max}, new long[] {n}, false);
    double[] edges = new double[bins + 1];
    for (int i = 0; i <= bins; i++) edges[i] = min + (max - min) * i / bins;
    edges[bins] = max;
    long[] counts = new long[bins];
    if (exact != null) {
      exact.forEach((k, c) -> {
        double v = valueOf(k);
        if (!Double.isInfinite(v)) counts[binOf(v, bins)] += c;
      });
      return new Histogram(edges, counts, false);
    }
    // From the sketch: the fraction of values below each inner edge.
    double[] splits = Arrays.copyOfRange(edges, 1, bins);
    double[] cdf = kll.getCDF(splits);
    long prev = 0;
    for (int i = 0; i < bins; i++) {
      long upto = i == bins - 1 ? n : Math.round(cdf[i] * n);
      counts[i] = Math.max(0, upto - prev);
      prev = Math.max(prev, upto);
    }
    return new Histogram(edges, counts, true);
  }

  private int binOf(double v, int bins) {
    int b = (int) ((v - min) / (max - min) * bins);
    return Math.min(bins - 1, Math.max(0, b));
  }

  /** The most frequent keys with their counts, most frequent first. */
  long[][] top(int k) {
    List<long[]> all = new ArrayList<>();
    if (exact != null) {
      exact.forEach((key, c) -> all.add(new long[] {key, c}));
    } else {
      for (LongsSketch.Row r : freq.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)) {
        all.add(new long[] {r.getItem(), r.getEstimate()});
      }
    }
    all.sort((a, b) -> a[1] != b[1] ? Long.compare(b[1], a[1]) : Long.compare(a[0], b[0]));
    return all.subList(0, Math.min(k, all.size())).toArray(new long[0][]);
  }

  /** Counts of every distinct value; only in exact mode. */
  long[] exactCounts() {
    List<Long> cs = new ArrayList<>();
    exact.forEach((k, c) -> cs.add(c));
    return cs.stream().mapToLong(Long::longValue).toArray();
  }

  /** Distinct values (keys decoded), only in exact mode. */
  double[] exactValues() {
    List<Double> vs = new ArrayList<>();
    exact.forEach((k, c) -> vs.add(valueOf(k)));
    return vs.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    boolean sketches = exact == null;
    out.writeBoolean(sketches);
    if (sketches) {
      writeBytes(out, hll.toCompactByteArray());
      writeBytes(out, kll.toByteArray());
      writeBytes(out, freq.toByteArray());
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    if (in.readBoolean()) {
      hll = HllSketch.heapify(readBytes(in));
      kll = KllDoublesSketch.heapify(Memory.wrap(readBytes(in)));
      freq = LongsSketch.getInstance(Memory.wrap(readBytes(in)));
    }
  }

  static void writeBytes(ObjectOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  static byte[] readBytes(ObjectInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b;
  }
}
