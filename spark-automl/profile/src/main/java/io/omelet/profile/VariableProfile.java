package io.omelet.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Statistics of one column. Fields that do not apply to the column's type are null. Numeric
 * statistics ignore missing values (null and NaN) and the infinite values, which are counted apart.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class VariableProfile {
  public String name;
  public VariableType type;
  /** The Spark SQL type, e.g. "int", "string". */
  public String sparkType;
  /** Why the type differs from the Spark type, if it does (e.g. "strings that all parse as numbers"). */
  public String typeReason;

  public long count;
  public long missing;
  public double missingPct;
  /** Null when not computed (UNSUPPORTED columns). */
  public Long distinct;
  /** Whether {@link #distinct} is exact or a HyperLogLog estimate. */
  public Boolean distinctExact;
  public Double uniquePct;

  // NUM (also filled for numeric CAT/BOOL columns and for strings of numbers)
  public Double mean;
  public Double std;
  public Double min;
  public Double max;
  public Long zeros;
  public Double zerosPct;
  public Long negatives;
  public Double negativesPct;
  public Long nan;
  public Long infinite;
  public Double infinitePct;
  public Double p5;
  public Double p25;
  public Double p50;
  public Double p75;
  public Double p95;
  public Double iqr;
  /** Population skewness, as Spark's skewness(). */
  public Double skewness;
  /** Excess kurtosis, as Spark's kurtosis(). */
  public Double kurtosis;
  public Double sum;
  public Double cv;
  /** Whether the quantiles are exact (from exact value counts) or from a KLL sketch. */
  public Boolean quantilesExact;
  /** Percentiles 0, 1, ..., 100: a compact distribution summary for drift tests. */
  public double[] percentiles;
  public Histogram histogram;

  // CAT / BOOL / TEXT
  public List<ValueCount> topValues;
  /** Whether the top-value counts are exact or frequent-items sketch estimates. */
  public Boolean topValuesExact;
  public Integer minLength;
  public Integer maxLength;
  public Double meanLength;
  /** Imbalance score in [0, 1]: 1 - entropy / log(distinct), from exact value counts. */
  public Double imbalance;

  // DATE: min/max as ISO text; histogram edges in epoch days or microseconds
  public String minDate;
  public String maxDate;
}
