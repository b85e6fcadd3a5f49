package io.omelet.examples.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.omelet.registry.ActiveRun;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletSpark;
import io.omelet.registry.Run;
import io.omelet.registry.RunPage;
import io.omelet.registry.SearchRunsRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * bin/bench registry: a fresh registry filled with 100,000 runs x 20 metrics x 10 params (bulk
 * import), then the selective search, get-run and a 10,000-point logging run, timed warm.
 */
public final class RegistryBench implements Benchmark {
  static final int RUNS = 100_000;
  static final int METRICS = 20;
  static final int PARAMS = 10;
  static final String[] ALGOS = {"GBM", "DRF", "XGBoost", "GLM", "DeepLearning"};

  @Override
  public String name() {
    return "registry";
  }

  @Override
  public String description() {
    return "100k runs x 20 metrics x 10 params: search_median_s, get_run_median_s, log_10k_metrics_s";
  }

  @Override
  public void run(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : RUNS;
    SparkSession spark = OmeletSpark.builder("omelet-bench-registry", "local[2]").getOrCreate();
    Path root = Files.createTempDirectory("omelet-bench-registry").resolve("registry");
    OmeletRegistry registry = OmeletRegistry.open(spark, root.toString());
    String exp = registry.createExperiment("bench");

    long t0 = System.nanoTime();
    fill(spark, registry, exp, runs);
    System.err.printf("filled %d runs in %.1f s%n", runs, Figures.since(t0));
    Figures.print("fill_runs", runs);

    SearchRunsRequest search = SearchRunsRequest.in(exp)
        .filter("metrics.auc > 0.9 and params.algo = 'GBM'")
        .orderBy("metrics.auc DESC")
        .maxResults(100);
    int found = 0;
    for (int i = 0; i < 3; i++) found = registry.searchRuns(search).runs().size(); // warm-up
    double[] searchTimes = new double[7];
    RunPage page = null;
    for (int i = 0; i < searchTimes.length; i++) {
      long s = System.nanoTime();
      page = registry.searchRuns(search);
      searchTimes[i] = Figures.since(s);
    }
    check(page.runs().size() == 100 && found == 100, "search returned " + page.runs().size() + " runs");
    double best = page.runs().get(0).data().metric("auc");
    check(best > 0.99 && "GBM".equals(page.runs().get(0).data().params().get("algo")), "wrong top run");
    Figures.print("search_median_s", Figures.median(searchTimes));

    Random rnd = new Random(7);
    for (int i = 0; i < 3; i++) registry.getRun(runId(rnd.nextInt(runs))); // warm-up
    double[] getTimes = new double[11];
    for (int i = 0; i < getTimes.length; i++) {
      String id = runId(rnd.nextInt(runs));
      long s = System.nanoTime();
      Run run = registry.getRun(id);
      getTimes[i] = Figures.since(s);
      check(run.data().metrics().size() == METRICS && run.data().params().size() == PARAMS, "incomplete run " + id);
    }
    Figures.print("get_run_median_s", Figures.median(getTimes));

    long l0;
    String logged;
    try (ActiveRun run = registry.startRun("bench", "log-10k")) {
      logged = run.runId();
      l0 = System.nanoTime();
      for (int i = 0; i < 10_000; i++) run.logMetric("loss", 1.0 / (i + 1), i);
      run.flush();
      Figures.print("log_10k_metrics_s", Figures.since(l0));
    }
    check(registry.getMetricHistory(logged, "loss").size() == 10_000, "lost metric points");
  }

  /** The id of the i-th synthetic run: time-ordered like the registry's own ids. */
  static String runId(long i) {
    return String.format("%012x%020x", 1_700_000_000_000L + i, i);
  }

  /** A fresh registry in a temporary folder with {@code runs} synthetic runs in its experiment "bench". */
  record Filled(SparkSession spark, OmeletRegistry registry, String experimentId) {}

  static Filled filledRegistry(String name, int runs) throws java.io.IOException {
    SparkSession spark = OmeletSpark.builder("omelet-bench-" + name, "local[2]").getOrCreate();
    Path root = Files.createTempDirectory("omelet-bench-" + name).resolve("registry");
    OmeletRegistry registry = OmeletRegistry.open(spark, root.toString());
    String exp = registry.createExperiment("bench");
    long t0 = System.nanoTime();
    fill(spark, registry, exp, runs);
    System.err.printf("filled %d runs in %.1f s%n", runs, Figures.since(t0));
    return new Filled(spark, registry, exp);
  }

  static void fill(SparkSession spark, OmeletRegistry registry, String exp, int runs) {
    Column id = col("id");
    Column runId = format_string("%012x%020x", lit(1_700_000_000_000L).plus(id), id);
    Dataset<Row> runRows = spark.range(runs).select(
        runId.as("run_id"), lit(exp).as("experiment_id"), concat(lit("run-"), id.cast("string")).as("run_name"),
        lit("bench").as("user_id"), lit("RegistryBench").as("source"), lit("FINISHED").as("status"),
        lit(1_700_000_000_000L).plus(id).as("start_time"), lit(1_700_000_000_000L).plus(id).plus(60_000).as("end_time"),
        lit("active").as("lifecycle_stage"),
        concat(lit(registry.root() + "/artifacts/"), runId).as("artifact_uri"));
    // auc uniform in [0.5, 1): a pseudo-random but reproducible function of the run.
    Column unit = pmod(xxhash64(id), lit(1_000_000L)).divide(1_000_000.0);
    Dataset<Row> metricRows = spark.range(runs).crossJoin(spark.range(METRICS).withColumnRenamed("id", "k"))
        .select(runId.as("run_id"),
            when(col("k").equalTo(0), lit("auc")).otherwise(concat(lit("metric_"), col("k").cast("string"))).as("key"),
            when(col("k").equalTo(0), lit(0.5).plus(unit.multiply(0.5))).otherwise(unit.multiply(col("k"))).as("value"),
            lit(1_700_000_000_000L).plus(id).as("timestamp"), lit(0L).as("step"));
    Column algo = lit(ALGOS[0]);
    for (int a = 1; a < ALGOS.length; a++) algo = when(pmod(id, lit(ALGOS.length)).equalTo(a), lit(ALGOS[a])).otherwise(algo);
    Dataset<Row> paramRows = spark.range(runs).crossJoin(spark.range(PARAMS).withColumnRenamed("id", "k"))
        .select(runId.as("run_id"),
            when(col("k").equalTo(0), lit("algo")).otherwise(concat(lit("param_"), col("k").cast("string"))).as("key"),
            when(col("k").equalTo(0), algo).otherwise(pmod(id.plus(col("k")), lit(7)).cast("string")).as("value"),
            lit(1L).as("logged_at_us"));
    registry.importRuns(runRows, metricRows, paramRows, null);
  }

  private static void check(boolean ok, String what) {
    if (!ok) throw new IllegalStateException("benchmark sanity check failed: " + what);
  }
}
