package io.omelet.examples.bench;

import io.omelet.examples.DataDir;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletSpark;
import io.omelet.scoring.ScoringServer;
import io.omelet.scoring.ServerConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * bin/bench rest: single-row {@code POST /predict} requests against the in-process
 * {@link ScoringServer} on loopback, serving an H2O GBM (50 trees, depth 5) trained on lending_club
 * and registered as {@code lending_gbm@champion} in a temporary registry. The load is open-loop at
 * a fixed rate (see {@link RestLoad}); rows cycle through the data set.
 * Arguments: [targetRps=500] [measureSeconds=30] [warmupSeconds=10].
 */
public final class RestBench implements Benchmark {
  @Override
  public String name() {
    return "rest";
  }

  @Override
  public String description() {
    return "REST scoring: p50/p99 latency and rate of single-row POST /predict at a fixed rate (GBM 50x5, lending_club)";
  }

  @Override
  public void run(String[] args) throws Exception {
    int rps = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    Duration measure = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 30);
    Duration warmup = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 10);
    SparkSession spark = OmeletSpark.builder("omelet-bench-rest", "local[2]").getOrCreate();
    Dataset<Row> data = DataDir.csv(spark, "lending_club.csv");

    OmeletRegistry registry = OmeletRegistry.open(spark,
        Files.createTempDirectory("omelet-bench-rest").resolve("registry").toString());
    register(registry, H2OGbm.mojo(data));

    measure(registry, "lending_gbm@champion", data, rps, warmup, measure);
    spark.stop();
    // H2O's threads are not daemons.
    System.exit(0);
  }

  /**
   * Serves {@code uri} in-process on loopback, drives single-row requests (rows of {@code data}) at
   * {@code rps} and prints rest_target_rps, rest_p50_ms, rest_p99_ms, rest_rps and rest_errors.
   */
  static RestLoad.Result measure(OmeletRegistry registry, String uri, Dataset<Row> data, int rps, Duration warmup,
                                 Duration measure) throws Exception {
    List<String> bodies = bodies(data, 2000);

    try (ScoringServer server = ScoringServer.start(registry,
        ServerConfig.of(uri).withPort(0).withReloadInterval(Duration.ZERO))) {
      System.err.printf("rest bench: %s serving %s; %d req/s for %d s after %d s warm-up%n", server.uri(),
          server.model().describe(), rps, measure.toSeconds(), warmup.toSeconds());
      // Earlier garbage (training, batch scoring) is collected before the load, not during it.
      System.gc();
      long[] gcBefore = gcCountAndMillis();
      RestLoad.Result res = RestLoad.run(server.uri().resolve("/predict"), bodies, rps, warmup, measure);
      long[] gcAfter = gcCountAndMillis();
      System.err.printf("rest bench: %d requests, %d errors%s, max %.2f ms; %d GC pauses of %d ms in total"
          + " during the run (load generator and server share this JVM)%n", res.requests(), res.errors(),
          res.firstError() == null ? "" : " (first: " + res.firstError() + ")", res.maxMs(),
          gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1]);
      Figures.print("rest_target_rps", rps);
      Figures.print("rest_p50_ms", res.p50Ms());
      Figures.print("rest_p99_ms", res.p99Ms());
      Figures.print("rest_rps", res.achievedRps());
      Figures.print("rest_errors", res.errors());
      return res;
    }
  }

  /** Collections and their milliseconds so far, over every collector of this JVM. */
  static long[] gcCountAndMillis() {
    long count = 0;
    long millis = 0;
    for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory
        .getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  /** Single-row request bodies: the first {@code n} rows of lending_club without its label. */
  static List<String> bodies(Dataset<Row> data, int n) throws java.io.IOException {
    List<String> bodies = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (Row r : data.drop("Class").limit(n).collectAsList()) bodies.add(json.writeValueAsString(toJson(json, r)));
    return bodies;
  }

  static void register(OmeletRegistry registry, byte[] mojo) {
    String exp = registry.getOrCreateExperiment("rest-bench").experimentId();
    String runId = registry.createRun(exp, "gbm-50x5").runId();
    registry.logBytes(runId, mojo, "model/model.zip");
    int v = registry.createModelVersion("lending_gbm", runId, "model/model.zip", "GBM 50 trees depth 5",
        Map.of()).version();
    registry.setRegisteredModelAlias("lending_gbm", "champion", v);
  }

  private static ObjectNode toJson(ObjectMapper json, Row r) {
    ObjectNode o = json.createObjectNode();
    StructField[] fields = r.schema().fields();
    for (int i = 0; i < fields.length; i++) {
      Object v = r.get(i);
      if (v == null) o.putNull(fields[i].name());
      else if (v instanceof Integer n) o.put(fields[i].name(), n);
      else if (v instanceof Long n) o.put(fields[i].name(), n);
      else if (v instanceof Double n) o.put(fields[i].name(), n);
      else o.put(fields[i].name(), v.toString());
    }
    return o;
  }
}
