package io.omelet.common;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.functions;

/**
 * Draws {@code n} rows uniformly at random (every subset of n rows equally likely), reproducibly by seed,
 * in one Spark job without sorting the data: every row gets a seeded uniform key and the n smallest keys
 * win. Spark plans {@code orderBy(rand).limit(n)} as {@code TakeOrderedAndProject}, a top-n kept per
 * partition and merged on the driver, so the cost is one pass and n rows per partition in memory.
 * Sampling a fraction first and cutting at n would favour the first partitions; this does not.
 *
 * <p>The same seed gives the same rows for the same data in the same partitions ({@code rand} is seeded per
 * partition). Fewer than n rows: all of them.
 */
public final class RowSampler {
  private RowSampler() {}

  public static <T> Dataset<T> sample(Dataset<T> data, int n, long seed) {
    if (n < 0) throw new IllegalArgumentException("cannot sample " + n + " rows");
    return data.orderBy(functions.rand(seed)).limit(n);
  }
}
