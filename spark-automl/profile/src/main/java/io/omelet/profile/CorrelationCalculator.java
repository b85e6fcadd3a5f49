package io.omelet.profile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * Correlations on the driver over a bounded uniform sample: Pearson and Spearman on pairwise
 * complete rows of numeric columns; Cramér's V between categoricals, and between categoricals and
 * numerics cut into quantile bins.
 */
final class CorrelationCalculator {
  private static final int MAX_CATEGORIES = 50;
  private static final int MIN_PAIRS = 3;
  private static final int TOP_PAIRS = 30;
  static final double STRONG = 0.9;

  private final int maxColumns;
  private final int numericBins;

  CorrelationCalculator(int maxColumns, int numericBins) {
    this.maxColumns = maxColumns;
    this.numericBins = Math.max(2, Math.min(10, numericBins));
  }

  Correlations compute(List<VariableProfile> vars, List<Row> rows, long totalRows) {
    Correlations out = new Correlations();
    out.sampleRows = rows.size();
    out.sampled = rows.size() < totalRows;
    List<Integer> nums = new ArrayList<>(), cats = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      VariableProfile v = vars.get(i);
      if (v.count == 0 || v.distinct == null || v.distinct < 2) continue;
      if (v.type == VariableType.NUM && nums.size() < maxColumns) nums.add(i);
      else if ((v.type == VariableType.CAT || v.type == VariableType.BOOL) && cats.size() < maxColumns) cats.add(i);
    }
    int n = rows.size();
    double[][] x = new double[nums.size()][n];
    for (int a = 0; a < nums.size(); a++) {
      int col = nums.get(a);
      for (int r = 0; r < n; r++) x[a][r] = numeric(rows.get(r), col);
    }
    String[] numNames = names(vars, nums);
    out.pearson = new CorrelationMatrix("pearson", numNames, pairwise(x, false));
    out.spearman = new CorrelationMatrix("spearman", numNames, pairwise(x, true));

    // Cramér's V: categoricals as codes, numerics binned on sample quantiles.
    List<Integer> vcols = new ArrayList<>(cats);
    vcols.addAll(nums);
    int[][] codes = new int[vcols.size()][];
    int[] levels = new int[vcols.size()];
    for (int a = 0; a < vcols.size(); a++) {
      int col = vcols.get(a);
      if (a < cats.size()) codes[a] = categoryCodes(rows, col);
      else codes[a] = binCodes(x[a - cats.size()], numericBins);
      int max = -1;
      for (int c : codes[a]) max = Math.max(max, c);
      levels[a] = max + 1;
    }
    int vn = vcols.size();
    Double[][] v = new Double[vn][vn];
    for (int a = 0; a < vn; a++) {
      v[a][a] = 1.0;
      for (int b = a + 1; b < vn; b++) {
        boolean bothNumeric = a >= cats.size() && b >= cats.size();
        Double val = bothNumeric ? null : cramersV(codes[a], levels[a], codes[b], levels[b]);
        v[a][b] = val;
        v[b][a] = val;
      }
    }
    out.cramersV = new CorrelationMatrix("cramers_v", names(vars, vcols), v);

    List<CorrelationPair> pairs = new ArrayList<>();
    collect(out.pearson, pairs);
    collect(out.spearman, pairs);
    collect(out.cramersV, pairs);
    pairs.sort((p, q) -> Double.compare(Math.abs(q.value), Math.abs(p.value)));
    int keep = 0;
    while (keep < pairs.size() && (keep < TOP_PAIRS || Math.abs(pairs.get(keep).value) >= STRONG)) keep++;
    out.topPairs = new ArrayList<>(pairs.subList(0, keep));
    return out;
  }

  private static String[] names(List<VariableProfile> vars, List<Integer> idx) {
    String[] s = new String[idx.size()];
    for (int i = 0; i < s.length; i++) s[i] = vars.get(idx.get(i)).name;
    return s;
  }

  private static void collect(CorrelationMatrix m, List<CorrelationPair> out) {
    for (int a = 0; a < m.columns.length; a++) {
      for (int b = a + 1; b < m.columns.length; b++) {
        Double val = m.values[a][b];
        if (val != null && !val.isNaN()) out.add(new CorrelationPair(m.method, m.columns[a], m.columns[b], val));
      }
    }
  }

  /** The value as a finite double, NaN when missing or not a number. */
  static double numeric(Row row, int col) {
    if (row.isNullAt(col)) return Double.NaN;
    Object o = row.get(col);
    double d;
    if (o instanceof Number num) d = num.doubleValue();
    else if (o instanceof Boolean b) d = b ? 1 : 0;
    else {
      try {
        d = Double.parseDouble(o.toString().trim());
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.isInfinite(d) ? Double.NaN : d;
  }

  private Double[][] pairwise(double[][] x, boolean ranks) {
    int p = x.length;
    Double[][] m = new Double[p][p];
    boolean[] complete = new boolean[p];
    double[][] fullRanks = new double[p][];
    for (int a = 0; a < p; a++) {
      complete[a] = Arrays.stream(x[a]).noneMatch(Double::isNaN);
      if (ranks && complete[a]) fullRanks[a] = rank(x[a]);
    }
    for (int a = 0; a < p; a++) {
      m[a][a] = 1.0;
      for (int b = a + 1; b < p; b++) {
        double r;
        if (!ranks) r = pearson(x[a], x[b]);
        else if (complete[a] && complete[b]) r = pearson(fullRanks[a], fullRanks[b]);
        else {
          double[][] ab = completePairs(x[a], x[b]);
          r = ab[0].length < MIN_PAIRS ? Double.NaN : pearson(rank(ab[0]), rank(ab[1]));
        }
        Double val = Double.isNaN(r) ? null : r;
        m[a][b] = val;
        m[b][a] = val;
      }
    }
    return m;
  }

  private static double[][] completePairs(double[] a, double[] b) {
    int k = 0;
    for (int i = 0; i < a.length; i++) if (!Double.isNaN(a[i]) && !Double.isNaN(b[i])) k++;
    double[] x = new double[k], y = new double[k];
    k = 0;
    for (int i = 0; i < a.length; i++) {
      if (!Double.isNaN(a[i]) && !Double.isNaN(b[i])) {
        x[k] = a[i];
        y[k++] = b[i];
      }
    }
    return new double[][] {x, y};
  }

  /** Pearson's r over rows where both are present (two passes for accuracy); NaN if undefined. */
  static double pearson(double[] a, double[] b) {
    long n = 0;
    double sa = 0, sb = 0;
    for (int i = 0; i < a.length; i++) {
      if (Double.isNaN(a[i]) || Double.isNaN(b[i])) continue;
      n++;
      sa += a[i];
      sb += b[i];
    }
    if (n < MIN_PAIRS) return Double.NaN;
    double ma = sa / n, mb = sb / n, saa = 0, sbb = 0, sab = 0;
    for (int i = 0; i < a.length; i++) {
      if (Double.isNaN(a[i]) || Double.isNaN(b[i])) continue;
      double da = a[i] - ma, db = b[i] - mb;
      saa += da * da;
      sbb += db * db;
      sab += da * db;
    }
    if (saa == 0 || sbb == 0) return Double.NaN;
    return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
  }

  /** Ranks 1..n with ties given their average rank. */
  static double[] rank(double[] v) {
    int n = v.length;
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) idx[i] = i;
    Arrays.sort(idx, (i, j) -> Double.compare(v[i], v[j]));
    double[] r = new double[n];
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && v[idx[j + 1]] == v[idx[i]]) j++;
      double avg = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) r[idx[k]] = avg;
      i = j + 1;
    }
    return r;
  }

  /** Codes 0.. for the most frequent categories, one shared code for the rest; -1 when missing. */
  private static int[] categoryCodes(List<Row> rows, int col) {
    Map<String, Integer> freq = new HashMap<>();
    for (Row r : rows) if (!r.isNullAt(col)) freq.merge(String.valueOf(r.get(col)), 1, Integer::sum);
    List<Map.Entry<String, Integer>> byFreq = new ArrayList<>(freq.entrySet());
    byFreq.sort((p, q) -> q.getValue() - p.getValue());
    Map<String, Integer> code = new HashMap<>();
    for (int i = 0; i < byFreq.size(); i++) code.put(byFreq.get(i).getKey(), Math.min(i, MAX_CATEGORIES));
    int[] out = new int[rows.size()];
    for (int i = 0; i < out.length; i++) {
      Row r = rows.get(i);
      out[i] = r.isNullAt(col) ? -1 : code.get(String.valueOf(r.get(col)));
    }
    return out;
  }

  /** Quantile bins of the sample's own values; -1 when missing. */
  static int[] binCodes(double[] x, int bins) {
    double[] present = Arrays.stream(x).filter(d -> !Double.isNaN(d)).sorted().toArray();
    int[] out = new int[x.length];
    if (present.length == 0) {
      Arrays.fill(out, -1);
      return out;
    }
    double[] cuts = new double[bins - 1];
    for (int i = 1; i < bins; i++) cuts[i - 1] = present[(int) ((long) i * (present.length - 1) / bins)];
    double[] distinctCuts = Arrays.stream(cuts).distinct().toArray();
    for (int i = 0; i < x.length; i++) {
      if (Double.isNaN(x[i])) {
        out[i] = -1;
        continue;
      }
      int b = Arrays.binarySearch(distinctCuts, x[i]);
      out[i] = b >= 0 ? b : -b - 1;
    }
    return out;
  }

  /** Cramér's V = sqrt(chi2 / (n * (min(r, c) - 1))) over rows where both are present. */
  static Double cramersV(int[] a, int la, int[] b, int lb) {
    if (la < 2 || lb < 2) return null;
    long[][] t = new long[la][lb];
    long[] ra = new long[la], cb = new long[lb];
    long n = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] < 0 || b[i] < 0) continue;
      t[a[i]][b[i]]++;
      ra[a[i]]++;
      cb[b[i]]++;
      n++;
    }
    if (n < MIN_PAIRS) return null;
    int r = 0, c = 0;
    for (long x : ra) if (x > 0) r++;
    for (long x : cb) if (x > 0) c++;
    if (r < 2 || c < 2) return null;
    double chi2 = 0;
    for (int i = 0; i < la; i++) {
      if (ra[i] == 0) continue;
      for (int j = 0; j < lb; j++) {
        if (cb[j] == 0) continue;
        double e = (double) ra[i] * cb[j] / n;
        double d = t[i][j] - e;
        chi2 += d * d / e;
      }
    }
    return Math.min(1.0, Math.sqrt(chi2 / (n * (double) (Math.min(r, c) - 1))));
  }
}
