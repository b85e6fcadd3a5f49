package io.omelet.examples.bench;

import io.omelet.examples.DataDir;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletSpark;
import io.omelet.scoring.ScoringServer;
import io.omelet.scoring.ServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * bin/bench faults: fault injection and fuzzing, bounded in count and time, loopback only, seeded.
 * Parts (all by default; {@code bin/bench faults filter csv kill rest} picks; {@code rest-fuzz},
 * {@code rest-slow} and {@code rest-steps} pick one piece of {@code rest}):
 * <ul>
 *   <li>{@code filter}: 20,000 generated and mutated filter strings; {@code filter_fuzz_unexpected}
 *       counts those that neither parsed nor raised the grammar's positioned error (goal 0).</li>
 *   <li>{@code csv}: 500 mutated CSV files through {@code omelet profile} and {@code omelet run
 *       --dry-run} ({@link CsvFuzz}); {@code csv_fuzz_unexpected} counts what ended neither in a
 *       result nor in a clear error (goal 0).</li>
 *   <li>{@code kill}: a child JVM logging runs is killed with SIGKILL at 30 random moments; after
 *       each kill the registry is checked ({@link KillTrials}): {@code runs_lost},
 *       {@code rows_duplicated}, {@code runs_wrongly_finished} and {@code half_batches_seen}, goal 0 each.</li>
 *   <li>{@code rest}: against {@code omelet serve}'s server in this JVM (an H2O GBM on
 *       lending_club): 5,000 mutated requests ({@code rest_fuzz_5xx}, {@code rest_fuzz_dropped},
 *       goal 0 and 0, and {@code /health} after); 50 clients sending one header byte a second while
 *       500 single-row req/s are scored ({@code rest_p99_ms_with_slow_clients}, goal under 10 ms);
 *       with requests of 100 rows, the highest stepped rate whose p99 stays under 5 ms
 *       ({@code rest_max_rps_p99_under_5ms}) and, at four times that rate, the share of 503s
 *       ({@code rest_overload_503_share}), the connections dropped and the heap's growth.</li>
 * </ul>
 * The load generator shares the JVM and the 2 cores with the server: its latencies include its own,
 * and under overload its own backlog (latency counts from when a request was due).
 */
public final class FaultsBench implements Benchmark {
  static final int FILTER_CASES = 20_000;
  static final int REST_CASES = 5_000;
  static final int SLOW_CLIENTS = 50;
  static final int[] RATES = {100, 200, 300, 400, 500, 600, 800, 1000, 1250, 1500, 2000, 2500, 3000};
  /** Rows in each request of the stepped rates and the overload. */
  static final int BATCH_ROWS = 100;

  @Override
  public String name() {
    return "faults";
  }

  @Override
  public String description() {
    return "fuzzing and faults: 20,000 filter strings; REST: 5,000 mutated requests, 50 slow clients, max rate,"
        + " overload; 30 SIGKILLs of a writer";
  }

  @Override
  public void run(String[] args) throws Exception {
    Set<String> parts = args.length == 0 ? Set.of("filter", "csv", "kill", "rest") : Set.of(args);
    if (parts.contains("filter")) filter();
    if (parts.contains("csv")) csv();
    if (parts.contains("kill")) kill();
    boolean all = parts.contains("rest");
    if (all || parts.contains("rest-fuzz") || parts.contains("rest-slow") || parts.contains("rest-steps")) {
      rest(all || parts.contains("rest-fuzz"), all || parts.contains("rest-slow"), all || parts.contains("rest-steps"));
      // H2O's threads are not daemons.
      System.exit(0);
    }
  }

  private static void filter() {
    FilterFuzz.Result f = FilterFuzz.run(FILTER_CASES, 7);
    System.err.printf("filter fuzz: %d parsed, %d refused with a position, %d unexpected%n", f.parsed(), f.refused(),
        f.unexpected());
    Figures.print("filter_fuzz_cases", (long) f.cases());
    Figures.print("filter_fuzz_unexpected", (long) f.unexpected());
  }

  static final int CSV_CASES = 500;

  private static void csv() throws Exception {
    SparkSession spark = OmeletSpark.builder("omelet-bench-faults", "local[2]").getOrCreate();
    CsvFuzz.Result c = CsvFuzz.run(spark, Files.createTempDirectory("omelet-bench-csv"), CSV_CASES, 5);
    System.err.printf("csv fuzz: %d files, 2 commands each: %d results, %d clear errors, %d unexpected%n", c.cases(),
        c.results(), c.clearErrors(), c.unexpected());
    Figures.print("csv_fuzz_cases", (long) c.cases());
    Figures.print("csv_fuzz_unexpected", (long) c.unexpected());
  }

  static final int KILL_TRIALS = 30;

  private static void kill() throws Exception {
    SparkSession spark = OmeletSpark.builder("omelet-bench-faults", "local[2]").getOrCreate();
    KillTrials.Result k = KillTrials.run(spark, Files.createTempDirectory("omelet-bench-kill"), KILL_TRIALS, 3);
    System.err.printf("kill trials: %d runs checked; %d still RUNNING with a live heartbeat after their writer died%n",
        k.runsChecked(), k.liveAfterKill());
    Figures.print("kill_trials", (long) k.trials());
    Figures.print("runs_lost", (long) k.runsLost());
    Figures.print("rows_duplicated", (long) k.rowsDuplicated());
    Figures.print("runs_wrongly_finished", (long) k.runsWronglyFinished());
    Figures.print("half_batches_seen", (long) k.halfBatches());
  }

  private static void rest(boolean fuzz, boolean slowClients, boolean steps) throws Exception {
    SparkSession spark = OmeletSpark.builder("omelet-bench-faults", "local[2]").getOrCreate();
    Dataset<Row> data = DataDir.csv(spark, "lending_club.csv");
    OmeletRegistry registry = OmeletRegistry.open(spark,
        Files.createTempDirectory("omelet-bench-faults").resolve("registry").toString());
    RestBench.register(registry, H2OGbm.mojo(data));
    List<String> bodies = RestBench.bodies(data, 2000);
    try (ScoringServer server = ScoringServer.start(registry,
        ServerConfig.of("lending_gbm@champion").withPort(0).withReloadInterval(Duration.ZERO))) {
      URI base = server.uri();
      if (fuzz) fuzz(base, bodies);
      if (slowClients) slowClients(base, bodies);
      if (steps) stepsAndOverload(base, bodies);
    }
    spark.stop();
  }

  private static void fuzz(URI base, List<String> bodies) {
    RestFaults.Fuzz f = RestFaults.fuzz(base, bodies, REST_CASES, 11);
    System.err.printf("rest fuzz: %d 2xx, %d 4xx, %d 5xx, %d dropped; /health afterwards: %s%s%n", f.twoXx(),
        f.fourXx(), f.fiveXx(), f.dropped(), f.healthAfter() ? "200" : "NOT ANSWERED",
        f.firstBad() == null ? "" : "; first: " + f.firstBad());
    Figures.print("rest_fuzz_cases", (long) f.cases());
    Figures.print("rest_fuzz_5xx", (long) f.fiveXx());
    Figures.print("rest_fuzz_dropped", (long) f.dropped() + (f.healthAfter() ? 0 : 1));
  }

  private static void slowClients(URI base, List<String> bodies) throws Exception {
    System.gc();
    AtomicBoolean stop = new AtomicBoolean();
    RestFaults.dribblers(base, SLOW_CLIENTS, stop);
    Thread.sleep(2000);
    RestLoad.Result slow = RestLoad.run(base.resolve("/predict"), bodies, 500, Duration.ofSeconds(5),
        Duration.ofSeconds(20));
    stop.set(true);
    // let the slow clients go before the stepped rates
    Thread.sleep(3000);
    System.err.printf("with %d slow clients: %d requests, %d errors, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        SLOW_CLIENTS, slow.requests(), slow.errors(), slow.p50Ms(), slow.p99Ms(), slow.maxMs());
    Figures.print("slow_clients", (long) SLOW_CLIENTS);
    Figures.print("rest_p99_ms_with_slow_clients", slow.p99Ms());
  }

  private static void stepsAndOverload(URI base, List<String> bodies) throws Exception {
    // Steps and overload send batches, so that the server's scoring, not the load generator that
    // shares its two cores, is what runs out first.
    List<String> batches = batches(bodies, BATCH_ROWS);
    Figures.print("rest_rows_per_request_in_steps", (long) BATCH_ROWS);
    System.gc();
    // Warm the batch path (JIT, connections) before the first measured step.
    RestLoad.run(base.resolve("/predict"), batches, RATES[RATES.length / 2], Duration.ofSeconds(5),
        Duration.ofSeconds(5), 32);
    // Latency is not monotonic in the rate (an idle server parks its threads and lets caches go
    // cold), so every step runs until the server saturates: the figure is the highest passing one.
    // -Domelet.bench.faults.maxRps=N skips the steps (to look at the overload alone).
    int best = Integer.getInteger("omelet.bench.faults.maxRps", 0);
    for (int rate : best > 0 ? new int[0] : RATES) {
      // Garbage of the earlier steps (and of training) is collected before a step, not in it: a full
      // collection of a multi-GB heap stops every thread for 200-400 ms on these 2 cores.
      System.gc();
      RestLoad.Result r = RestLoad.run(base.resolve("/predict"), batches, rate, Duration.ofSeconds(2),
          Duration.ofSeconds(8), 32);
      System.err.printf("%d req/s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (due %.2f s into the window), %d errors"
          + " (first: %s), achieved %.0f req/s%n", rate, r.p50Ms(), r.p99Ms(), r.maxMs(), r.maxDueAtSeconds(),
          r.errors(), r.firstError(), r.achievedRps());
      if (r.errors() > 0 || r.achievedRps() < 0.95 * rate || r.p99Ms() > 100) break;
      if (r.p99Ms() < 5) best = rate;
    }
    Figures.print("rest_max_rps_p99_under_5ms", (long) best);

    int over = 4 * Math.max(best, RATES[0]);
    long heapBefore = usedHeapAfterGc();
    RestLoad.Result o = RestLoad.run(base.resolve("/predict"), batches, over, Duration.ofSeconds(2),
        Duration.ofSeconds(10), 256);
    long heapAfter = usedHeapAfterGc();
    System.err.printf("overload at %d req/s (256 clients): %d requests, %d shed with 503, %d other errors"
        + " (first: %s), p99 %.2f ms; heap %d -> %d MB%n", over, o.requests(), o.shed(), o.errors() - o.shed(),
        o.firstError(), o.p99Ms(), heapBefore >> 20, heapAfter >> 20);
    Figures.print("rest_overload_rps", (long) over);
    Figures.print("rest_overload_503_share", o.requests() == 0 ? Double.NaN : (double) o.shed() / o.requests());
    Figures.print("rest_overload_answered_rps", o.achievedRps());
    Figures.print("rest_overload_other_errors", o.errors() - o.shed());
    Figures.print("rest_overload_heap_growth_mb", (heapAfter - heapBefore) / 1048576.0);
    Figures.print("rest_health_after_overload",
        RestFaults.exchange(base, "GET", "/health", null, new byte[0], false, "") == 200 ? "200" : "failed");
  }

  /** Request bodies of {@code rows} rows each (JSON arrays), cycling through the single-row bodies. */
  static List<String> batches(List<String> singleRows, int rows) {
    List<String> out = new java.util.ArrayList<>();
    for (int start = 0; start + rows <= singleRows.size(); start += rows) {
      out.add("[" + String.join(",", singleRows.subList(start, start + rows)) + "]");
    }
    return out;
  }

  private static long usedHeapAfterGc() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
