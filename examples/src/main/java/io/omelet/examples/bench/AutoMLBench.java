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
 * bin/bench automl: Omelet's AutoML (maxModels 10, default settings) against Spark MLlib's own
 * answer (a 3-fold CrossValidator over GBTClassifier maxDepth {3,5,7} x maxIter {20,50} in a
 * StringIndexer / OneHotEncoder / Imputer / VectorAssembler pipeline) on lending_club and
 * credit_data, each the mean over three 80/20 splits (seeds 1, 2, 3) of the test AUC and the wall
 * seconds of the fit; then {@code convert_rows_per_s}, the Spark-to-H2O conversion of
 * lending_club replicated to 1M rows (cached first), median of 3 after one warm-up run.
 * {@code bin/bench automl convert} prints the conversion figure alone; {@code bin/bench automl
 * lending_club} (or {@code credit_data}) runs that comparison alone.
 */
public final class AutoMLBench implements Benchmark {
  static final long ROWS = 1_000_000L;

  @Override
  public String name() {
    return "automl";
  }

  @Override
  public String description() {
    return "AutoML vs MLlib CV grid (AUC, seconds) on lending_club and credit_data; Spark-to-H2O rows/s on 1M rows";
  }

  @Override
  public void run(String[] args) throws Exception {
    SparkSession spark = OmeletSpark.builder("omelet-bench-automl", "local[2]").getOrCreate();
    EmbeddedH2OEngine engine = EmbeddedH2OEngine.get();
    engine.start();
    String only = args.length > 0 ? args[0] : "";
    if (only.isEmpty() || only.equals("lending_club")) AutoMLComparison.compare(spark, "lending_club", "Class", "bad");
    if (only.isEmpty() || only.equals("credit_data")) AutoMLComparison.compare(spark, "credit_data", "Status", "bad");
    if (!only.isEmpty() && !only.equals("convert")) return;
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
