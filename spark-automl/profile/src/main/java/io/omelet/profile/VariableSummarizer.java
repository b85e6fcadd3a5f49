package io.omelet.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.StructField;

/** Turns a column's merged accumulator into its {@link VariableProfile}, deciding its type. */
final class VariableSummarizer {
  private static final double[] QUANTILES = {0.05, 0.25, 0.5, 0.75, 0.95};
  private static final double[] PERCENTILES = new double[101];

  static {
    for (int i = 0; i <= 100; i++) PERCENTILES[i] = i / 100.0;
  }

  private final DataProfiler cfg;

  VariableSummarizer(DataProfiler cfg) {
    this.cfg = cfg;
  }

  VariableProfile summarize(StructField f, ColumnAccumulator acc, long rows) {
    VariableProfile v = new VariableProfile();
    v.name = f.name();
    v.sparkType = f.dataType().simpleString();
    switch (acc.kind) {
      case BOOLEAN -> booleanColumn(v, acc);
      case UNSUPPORTED -> {
        v.type = VariableType.UNSUPPORTED;
        v.missing = acc.nulls;
        v.typeReason = "nested, array, map and binary columns are not profiled";
      }
      case DATE, TIMESTAMP -> dateColumn(v, acc, acc.kind == ColumnKind.DATE);
      case STRING -> stringColumn(v, acc);
      default -> numericColumn(v, acc.num, acc.nulls, acc.kind == ColumnKind.BYTE || acc.kind == ColumnKind.SHORT
          || acc.kind == ColumnKind.INT || acc.kind == ColumnKind.LONG);
    }
    v.count = rows - v.missing;
    v.missingPct = rows == 0 ? 0 : 100.0 * v.missing / rows;
    if (v.distinct != null) v.uniquePct = v.count == 0 ? 0.0 : 100.0 * v.distinct / v.count;
    return v;
  }

  private void booleanColumn(VariableProfile v, ColumnAccumulator acc) {
    v.type = VariableType.BOOL;
    v.missing = acc.nulls;
    v.distinct = (long) ((acc.trues > 0 ? 1 : 0) + (acc.falses > 0 ? 1 : 0));
    v.distinctExact = true;
    List<ValueCount> top = new ArrayList<>();
    if (acc.trues > 0) top.add(new ValueCount("true", acc.trues));
    if (acc.falses > 0) top.add(new ValueCount("false", acc.falses));
    top.sort((a, b) -> Long.compare(b.count, a.count));
    v.topValues = top;
    v.topValuesExact = true;
    v.imbalance = imbalance(new long[] {acc.trues, acc.falses});
  }

  private void numericColumn(VariableProfile v, NumericAccumulator num, long nulls, boolean integralType) {
    v.missing = nulls + num.nan;
    v.distinct = num.distinct();
    v.distinctExact = num.isExact();
    numericStats(v, num);
    v.topValues = topNumbers(num, integralType);
    v.topValuesExact = num.isExact();
    boolean integralValues = integralType || (num.isExact() && allIntegral(num.exactValues()));
    if (num.isExact() && v.distinct == 2 && integralValues) {
      v.type = VariableType.BOOL;
      v.typeReason = "two distinct integer values";
    } else if (num.isExact() && v.distinct >= 3 && v.distinct <= cfg.getLowCategoricalThreshold()) {
      v.type = VariableType.CAT;
      v.typeReason = "numeric with only " + v.distinct + " distinct values";
    } else {
      v.type = VariableType.NUM;
    }
    if (v.type != VariableType.NUM && num.isExact()) v.imbalance = imbalance(num.exactCounts());
  }

  private void numericStats(VariableProfile v, NumericAccumulator num) {
    long finite = num.finiteCount();
    v.nan = num.nan;
    v.infinite = num.posInf + num.negInf;
    long nonMissing = num.count;
    v.infinitePct = nonMissing == 0 ? 0.0 : 100.0 * v.infinite / nonMissing;
    v.zeros = num.zeros;
    v.zerosPct = nonMissing == 0 ? 0.0 : 100.0 * num.zeros / nonMissing;
    v.negatives = num.negatives;
    v.negativesPct = nonMissing == 0 ? 0.0 : 100.0 * num.negatives / nonMissing;
    if (finite == 0) return;
    num.moments.center();
    v.mean = num.moments.mean;
    v.std = num.moments.std();
    v.min = num.min;
    v.max = num.max;
    v.sum = num.sum;
    v.skewness = num.moments.skewness();
    v.kurtosis = num.moments.kurtosis();
    v.cv = v.std == null || v.mean == 0 ? null : v.std / Math.abs(v.mean);
    double[] fr = new double[QUANTILES.length + PERCENTILES.length];
    System.arraycopy(QUANTILES, 0, fr, 0, QUANTILES.length);
    System.arraycopy(PERCENTILES, 0, fr, QUANTILES.length, PERCENTILES.length);
    double[] q = num.quantiles(fr);
    v.p5 = q[0];
    v.p25 = q[1];
    v.p50 = q[2];
    v.p75 = q[3];
    v.p95 = q[4];
    v.iqr = v.p75 - v.p25;
    v.percentiles = java.util.Arrays.copyOfRange(q, QUANTILES.length, q.length);
    v.quantilesExact = num.isExact();
    v.histogram = num.histogram(cfg.getHistogramBins());
  }

  private List<ValueCount> topNumbers(NumericAccumulator num, boolean integralType) {
    List<ValueCount> out = new ArrayList<>();
    for (long[] kc : num.top(cfg.getTopK())) {
      double d = num.valueOf(kc[0]);
      String text = integralType ? Long.toString(kc[0]) : formatNumber(d);
      out.add(new ValueCount(text, kc[1]));
    }
    return out;
  }

  static String formatNumber(double d) {
    if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
    return Double.toString(d);
  }

  private static boolean allIntegral(double[] vs) {
    for (double d : vs) if (d != Math.rint(d) || Double.isInfinite(d)) return false;
    return true;
  }

  private void dateColumn(VariableProfile v, ColumnAccumulator acc, boolean days) {
    NumericAccumulator num = acc.num;
    v.type = VariableType.DATE;
    v.missing = acc.nulls;
    v.distinct = num.distinct();
    v.distinctExact = num.isExact();
    if (num.count == 0) return;
    v.minDate = DataProfiler.formatDate(num.min, days);
    v.maxDate = DataProfiler.formatDate(num.max, days);
    v.histogram = num.histogram(cfg.getHistogramBins());
    double[] q = num.quantiles(PERCENTILES);
    v.percentiles = q;
    v.quantilesExact = num.isExact();
    List<ValueCount> top = new ArrayList<>();
    for (long[] kc : num.top(cfg.getTopK())) top.add(new ValueCount(DataProfiler.formatDate(kc[0], days), kc[1]));
    v.topValues = top;
    v.topValuesExact = num.isExact();
  }

  private void stringColumn(VariableProfile v, ColumnAccumulator acc) {
    StringAccumulator str = acc.str;
    v.missing = acc.nulls;
    v.distinct = str.distinct();
    v.distinctExact = str.isExact();
    v.topValues = str.top(cfg.getTopK());
    v.topValuesExact = str.isExact();
    if (str.count > 0) {
      v.minLength = (int) str.lenMin;
      v.maxLength = (int) str.lenMax;
      v.meanLength = (double) str.lenSum / str.count;
    }
    Map<String, Long> counts = str.isExact() ? str.exactCounts() : null;
    if (counts != null && str.count > 0 && counts.size() <= 2 && allBooleanWords(counts.keySet())) {
      v.type = VariableType.BOOL;
      v.typeReason = "strings that spell yes/no values";
      v.imbalance = imbalance(counts.values().stream().mapToLong(Long::longValue).toArray());
      return;
    }
    if (str.parsed != null && str.count > 0) {
      NumericAccumulator num = str.parsed;
      v.missing = acc.nulls + num.nan;
      v.distinct = num.distinct();
      v.distinctExact = num.isExact();
      numericStats(v, num);
      boolean integralValues = num.isExact() && allIntegral(num.exactValues());
      if (num.isExact() && v.distinct >= 3 && v.distinct <= cfg.getLowCategoricalThreshold()) {
        v.type = VariableType.CAT;
        v.typeReason = "strings of numbers with only " + v.distinct + " distinct values";
      } else if (num.isExact() && v.distinct == 2 && integralValues) {
        v.type = VariableType.BOOL;
        v.typeReason = "strings of two integer values";
      } else {
        v.type = VariableType.NUM;
        v.typeReason = "strings that all parse as numbers";
      }
      return;
    }
    boolean texty = v.distinct > cfg.getHighCardinalityAlert()
        && str.count > 0 && (double) v.distinct / str.count > cfg.getTextUniqueRatio();
    v.type = texty ? VariableType.TEXT : VariableType.CAT;
    if (counts != null) v.imbalance = imbalance(counts.values().stream().mapToLong(Long::longValue).toArray());
  }

  private static boolean allBooleanWords(java.util.Set<String> values) {
    for (String s : values) if (!DataProfiler.BOOLEAN_WORDS.contains(s.trim().toLowerCase(Locale.ROOT))) return false;
    return true;
  }

  /** 1 - H / log(k): 0 for a perfectly balanced column, near 1 when one value dominates. */
  static Double imbalance(long[] counts) {
    long n = 0;
    int k = 0;
    for (long c : counts) {
      n += c;
      if (c > 0) k++;
    }
    if (k < 2) return null;
    double h = 0;
    for (long c : counts) {
      if (c == 0) continue;
      double p = (double) c / n;
      h -= p * Math.log(p);
    }
    return Math.max(0, 1 - h / Math.log(k));
  }
}
