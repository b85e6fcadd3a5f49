package io.omelet.common;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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

  /**
   * The same draw when the data's row count is known: rows whose key is past a threshold that at least
   * n keys stay under (n plus six standard deviations) are dropped before the top-n, so each partition
   * sends its share of n rows, not n. The rows are those {@link #sample(Dataset, int, long)} draws unless
   * fewer than n keys fall under the threshold (probability below 1e-8), and then all that do.
   */
  public static Dataset<Row> sample(Dataset<Row> data, int n, long seed, long rows) {
    if (n < 0) throw new IllegalArgumentException("cannot sample " + n + " rows");
    if (rows <= n) return sample(data, n, seed);
    double threshold = Math.min(1.0, (n + 6 * Math.sqrt(n) + 10) / rows);
    String key = "__omelet_sample_key";
    Column k = functions.col(key);
    return data.withColumn(key, functions.rand(seed)).filter(k.lt(threshold)).orderBy(k).limit(n).drop(key);
  }
}
