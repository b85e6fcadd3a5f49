package io.omelet.examples.bench;

import io.omelet.examples.DataDir;
import com.amazon.deequ.profiles.ColumnProfilerRunner;
import com.amazon.deequ.profiles.ColumnProfiles;
import io.omelet.profile.DataProfiler;
import io.omelet.profile.Profile;
import io.omelet.profile.ProfileMode;
import io.omelet.registry.OmeletSpark;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * bin/bench profile: Omelet's univariate and full profiles next to Deequ's ColumnProfilerRunner on
 * the same cached inputs (flights 3M rows; lending_club replicated to 1M rows), median of 3 runs
 * (or of the count given as first argument) after one warm-up run of each.
 */
public final class ProfileBench implements Benchmark {
  private int runs = 3;

  @Override
  public String name() {
    return "profile";
  }

  @Override
  public String description() {
    return "Omelet DataProfiler vs Deequ ColumnProfilerRunner on cached flights-3m and lending_club x1M";
  }

  @Override
  public void run(String[] args) throws Exception {
    if (args.length > 0) runs = Integer.parseInt(args[0]);
    Path data = DataDir.get();
    SparkSession spark = OmeletSpark.builder("bench-profile", "local[2]").getOrCreate();
    int parts = spark.sparkContext().defaultParallelism() * 2;

    Dataset<Row> flights = spark.read().parquet(data.resolve("flights-3m.parquet").toString())
        .repartition(parts).cache();
    System.err.println("flights rows " + flights.count() + ", partitions " + flights.rdd().getNumPartitions());
    compare("flights", flights);
    flights.unpersist(true);

    Dataset<Row> lending = spark.read().option("header", "true").option("inferSchema", "true")
        .csv(data.resolve("lending_club.csv").toString());
    Dataset<Row> lending1m = replicate(spark, lending, 1_000_000L, parts).cache();
    System.err.println("lending rows " + lending1m.count() + ", partitions " + lending1m.rdd().getNumPartitions());
    compare("lending1m", lending1m);
    lending1m.unpersist(true);
  }

  /** The table repeated row by row up to {@code rows} rows, spread over {@code parts} partitions. */
  static Dataset<Row> replicate(SparkSession spark, Dataset<Row> table, long rows, int parts) {
    Dataset<Row> indexed = table.coalesce(1).withColumn("__idx", functions.monotonically_increasing_id());
    long n = indexed.count();
    return spark.range(0, rows, 1, parts)
        .join(functions.broadcast(indexed), functions.col("id").mod(n).equalTo(functions.col("__idx")))
        .drop("id", "__idx");
  }

  private void compare(String label, Dataset<Row> df) {
    DataProfiler univariate = new DataProfiler().setMode(ProfileMode.UNIVARIATE);
    DataProfiler full = new DataProfiler().setMode(ProfileMode.FULL);
    Supplier<Object> omelet = () -> univariate.profile(df);
    Supplier<Object> omeletFull = () -> full.profile(df);
    Supplier<Object> deequ = () -> {
      // Deequ prints notes ("Unable to map type ...") on stdout, which carries figures only here.
      PrintStream out = System.out;
      System.setOut(System.err);
      try {
        ColumnProfiles p = new ColumnProfilerRunner().onData(df).run();
        return p;
      } finally {
        System.setOut(out);
      }
    };
    // One warm-up each (JIT, code generation), then alternate so drift in machine load hits all three.
    time(omelet);
    time(deequ);
    time(omeletFull);
    double[] o = new double[runs], d = new double[runs], f = new double[runs];
    for (int r = 0; r < runs; r++) {
      o[r] = time(omelet);
      d[r] = time(deequ);
      f[r] = time(omeletFull);
      System.err.printf("%s run %d: omelet %.2f s, deequ %.2f s, omelet full %.2f s%n", label, r, o[r], d[r], f[r]);
    }
    double om = Figures.median(o), dm = Figures.median(d), fm = Figures.median(f);
    System.err.printf("%s median: omelet %.2f s, deequ %.2f s, omelet full %.2f s%n", label, om, dm, fm);
    Figures.print("omelet_" + label + "_s", om);
    Figures.print("deequ_" + label + "_s", dm);
    Figures.print("ratio_" + label, om / dm);
    Figures.print("full_ratio_" + label, fm / dm);
    Profile last = full.profile(df);
    System.err.println(label + " profile: " + last.overview.types + ", alerts " + last.alerts.size());
  }

  private static double time(Supplier<Object> s) {
    long t0 = System.nanoTime();
    s.get();
    return Figures.since(t0);
  }
}
