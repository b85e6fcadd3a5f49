package io.omelet.examples.bench;

import io.omelet.examples.DataDir;
import io.omelet.automl.engine.EmbeddedH2OEngine;
import io.omelet.registry.OmeletSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import water.Key;
import water.fvec.Frame;

/**
 * bin/bench automl: Omelet's AutoML against what users would pick instead, on every shipped data
 * set with a target (see {@link AutoMLComparison}): per data set the test metric of each tool
 * (mean of three splits), its seconds, and {@code omelet_minus_best_anchor_<data>} (positive:
 * Omelet's {@code balanced} profile beats the best anchor). Then {@code convert_rows_per_s}, the
 * Spark-to-H2O conversion of lending_club replicated to 1M rows (cached first), median of 3 after
 * one warm-up run. {@code bin/bench automl convert} prints the conversion figure alone;
 * {@code bin/bench automl german_credit penguins} runs those data sets alone.
 */
public final class AutoMLBench implements Benchmark {
  static final long ROWS = 1_000_000L;

  @Override
  public String name() {
    return "automl";
  }

  @Override
  public String description() {
    return "AutoML (balanced, maxModels 10) vs MLlib CV grid, sklearn HistGradientBoosting, XGBoost+Optuna on 6 data sets; Spark-to-H2O rows/s";
  }

  @Override
  public void run(String[] args) throws Exception {
    SparkSession spark = OmeletSpark.builder("omelet-bench-automl", "local[2]").getOrCreate();
    EmbeddedH2OEngine engine = EmbeddedH2OEngine.get();
    engine.start();
    java.util.Set<String> only = new java.util.LinkedHashSet<>(java.util.List.of(args));
    java.nio.file.Path work = java.nio.file.Files.createTempDirectory("omelet-bench-automl");
    for (AutoMLComparison.Case c : AutoMLComparison.CASES) {
      if (only.isEmpty() || only.contains(c.name())) AutoMLComparison.compare(spark, c, work);
    }
    if (!only.isEmpty() && !only.contains("convert")) return;
    Dataset<Row> lc = DataDir.csv(spark, "lending_club.csv");
    long base = lc.count();
    long copies = (ROWS + base - 1) / base;
    Dataset<Row> big = lc.crossJoin(spark.range(copies).withColumnRenamed("id", "copy_id"))
        .drop("copy_id").limit((int) ROWS).repartition(2).cache();
    long n = big.count();
    // One conversion to warm the JIT up, not counted.
    engine.toH2OFrame(big, Key.make("bench_convert_warmup")).delete();
    double[] rates = new double[3];
    for (int i = 0; i < rates.length; i++) {
      long t0 = System.nanoTime();
      Frame fr = engine.toH2OFrame(big, Key.make("bench_convert_" + i));
      double s = Figures.since(t0);
      if (fr.numRows() != n) throw new IllegalStateException("converted " + fr.numRows() + " of " + n);
      fr.delete();
      rates[i] = n / s;
      System.err.printf("conversion %d: %d rows in %.2f s%n", i, n, s);
    }
    Figures.print("convert_rows_per_s", Figures.median(rates));
  }
}
