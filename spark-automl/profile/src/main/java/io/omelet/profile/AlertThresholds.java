package io.omelet.profile;

/** When alerts fire (a snapshot of a {@link DataProfiler}'s alert Params); defaults follow ydata-profiling's. */
public final class AlertThresholds {
  /** MISSING when more than this percentage of a column is missing. */
  public double missingPct = 5.0;
  /** ZEROS when at least this percentage of a numeric column is zero. */
  public double zerosPct = 10.0;
  /** SKEWED when |skewness| exceeds this. */
  public double skewness = 20.0;
  /** HIGH_CARDINALITY when a categorical column has more distinct values than this. */
  public long highCardinality = 50;
  /** IMBALANCE when the imbalance score (1 - normalized entropy) exceeds this. */
  public double imbalance = 0.5;
  /** HIGH_CORRELATION when a coefficient's absolute value reaches this. */
  public double correlation = 0.9;
  /** UNIFORM when the chi-square test against a uniform distribution has a p-value above this. */
  public double uniformPValue = 0.999;
  /** DUPLICATES when duplicate rows exceed this percentage (0: any duplicate). */
  public double duplicatesPct = 0.0;
}
