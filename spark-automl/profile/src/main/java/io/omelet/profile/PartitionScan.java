package io.omelet.profile;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The single pass: folds every row of a partition into per-column accumulators, counts the
 * patterns of missing columns, keeps the first rows and a bottom-k random sample (each row gets
 * a uniform key; the k smallest keys over all partitions are a uniform sample, so partition
 * samples merge exactly). Partitions then merge on the driver. The sample is drawn as
 * io.omelet.common.RowSampler draws (the k smallest uniform keys) but inside this one pass:
 * a RowSampler job would read the data a second time.
 */
final class PartitionScan implements Serializable {
  private static final long serialVersionUID = 1L;

  long rows;
  final ColumnAccumulator[] columns;
  /** Missing-column bit sets (as long[] in a wrapper) with row counts; rows without nulls are not stored. */
  final HashMap<BitKey, long[]> missingPatterns = new HashMap<>();
  boolean patternsOverflowed;
  long patternsDropped;
  final List<InternalRow> head = new ArrayList<>();
  final List<Keyed> sample = new ArrayList<>();
  private final int partition;
  /** FULL mode only: 64-bit hashes of the rows, split by hash into buckets for the duplicate count. */
  transient LongBuffer[] hashBuckets;
  private transient UnsafeProjection toUnsafe;
  private final StructType schema;

  PartitionScan(StructType schema, ProfileSettings s, int partition) {
    StructField[] f = schema.fields();
    columns = new ColumnAccumulator[f.length];
    for (int i = 0; i < f.length; i++) columns[i] = new ColumnAccumulator(ColumnKind.of(f[i].dataType()), f[i].dataType(), s);
    this.partition = partition;
    this.schema = schema;
  }

  static PartitionScan run(int partition, Iterator<InternalRow> it, StructType schema, ProfileSettings s,
      int hashBucketCount) {
    PartitionScan p = new PartitionScan(schema, s, partition);
    if (hashBucketCount > 0) {
      p.hashBuckets = new LongBuffer[hashBucketCount];
      for (int b = 0; b < hashBucketCount; b++) p.hashBuckets[b] = new LongBuffer();
    }
    p.scan(it, s);
    return p;
  }

  /** A 64-bit hash of the row's binary form: equal rows, equal hashes. */
  private long rowHash(InternalRow row) {
    UnsafeRow u;
    if (row instanceof UnsafeRow ur) u = ur;
    else {
      if (toUnsafe == null) toUnsafe = UnsafeProjection.create(schema);
      u = toUnsafe.apply(row);
    }
    return XXH64.hashUnsafeBytes(u.getBaseObject(), u.getBaseOffset(), u.getSizeInBytes(), 0x5eedL);
  }

  private void scan(Iterator<InternalRow> it, ProfileSettings s) {
    ColumnAccumulator[] cols = columns;
    int c = cols.length;
    long[] bits = new long[(c + 63) >>> 6];
    int k = s.sampleRows;
    SplittableRandom rnd = new SplittableRandom(s.seed * 1_000_003L + partition);
    PriorityQueue<Keyed> heap = new PriorityQueue<>((a, b) -> Double.compare(b.key, a.key));
    double heapMax = Double.POSITIVE_INFINITY;
    long n = 0;
    while (it.hasNext()) {
      InternalRow row = it.next();
      n++;
      boolean anyNull = false;
      for (int i = 0; i < c; i++) {
        if (row.isNullAt(i)) {
          cols[i].nulls++;
          if (!anyNull) {
            Arrays.fill(bits, 0L);
            anyNull = true;
          }
          bits[i >>> 6] |= 1L << i;
        } else {
          cols[i].add(row, i);
        }
      }
      if (anyNull) countPattern(bits, s.maxMissingPatterns);
      if (hashBuckets != null) {
        long h = rowHash(row);
        hashBuckets[(int) Math.floorMod(h, (long) hashBuckets.length)].add(h);
      }
      if (head.size() < s.headRows) head.add(row.copy());
      if (k > 0) {
        double u = rnd.nextDouble();
        if (u >= s.sampleKeyLimit) continue;
        if (heap.size() < k) {
          heap.add(new Keyed(u, row.copy()));
          if (heap.size() == k) heapMax = heap.peek().key;
        } else if (u < heapMax) {
          heap.poll();
          heap.add(new Keyed(u, row.copy()));
          heapMax = heap.peek().key;
        }
      }
    }
    rows = n;
    sample.addAll(heap);
  }

  private void countPattern(long[] bits, int max) {
    BitKey key = new BitKey(bits);
    long[] cnt = missingPatterns.get(key);
    if (cnt != null) cnt[0]++;
    else if (missingPatterns.size() < max) missingPatterns.put(new BitKey(bits.clone()), new long[] {1});
    else {
      patternsOverflowed = true;
      patternsDropped++;
    }
  }

  void merge(PartitionScan o, int sampleRows, int headRows, int maxPatterns) {
    rows += o.rows;
    for (int i = 0; i < columns.length; i++) columns[i].merge(o.columns[i]);
    for (Map.Entry<BitKey, long[]> e : o.missingPatterns.entrySet()) {
      long[] cnt = missingPatterns.get(e.getKey());
      if (cnt != null) cnt[0] += e.getValue()[0];
      else if (missingPatterns.size() < maxPatterns) missingPatterns.put(e.getKey(), e.getValue());
      else {
        patternsOverflowed = true;
        patternsDropped += e.getValue()[0];
      }
    }
    patternsOverflowed |= o.patternsOverflowed;
    patternsDropped += o.patternsDropped;
    for (InternalRow r : o.head) if (head.size() < headRows) head.add(r);
    sample.addAll(o.sample);
    sample.sort((a, b) -> Double.compare(a.key, b.key));
    if (sample.size() > sampleRows) sample.subList(sampleRows, sample.size()).clear();
  }

  /** A growable array of longs, serialized compactly as one long[]. */
  static final class LongBuffer implements Serializable {
    private static final long serialVersionUID = 1L;
    long[] values = new long[1024];
    int size;

    void add(long v) {
      if (size == values.length) values = Arrays.copyOf(values, size * 2);
      values[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }

  /** Rows beyond the first of each hash, over hash arrays gathered from every partition. */
  static long duplicates(Iterator<long[]> arrays) {
    List<long[]> all = new ArrayList<>();
    int n = 0;
    while (arrays.hasNext()) {
      long[] a = arrays.next();
      all.add(a);
      n += a.length;
    }
    long[] h = new long[n];
    int at = 0;
    for (long[] a : all) {
      System.arraycopy(a, 0, h, at, a.length);
      at += a.length;
    }
    Arrays.sort(h);
    long dups = 0;
    for (int i = 1; i < n; i++) if (h[i] == h[i - 1]) dups++;
    return dups;
  }

  /** A row with its random sampling key. */
  static final class Keyed implements Serializable {
    private static final long serialVersionUID = 1L;
    final double key;
    final InternalRow row;

    Keyed(double key, InternalRow row) {
      this.key = key;
      this.row = row;
    }
  }

  /** A bit set usable as a map key. */
  static final class BitKey implements Serializable {
    private static final long serialVersionUID = 1L;
    final long[] bits;

    BitKey(long[] bits) {
      this.bits = bits;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bits);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BitKey b && Arrays.equals(bits, b.bits);
    }

    boolean get(int i) {
      return (bits[i >>> 6] & (1L << i)) != 0;
    }
  }
}
