package io.omelet.scoring;

import io.omelet.common.FeatureCodec;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.util.LongAccumulator;
import scala.collection.JavaConverters;

/**
 * What a Spark scoring path does with a value {@link FeatureCodec} cannot coerce (the string
 * "abc" for a numeric feature): by default it is scored as missing and counted, per query, in a
 * named accumulator (shown on the stage's page of the Spark UI, and read back with
 * {@link #uncoercedValues(Dataset)}); with {@code spark.omelet.scoring.strict=true} the query
 * fails, naming the feature, the column and the value.
 */
public final class CoercionPolicy implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CoercionPolicy.class);

  /** Session setting: fail a query on the first value that cannot be coerced. */
  public static final String STRICT_CONF = "spark.omelet.scoring.strict";

  /** Lenient and uncounted: for schema checks that never score a row. */
  static final CoercionPolicy UNCOUNTED = new CoercionPolicy(false, null, "scoring");

  /** Scores of DataFrame transforms (no expression in their plan) by the RDD they produce. */
  private static final Map<RDD<?>, LongAccumulator> BY_RDD = Collections.synchronizedMap(new WeakHashMap<>());

  private final boolean strict;
  private final LongAccumulator uncoerced;
  private final String what;
  /** Set once this copy (one per task) has logged a refused value: one warning per task, not per cell. */
  private transient volatile boolean warned;

  private CoercionPolicy(boolean strict, LongAccumulator uncoerced, String what) {
    this.strict = strict;
    this.uncoerced = uncoerced;
    this.what = what;
  }

  /** The policy of one query scoring with {@code what} (e.g. "omelet_predict('churn@champion')"). */
  public static CoercionPolicy forQuery(SparkSession spark, String what) {
    boolean strict = Boolean.parseBoolean(spark.conf().get(STRICT_CONF, "false").trim());
    LongAccumulator counter = spark.sparkContext().longAccumulator(what + ": values not coercible, scored as missing");
    return new CoercionPolicy(strict, counter, what);
  }

  public boolean strict() {
    return strict;
  }

  /** Values this policy's query has scored as missing so far (complete once its job has ended). */
  public long uncoerced() {
    return uncoerced == null ? 0 : uncoerced.value();
  }

  /**
   * Handles one value the codec refused, on an executor: throws when strict, else counts it (and
   * logs the first one this JVM sees) so the caller writes a missing value.
   */
  void refuse(String feature, String column, String columnType, FeatureCodec.NotCoercible e) {
    String message = what + ": feature " + feature + " (column " + column + ", " + columnType + "): "
        + e.value() + " is not " + e.expected();
    if (strict) {
      throw new IllegalArgumentException(message + " (" + STRICT_CONF + "=true; set it to false to score"
          + " such values as missing and count them)");
    }
    if (uncoerced != null) uncoerced.add(1);
    if (!warned) {
      warned = true;
      LOG.warn("{}; scored as missing (such values are counted per query; {}=true makes them an error)",
          message, STRICT_CONF);
    }
  }

  /** Remembers the policy of a DataFrame transform's output RDD, for {@link #uncoercedValues}. */
  static void track(RDD<?> output, CoercionPolicy policy) {
    if (policy.uncoerced != null) BY_RDD.put(output, policy.uncoerced);
  }

  /**
   * The values scored as missing, because they could not be coerced, by every Omelet scoring step
   * in {@code df}'s plan ({@code omelet_predict}, {@code omelet_explain}, {@code MojoScorer},
   * {@code AutoMLModel.transform}), summed over the runs of {@code df} so far: 0 before an action.
   */
  public static long uncoercedValues(Dataset<?> df) {
    Set<LongAccumulator> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<LogicalPlan> plans = new ArrayDeque<>();
    plans.push(df.queryExecution().analyzed());
    while (!plans.isEmpty()) {
      LogicalPlan p = plans.pop();
      if (p instanceof LogicalRDD rdd) {
        LongAccumulator a = BY_RDD.get(rdd.rdd());
        if (a != null) seen.add(a);
      }
      for (Expression e : JavaConverters.seqAsJavaList(p.expressions())) collect(e, seen);
      for (LogicalPlan c : JavaConverters.seqAsJavaList(p.children())) plans.push(c);
    }
    long total = 0;
    for (LongAccumulator a : seen) total += a.value();
    return total;
  }

  private static void collect(Expression e, Set<LongAccumulator> seen) {
    if (e instanceof MojoFunction m && m.binding().policy().uncoerced != null) seen.add(m.binding().policy().uncoerced);
    for (Expression c : JavaConverters.seqAsJavaList(e.children())) collect(c, seen);
  }
}
