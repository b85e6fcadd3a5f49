package io.omelet.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omelet.examples.DataDir;
import io.omelet.inference.InferenceLog;
import io.omelet.inference.InferenceLogConfig;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletSpark;
import io.omelet.inference.InferenceRecord;
import io.omelet.scoring.LoadedModel;
import io.omelet.scoring.ModelLoader;
import io.omelet.scoring.OmeletFunctions;
import io.omelet.scoring.ScoringServer;
import io.omelet.scoring.ServerConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * bin/bench inference: the inference tables of {@code omelet serve} (issue 34), on the H2O GBM the
 * REST benchmarks serve (50 trees, depth 5, lending_club) registered as {@code lending_gbm@champion}.
 * Parts (all by default; {@code bin/bench inference latency rate kill streaming} picks):
 * <ul>
 *   <li>{@code latency}: the in-process server twice in the same run, logging off (the anchor), then
 *       on with the default settings; single-row requests at 500/s open-loop ({@link RestLoad}),
 *       each with its own {@code X-Request-Id}: p50/p99 of each and
 *       {@code inference_log_p99_overhead_ms} = p99(on) - p99(off) (goal at most 1.0). After the
 *       logging server is closed its table must hold exactly one row per acknowledged id
 *       ({@code inference_log_rows_checked}, {@code inference_log_rows_mismatched}, goal 0).</li>
 *   <li>{@code rate}: first the writer alone ({@code inference_log_writer_rows_per_s}: 100,000 rows
 *       offered at once to a log with no server, default flushes); then one logging server (default
 *       queue and flushes) and 100-row requests at stepped rates until rows are dropped or the server
 *       falls behind (errors, under 95% of the rate answered, p99 over 500 ms, or a log whose queue
 *       grew: half full within the step, or longer to empty once the load stops than the flush
 *       interval and two commits of the writer alone, {@code inference_log_writer_commit_s}):
 *       {@code inference_log_rows_per_s}, the highest rows/s logged with 0 drops (goal at least
 *       50,000), the rows/s offered when drops began (NaN when the steps ended otherwise) and why
 *       they ended ({@code inference_log_steps_ended_by}).</li>
 *   <li>{@code kill}: {@code omelet serve} (the CLI) in a child JVM under 200 single-row req/s, each
 *       with its own id, SIGKILLed 20 times at a random moment after its log's first commit, then
 *       stopped once by SIGTERM and once by SIGINT (Ctrl-C), a new child each time
 *       ({@link InferenceKills}); the table is then checked against the ids acknowledged:
 *       {@code rows_duplicated} (goal 0), {@code rows_lost} (goal: at most one flush interval's rows a
 *       kill, {@code rows_lost_max_per_kill} against {@code rows_per_flush_interval}),
 *       {@code rows_lost_clean_stop} (SIGTERM and SIGINT, goal 0; {@code clean_stops_not_ended}
 *       counts those the child did not end by itself within 120 s, goal 0; no SIGINT trial when
 *       this JVM ignores SIGINT, as a background job of a shell does), and how far apart the commits
 *       were ({@code inference_first_commit_median_s} after the load began,
 *       {@code inference_commit_gap_max_s}).</li>
 *   <li>{@code streaming}: the same 200,000 rows scored by {@code omelet_predict} in a Structured
 *       Streaming query (file source, 2 of 20 files a micro-batch) and in batch, each written to
 *       Delta ({@link InferenceStreaming}, which holds the marked slot for the streaming inference
 *       table API of branch i34-batch): {@code streaming_rows_per_s} (from the query's progress),
 *       {@code batch_rows_per_s}, {@code streaming_over_batch}.</li>
 * </ul>
 * Settings (system properties, e.g. in bin/bench's OMELET_BENCH_OPTS): {@code omelet.bench.inference.seconds} (measured seconds of each
 * latency run, 20), {@code omelet.bench.inference.warmup} (5), {@code omelet.bench.inference.stepSeconds}
 * (measured seconds of each rate step, 8), {@code omelet.bench.kills} (20),
 * {@code omelet.bench.inference.killRps} (200), {@code omelet.bench.inference.streamRows} (200,000),
 * {@code omelet.bench.inference.streamFiles} (20), {@code omelet.bench.inference.filesPerTrigger} (2).
 * The load generator, the server and its log writer share this JVM and the machine's cores: figures
 * are noisy, and the overhead is only meaningful next to its anchor of the same run.
 */
public final class InferenceBench implements Benchmark {
  static final String MODEL = "lending_gbm";
  static final String SERVED = MODEL + "@champion";
  static final int LATENCY_RPS = 500;
  /** Requests a second of the rate steps, each of {@link FaultsBench#BATCH_ROWS} rows. */
  static final int[] RATES = {20, 50, 100, 150, 200, 300, 400, 500, 600, 800, 1000, 1250, 1500, 2000, 2500, 3000};
  static final int STEP_CLIENTS = 32;
  static final double STEP_P99_LIMIT_MS = 500;
  /** Slack on the time a log that keeps pace needs to empty once a step's load stops (see {@link #rate}). */
  static final double STEP_DRAIN_SLACK_S = 0.5;
  /** Rows offered at once to a log with no server, to time the writer alone. */
  static final int WRITER_ROWS = 100_000;
  static final List<String> PARTS = List.of("latency", "rate", "kill", "streaming");

  @Override
  public String name() {
    return "inference";
  }

  @Override
  public String description() {
    return "inference tables: REST p50/p99 with the log on vs off, highest rows/s logged with 0 drops,"
        + " 20 SIGKILLs of omelet serve (rows lost, duplicated), streaming vs batch omelet_predict";
  }

  @Override
  public void run(String[] args) throws Exception {
    Set<String> parts = args.length == 0 ? Set.copyOf(PARTS) : Set.of(args);
    for (String p : parts) {
      if (!PARTS.contains(p)) throw new IllegalArgumentException("unknown part '" + p + "'; known: " + PARTS);
    }
    Path work = Files.createTempDirectory("omelet-bench-inference");
    String root = work.resolve("registry").toString();
    SparkSession spark = OmeletSpark.builder("omelet-bench-inference", "local[2]").getOrCreate();
    OmeletFunctions.register(spark);
    spark.conf().set(OmeletRegistry.ROOT_CONF, root);
    Dataset<Row> data = DataDir.csv(spark, "lending_club.csv").cache();
    OmeletRegistry registry = OmeletRegistry.open(spark, root);
    byte[] mojo = H2OGbm.mojo(data);
    RestBench.register(registry, mojo);
    List<String> bodies = RestBench.bodies(data, 2000);
    System.err.printf("inference bench: working in %s%n", work);

    if (parts.contains("latency")) {
      Duration measure = Duration.ofSeconds(Integer.getInteger("omelet.bench.inference.seconds", 20));
      Duration warmup = Duration.ofSeconds(Integer.getInteger("omelet.bench.inference.warmup", 5));
      latency(registry, bodies, warmup, measure);
    }
    if (parts.contains("rate")) {
      rate(registry, bodies, Duration.ofSeconds(Integer.getInteger("omelet.bench.inference.stepSeconds", 8)));
    }
    if (parts.contains("kill")) {
      // a registry of its own: the children start on a table holding only their own rows
      String killRoot = work.resolve("kill-registry").toString();
      RestBench.register(OmeletRegistry.open(spark, killRoot), mojo);
      kill(spark, work, killRoot, bodies, Integer.getInteger("omelet.bench.kills", 20),
          Integer.getInteger("omelet.bench.inference.killRps", 200));
    }
    if (parts.contains("streaming")) {
      InferenceStreaming.run(spark, work, root, data, SERVED, Integer.getInteger("omelet.bench.inference.streamRows", 200_000),
          Integer.getInteger("omelet.bench.inference.streamFiles", 20),
          Integer.getInteger("omelet.bench.inference.filesPerTrigger", 2));
    }
    spark.stop();
    // H2O's threads are not daemons.
    System.exit(0);
  }

  // ------------------------------------------------------------------ latency, logging off and on

  /** One latency run: the load's result, the ids acknowledged and the server's log (null when off). */
  private record Served(RestLoad.Result result, Set<String> acked, InferenceLog log) {}

  private static void latency(OmeletRegistry registry, List<String> bodies, Duration warmup, Duration measure)
      throws Exception {
    Served off = serve(registry, null, bodies, "off-", warmup, measure);
    Served on = serve(registry, InferenceLogConfig.defaults(), bodies, "on-", warmup, measure);
    // the server is closed: its log wrote everything it was offered
    AckedRequests.Check check = AckedRequests.Check.of(on.acked(),
        AckedRequests.rowsPerId(registry.spark(), on.log().tablePath(), "on-"));
    System.err.printf("logging on: %d ids acknowledged, table holds %d rows of them: %d missing, %d duplicated,"
        + " %d of ids not acknowledged; log counters: %d logged, %d dropped, %d flushes (%d failed)%n", check.acked(),
        check.rows(), check.missing(), check.duplicated(), check.unacknowledged(), on.log().loggedRows(),
        on.log().droppedRows(), on.log().flushes(), on.log().failedFlushes());
    Figures.print("inference_log_target_rps", (long) LATENCY_RPS);
    Figures.print("inference_log_off_p50_ms", off.result().p50Ms());
    Figures.print("inference_log_off_p99_ms", off.result().p99Ms());
    Figures.print("inference_log_on_p50_ms", on.result().p50Ms());
    Figures.print("inference_log_on_p99_ms", on.result().p99Ms());
    Figures.print("inference_log_p50_overhead_ms", on.result().p50Ms() - off.result().p50Ms());
    Figures.print("inference_log_p99_overhead_ms", on.result().p99Ms() - off.result().p99Ms());
    Figures.print("inference_log_errors", off.result().errors() + on.result().errors());
    Figures.print("inference_log_dropped_rows", on.log().droppedRows());
    Figures.print("inference_log_rows_checked", check.acked());
    Figures.print("inference_log_rows_mismatched", check.missing() + check.duplicated() + check.unacknowledged());
  }

  private static Served serve(OmeletRegistry registry, InferenceLogConfig log, List<String> bodies, String prefix,
                              Duration warmup, Duration measure) throws Exception {
    ServerConfig config = ServerConfig.of(SERVED).withPort(0).withReloadInterval(Duration.ZERO).withInferenceLog(log);
    InferenceLog inferences;
    RestLoad.Result r;
    AckedRequests load;
    try (ScoringServer server = ScoringServer.start(registry, config)) {
      inferences = server.inferenceLog();
      load = new AckedRequests(server.uri().resolve("/predict"), bodies, prefix);
      // earlier garbage (training, the other run) is collected before the load, not during it
      System.gc();
      long[] gcBefore = RestBench.gcCountAndMillis();
      r = RestLoad.run(load, LATENCY_RPS, warmup, measure, RestLoad.DEFAULT_CLIENTS);
      long[] gcAfter = RestBench.gcCountAndMillis();
      System.err.printf("logging %s: %d req/s for %d s after %d s: %d requests, %d errors%s, p50 %.2f ms, p99 %.2f ms,"
          + " max %.2f ms; %d GC pauses, %d ms%n", log == null ? "off" : "on", LATENCY_RPS, measure.toSeconds(),
          warmup.toSeconds(), r.requests(), r.errors(), r.firstError() == null ? "" : " (first: " + r.firstError() + ")",
          r.p50Ms(), r.p99Ms(), r.maxMs(), gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1]);
    }
    return new Served(r, load.acked(), inferences);
  }

  // ------------------------------------------------------------------ the highest rate logged whole

  private static void rate(OmeletRegistry registry, List<String> singleRows, Duration window) throws Exception {
    int rowsPerRequest = FaultsBench.BATCH_ROWS;
    List<String> batches = FaultsBench.batches(singleRows, rowsPerRequest);
    ServerConfig config = ServerConfig.of(SERVED).withPort(0).withReloadInterval(Duration.ZERO)
        .withInferenceLog(InferenceLogConfig.defaults());
    double bestRows = 0;
    int bestRate = 0;
    double dropsBegan = Double.NaN;
    String endedBy = "the top rate passed";
    Writer writer = writerAlone(registry, singleRows, WRITER_ROWS);
    Figures.print("inference_log_writer_rows_per_s", writer.rowsPerSecond());
    Figures.print("inference_log_writer_commit_s", writer.commitSeconds());
    // A log that keeps pace holds, when the load stops, at most a flush interval's rows and a commit
    // in progress: it is empty after that commit, the rest of the interval and one more commit.
    // Longer, and its queue was growing: drops were only a matter of a longer step. So was a queue
    // half full within one step.
    double drainLimit = InferenceLogConfig.DEFAULT_FLUSH_INTERVAL.toMillis() / 1000.0 + 2 * writer.commitSeconds()
        + STEP_DRAIN_SLACK_S;
    try (ScoringServer server = ScoringServer.start(registry, config)) {
      InferenceLog log = server.inferenceLog();
      URI endpoint = server.uri().resolve("/predict");
      Counted load = new Counted(endpoint, batches);
      // warm the batch path (JIT, connections, the first Delta commits)
      RestLoad.run(load, RATES[1], Duration.ofSeconds(3), Duration.ofSeconds(3), STEP_CLIENTS);
      // every row answered 200 is offered to the log (the steps end at the first error)
      settle(log, load.ok.get() * rowsPerRequest);
      for (int rate : RATES) {
        System.gc();
        long dropped0 = log.droppedRows();
        long logged0 = log.loggedRows();
        long flushes0 = log.flushes();
        DepthWatch depth = DepthWatch.start(log);
        RestLoad.Result r = RestLoad.run(load, rate, Duration.ofSeconds(2), window, STEP_CLIENTS);
        int maxDepth = depth.stop();
        double drain = settle(log, load.ok.get() * rowsPerRequest);
        long drops = log.droppedRows() - dropped0;
        double rows = r.achievedRps() * rowsPerRequest;
        System.err.printf("%d req/s x %d rows: %.0f rows/s answered, p50 %.2f ms, p99 %.2f ms, %d errors%s;"
            + " log: %d rows in %d flushes, %d dropped, queue up to %d rows, drained %.1f s after the load%n", rate,
            rowsPerRequest, rows, r.p50Ms(), r.p99Ms(), r.errors(), r.firstError() == null ? "" : " (first: "
            + r.firstError() + ")", log.loggedRows() - logged0, log.flushes() - flushes0, drops, maxDepth, drain);
        if (drops > 0) {
          dropsBegan = (double) rate * rowsPerRequest;
          endedBy = "drops";
          break;
        }
        if (r.errors() > 0) {
          endedBy = "errors";
          break;
        }
        if (r.achievedRps() < 0.95 * rate) {
          endedBy = "under 95% of the rate answered";
          break;
        }
        if (r.p99Ms() > STEP_P99_LIMIT_MS) {
          endedBy = "p99 over " + (long) STEP_P99_LIMIT_MS + " ms";
          break;
        }
        if (drain > drainLimit || maxDepth > InferenceLogConfig.DEFAULT_CAPACITY / 2) {
          endedBy = String.format(java.util.Locale.ROOT, "the log fell behind (queue up to %d rows, %.1f s to empty;"
              + " limits %d rows, %.1f s)", maxDepth, drain, InferenceLogConfig.DEFAULT_CAPACITY / 2, drainLimit);
          break;
        }
        bestRows = rows;
        bestRate = rate;
      }
    }
    Figures.print("inference_log_rows_per_request", (long) rowsPerRequest);
    Figures.print("inference_log_max_rps_no_drops", (long) bestRate);
    Figures.print("inference_log_rows_per_s", bestRows);
    Figures.print("inference_log_drops_began_rows_per_s", dropsBegan);
    Figures.print("inference_log_steps_ended_by", endedBy);
  }

  /** The writer alone: rows/s, and seconds a commit (of {@link InferenceLogConfig#DEFAULT_FLUSH_ROWS} rows). */
  private record Writer(double rowsPerSecond, double commitSeconds) {}

  /**
   * The writer alone, with no server or load on the cores: {@code rows} rows (the requests' rows,
   * as the server would log them) offered at once to a log with the default settings and a queue
   * that holds them all; rows/s until the last is committed, and the time a commit takes.
   */
  private static Writer writerAlone(OmeletRegistry registry, List<String> singleRows, int rows) throws Exception {
    LoadedModel model = ModelLoader.load(registry, SERVED);
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> inputs = new ArrayList<>();
    for (String b : singleRows) inputs.add(json.readTree(b));
    Map<String, Double> probabilities = new LinkedHashMap<>();
    probabilities.put("bad", 0.25);
    probabilities.put("good", 0.75);
    InferenceLog log = InferenceLog.start(registry.spark(), registry.root(), model,
        InferenceLogConfig.defaults().withCapacity(rows));
    try {
      System.gc();
      long t0 = System.nanoTime();
      Instant now = Instant.now();
      for (int i = 0; i < rows; i++) {
        InferenceRecord rec = InferenceRecord.scored("writer-" + i, 0, now, MODEL, model.resolved().version(),
            model.resolved().alias(), inputs.get(i % inputs.size()), "good", probabilities, 500);
        if (!log.offer(rec)) throw new IllegalStateException("the log refused row " + i);
      }
      double offered = Figures.since(t0);
      long deadline = System.nanoTime() + 600_000_000_000L;
      while (log.loggedRows() + log.droppedRows() < rows && System.nanoTime() < deadline) Thread.sleep(5);
      double seconds = Figures.since(t0);
      System.err.printf("writer alone: %d rows offered in %.2f s, %d committed in %d flushes, %.1f s in all%n", rows,
          offered, log.loggedRows(), log.flushes(), seconds);
      if (log.loggedRows() < rows) throw new IllegalStateException("the log committed " + log.loggedRows() + " rows");
      return new Writer(rows / seconds, seconds / log.flushes());
    } finally {
      log.close();
    }
  }

  /**
   * Waits (at most 120 s) until the log has written or dropped {@code rows} rows in all; the seconds
   * that took. Its counters alone cannot tell: a batch being committed is in neither the queue nor
   * the logged rows, and a commit may take seconds.
   */
  private static double settle(InferenceLog log, long rows) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + 120_000_000_000L;
    while (log.loggedRows() + log.droppedRows() < rows) {
      if (System.nanoTime() > deadline) {
        System.err.printf("the inference log did not write its rows in 120 s (%d of %d, queue %d rows)%n",
            log.loggedRows() + log.droppedRows(), rows, log.queueDepth());
        break;
      }
      Thread.sleep(20);
    }
    return Figures.since(start);
  }

  /** A load of the bodies in turn that counts the requests answered 200 (warm-up ones too). */
  private static final class Counted implements RestLoad.Exchange {
    private final HttpRequest[] requests;
    private final AtomicLong ok = new AtomicLong();

    Counted(URI endpoint, List<String> bodies) {
      requests = bodies.stream().map(b -> RestLoad.post(endpoint, b, null)).toArray(HttpRequest[]::new);
    }

    @Override
    public HttpRequest request(long slot) {
      return requests[(int) (slot % requests.length)];
    }

    @Override
    public void answered(long slot, HttpResponse<Void> response) {
      if (response.statusCode() == 200) ok.incrementAndGet();
    }
  }

  /** The deepest the log's queue got, sampled every 20 ms. */
  private static final class DepthWatch {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger max = new AtomicInteger();
    private final Thread thread;

    private DepthWatch(InferenceLog log) {
      thread = new Thread(() -> {
        while (!stop.get()) {
          max.accumulateAndGet(log.queueDepth(), Math::max);
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "queue-depth");
      thread.setDaemon(true);
    }

    static DepthWatch start(InferenceLog log) {
      DepthWatch w = new DepthWatch(log);
      w.thread.start();
      return w;
    }

    int stop() throws InterruptedException {
      stop.set(true);
      thread.join();
      return max.get();
    }
  }

  // ------------------------------------------------------------------ kills

  private static void kill(SparkSession spark, Path work, String root, List<String> bodies, int kills, int rps)
      throws Exception {
    List<InferenceKills.Trial> trials = InferenceKills.run(spark, work, root, SERVED, bodies, kills, rps, 5);
    long acked = 0;
    long lost = 0;
    long maxLost = 0;
    long duplicated = 0;
    long lostTerm = 0;
    Long lostInt = null;
    long notEnded = 0;
    double[] firstFlush = new double[trials.size()];
    double maxGap = 0;
    for (InferenceKills.Trial t : trials) {
      AckedRequests.Check c = t.check();
      System.err.printf("trial %d (%s %.1f s after the first commit, %.1f s after the last, exit %d%s): %d"
          + " acknowledged, %d rows, %d lost, %d duplicated, %d rows of requests not acknowledged%n", t.index(),
          t.stop(), t.stopAfterSeconds(), t.commits().sinceLastAtStop(), t.exitCode(),
          t.ended() ? "" : ", killed: it did not end", c.acked(), c.rows(), c.missing(), c.duplicated(),
          c.unacknowledged());
      firstFlush[t.index()] = t.commits().firstSeconds();
      maxGap = Math.max(maxGap, t.commits().maxGap());
      duplicated += c.duplicated();
      switch (t.stop()) {
        case SIGKILL -> {
          acked += c.acked();
          lost += c.missing();
          maxLost = Math.max(maxLost, c.missing());
        }
        case SIGTERM -> lostTerm += c.missing();
        case SIGINT -> lostInt = c.missing();
      }
      if (t.stop() != InferenceKills.Stop.SIGKILL && !t.ended()) notEnded++;
    }
    Figures.print("inference_kill_trials", (long) kills);
    Figures.print("inference_kill_rps", (long) rps);
    Figures.print("rows_acknowledged", acked);
    Figures.print("rows_duplicated", duplicated);
    Figures.print("rows_lost", lost);
    Figures.print("rows_lost_max_per_kill", maxLost);
    Figures.print("rows_per_flush_interval", InferenceKills.rowsPerFlushInterval(rps));
    Figures.print("inference_first_commit_median_s", Figures.median(firstFlush));
    Figures.print("inference_commit_gap_max_s", maxGap);
    Figures.print("rows_lost_clean_stop_sigterm", lostTerm);
    if (lostInt == null) Figures.print("rows_lost_clean_stop_sigint", "skipped (SIGINT ignored by this JVM)");
    else Figures.print("rows_lost_clean_stop_sigint", lostInt.longValue());
    Figures.print("rows_lost_clean_stop", lostTerm + (lostInt == null ? 0 : lostInt));
    // a clean stop that had to be killed: its rows were written while it kept serving, which proves nothing
    Figures.print("clean_stops_not_ended", notEnded);
  }
}
