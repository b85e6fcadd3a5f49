package io.omelet.explain;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;

import org.apache.spark.sql.catalyst.CatalystTypeConverters;

/**
 * Everything executors need to lay out and fold back one row's evaluations: the coalitions, the
 * background, and the dedup rule shared by the generator and the aggregator.
 */
final class EvaluationPlan implements Serializable {
  private static final long serialVersionUID = 1L;
  final long[] masks;
  final double[] coalitionWeights;
  final Object[][] background;
  final double[] backgroundWeights;
  final int m;
  final int carried;
  final long full;
  /** codes[b][j]: background row b's value of feature j as a small integer, equal values equal codes. */
  final int[][] codes;
  /** Per feature, the code of each distinct background value. */
  final HashMap<Object, Integer>[] codeOf;

  /** {@code background}'s values are converted to Spark's internal form (UTF8String for strings, ...). */
  @SuppressWarnings("unchecked")
  EvaluationPlan(Coalitions c, Background b, int m, int carried) {
    this.masks = c.masks;
    this.coalitionWeights = c.weights;
    this.background = new Object[b.rows.length][];
    for (int r = 0; r < b.rows.length; r++) {
      background[r] = new Object[b.rows[r].length];
      for (int j = 0; j < b.rows[r].length; j++) {
        background[r][j] = CatalystTypeConverters.createToCatalystConverter(b.schema.fields()[j].dataType())
            .apply(b.rows[r][j]);
      }
    }
    this.backgroundWeights = b.weights;
    this.m = m;
    this.carried = carried;
    this.full = m == 64 ? -1L : (1L << m) - 1;
    codeOf = new HashMap[m];
    codes = new int[background.length][m];
    for (int j = 0; j < m; j++) {
      HashMap<Object, Integer> known = new HashMap<>();
      for (int r = 0; r < background.length; r++) {
        Object v = background[r][j];
        codes[r][j] = known.computeIfAbsent(v == null ? NULL : v, key -> known.size());
      }
      codeOf[j] = known;
    }
  }

  /** Bit j set where background row b equals x on feature j. */
  long[] equalities(Object[] x) {
    int[] xc = new int[m];
    for (int j = 0; j < m; j++) xc[j] = codeOf[j].getOrDefault(x[j] == null ? NULL : x[j], -1);
    long[] eq = new long[background.length];
    for (int b = 0; b < background.length; b++) {
      long e = 0;
      int[] bc = codes[b];
      for (int j = 0; j < m; j++) if (bc[j] == xc[j]) e |= 1L << j;
      eq[b] = e;
    }
    return eq;
  }

  /**
   * Lays out the distinct evaluations of one row; evaluation 0 is x itself. Coalition z with
   * background row b gives the row "x where z or where b equals x, b elsewhere", so it is the same
   * row as any other (z', b') with the same set of x-valued features and equal background values
   * on the rest: each such row is evaluated once.
   */
  Layout layout(long[] eq, SyntheticRowTable table) {
    int k = masks.length;
    int nb = background.length;
    int[] index = new int[k * nb];
    int[] evalBackground = new int[Math.max(16, k)];
    long[] evalKey = new long[evalBackground.length];
    int count = 1;
    table.reset(k * nb);
    for (int b = 0; b < nb; b++) {
      long e = eq[b];
      int[] bc = codes[b];
      for (int c = 0; c < k; c++) {
        long key = masks[c] | e;
        int idx;
        if (key == full) {
          idx = 0;
        } else {
          long h = key * 0x9E3779B97F4A7C15L;
          for (long rest = ~key & full; rest != 0; rest &= rest - 1) {
            h = (h ^ bc[Long.numberOfTrailingZeros(rest)]) * 0xBF58476D1CE4E5B9L;
          }
          idx = table.find(h, key, bc, codes);
          if (idx < 0) {
            idx = count++;
            if (idx >= evalKey.length) {
              evalKey = Arrays.copyOf(evalKey, evalKey.length * 2);
              evalBackground = Arrays.copyOf(evalBackground, evalBackground.length * 2);
            }
            evalKey[idx] = key;
            evalBackground[idx] = b;
            table.insert(h, key, b, idx);
          }
        }
        index[c * nb + b] = idx;
      }
    }
    return new Layout(index, evalKey, evalBackground, count);
  }

  /** Stands for a missing value among the codes (HashMap keys cannot tell null from absent). */
  private static final String NULL = "\u0000omelet-null";

  /**
   * Open-addressing table of the synthetic rows seen for one explained row, keyed by the x-valued
   * feature set and the background values elsewhere (compared exactly on a hash match). Reused from
   * row to row by one task.
   */
  static final class SyntheticRowTable {
    private long[] hashes = new long[0];
    private long[] keys;
    private int[] reps;
    private int[] vals;
    private int[] stamp;
    private int generation;
    private int mask;

    void reset(int maxEntries) {
      int cap = Integer.highestOneBit(Math.max(16, maxEntries * 2) - 1) << 1;
      if (hashes.length != cap) {
        hashes = new long[cap];
        keys = new long[cap];
        reps = new int[cap];
        vals = new int[cap];
        stamp = new int[cap];
        generation = 0;
        mask = cap - 1;
      }
      generation++;
    }

    int find(long h, long key, int[] codes, int[][] allCodes) {
      int i = (int) (h ^ (h >>> 32)) & mask;
      while (stamp[i] == generation) {
        if (hashes[i] == h && keys[i] == key && sameOutside(key, codes, allCodes[reps[i]])) return vals[i];
        i = (i + 1) & mask;
      }
      return -1;
    }

    void insert(long h, long key, int rep, int val) {
      int i = (int) (h ^ (h >>> 32)) & mask;
      while (stamp[i] == generation) i = (i + 1) & mask;
      stamp[i] = generation;
      hashes[i] = h;
      keys[i] = key;
      reps[i] = rep;
      vals[i] = val;
    }

    private static boolean sameOutside(long key, int[] a, int[] b) {
      for (int j = 0; j < a.length; j++) if (((key >>> j) & 1L) == 0 && a[j] != b[j]) return false;
      return true;
    }
  }

  record Layout(int[] index, long[] evalKey, int[] evalBackground, int count) {}

  static byte[] pack(long[] eq) {
    ByteBuffer buf = ByteBuffer.allocate(eq.length * 8);
    for (long e : eq) buf.putLong(e);
    return buf.array();
  }

  static long[] unpack(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    long[] eq = new long[bytes.length / 8];
    for (int i = 0; i < eq.length; i++) eq[i] = buf.getLong();
    return eq;
  }
}
