package io.omelet.profile;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One pass over a string column: exact value counts up to a limit (then HLL and frequent items),
 * length statistics, and, while every value parses as a number, a numeric accumulator so that a
 * column of numbers stored as text is profiled as the numbers it holds.
 */
final class StringAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final long HASH_SEED = 42L;

  private final ProfileSettings settings;
  long count;
  long empty;
  long lenMin = Long.MAX_VALUE, lenMax = -1, lenSum;
  private HashMap<UTF8String, long[]> exact = new HashMap<>();
  private transient HllSketch hll;
  private transient ItemsSketch<String> freq;
  /** Null once a value failed to parse as a number. */
  NumericAccumulator parsed;

  StringAccumulator(ProfileSettings s) {
    this.settings = s;
    this.parsed = new NumericAccumulator(false, s);
  }

  void add(UTF8String s) {
    count++;
    int len = s.numChars();
    if (len == 0) empty++;
    if (len < lenMin) lenMin = len;
    if (len > lenMax) lenMax = len;
    lenSum += len;
    if (parsed != null) {
      double d = parseNumber(s);
      if (Double.isNaN(d)) parsed = null;
      else parsed.addDouble(d);
    }
    if (exact != null) {
      long[] c = exact.get(s);
      if (c != null) c[0]++;
      else {
        exact.put(s.clone(), new long[] {1});
        if (exact.size() > settings.exactDistinctLimit) overflow();
      }
    } else {
      hll.update(hash(s));
      freq.update(s.toString());
    }
  }

  /** The number a string spells (decimal notation only), or NaN if it is not one. */
  static double parseNumber(UTF8String s) {
    int n = s.numBytes();
    if (n == 0 || n > 40) return Double.NaN;
    boolean digit = false;
    for (int i = 0; i < n; i++) {
      byte b = org.apache.spark.unsafe.Platform.getByte(s.getBaseObject(), s.getBaseOffset() + i);
      if (b >= '0' && b <= '9') digit = true;
      else if (b != '-' && b != '+' && b != '.' && b != 'e' && b != 'E' && b != ' ') return Double.NaN;
    }
    if (!digit) return Double.NaN;
    try {
      return Double.parseDouble(s.toString().trim());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static long hash(UTF8String s) {
    return XXH64.hashUnsafeBytes(s.getBaseObject(), s.getBaseOffset(), s.numBytes(), HASH_SEED);
  }

  boolean isExact() {
    return exact != null;
  }

  private void overflow() {
    hll = new HllSketch(settings.hllLgK, TgtHllType.HLL_8);
    freq = new ItemsSketch<>(settings.frequentItemsMapSize);
    for (Map.Entry<UTF8String, long[]> e : exact.entrySet()) {
      hll.update(hash(e.getKey()));
      freq.update(e.getKey().toString(), e.getValue()[0]);
    }
    exact = null;
  }

  void merge(StringAccumulator o) {
    count += o.count;
    empty += o.empty;
    lenMin = Math.min(lenMin, o.lenMin);
    lenMax = Math.max(lenMax, o.lenMax);
    lenSum += o.lenSum;
    if (parsed != null && o.parsed != null) parsed.merge(o.parsed);
    else parsed = null;
    if (exact != null && o.exact != null) {
      for (Map.Entry<UTF8String, long[]> e : o.exact.entrySet()) {
        long[] c = exact.get(e.getKey());
        if (c != null) c[0] += e.getValue()[0];
        else exact.put(e.getKey(), e.getValue());
      }
      if (exact.size() > settings.exactDistinctLimit) overflow();
      return;
    }
    if (exact != null) overflow();
    if (o.exact != null) o.overflow();
    Union u = new Union(settings.hllLgK);
    u.update(hll);
    u.update(o.hll);
    hll = u.getResult(TgtHllType.HLL_8);
    freq.merge(o.freq);
  }

  long distinct() {
    return exact != null ? exact.size() : Math.round(hll.getEstimate());
  }

  /** Values with counts, most frequent first (ties by value). */
  List<ValueCount> top(int k) {
    List<ValueCount> all = new ArrayList<>();
    if (exact != null) {
      for (Map.Entry<UTF8String, long[]> e : exact.entrySet()) {
        all.add(new ValueCount(e.getKey().toString(), e.getValue()[0]));
      }
    } else {
      for (ItemsSketch.Row<String> r : freq.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)) {
        all.add(new ValueCount(r.getItem(), r.getEstimate()));
      }
    }
    all.sort((a, b) -> a.count != b.count ? Long.compare(b.count, a.count) : a.value.compareTo(b.value));
    return new ArrayList<>(all.subList(0, Math.min(k, all.size())));
  }

  /** All distinct values with counts; only in exact mode. */
  Map<String, Long> exactCounts() {
    Map<String, Long> m = new HashMap<>();
    for (Map.Entry<UTF8String, long[]> e : exact.entrySet()) m.put(e.getKey().toString(), e.getValue()[0]);
    return m;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    boolean sketches = exact == null;
    out.writeBoolean(sketches);
    if (sketches) {
      NumericAccumulator.writeBytes(out, hll.toCompactByteArray());
      NumericAccumulator.writeBytes(out, freq.toByteArray(new ArrayOfStringsSerDe()));
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    if (in.readBoolean()) {
      hll = HllSketch.heapify(NumericAccumulator.readBytes(in));
      freq = ItemsSketch.getInstance(Memory.wrap(NumericAccumulator.readBytes(in)), new ArrayOfStringsSerDe());
    }
  }
}
