package io.omelet.examples.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;

import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Run;
import io.omelet.registry.RunStatus;
import io.omelet.registry.SearchRunsRequest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The kill part of bin/bench faults: a child JVM ({@link KillChild}) logs runs (batched metrics,
 * params, tags, artifacts, registered versions, RunBatches of finished runs) and is killed with
 * SIGKILL at a random moment (seeded), again and again into one registry. After each kill the
 * registry is opened here and checked: every run the child reported is FINISHED with all its rows,
 * FAILED, or RUNNING with a stale heartbeat (read as STALE); no row is there twice; no search
 * shows a run of a RunBatch without all of its rows.
 */
final class KillTrials {
  /** What the trials found. */
  record Result(int trials, int runsChecked, int runsLost, int rowsDuplicated, int runsWronglyFinished,
                int halfBatches, int liveAfterKill) {}

  private KillTrials() {}

  static Map<String, String> expectedParams(String name) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("name", name);
    p.put("depth", Integer.toString(2 + Math.floorMod(name.hashCode(), 5)));
    p.put("rate", "0.05");
    return p;
  }

  static Map<String, String> expectedTags(String name) {
    return Map.of("writer", "kill-child", "name", name);
  }

  static double loss(int step) {
    return 1.0 / (step + 1);
  }

  static Result run(SparkSession spark, Path work, int trials, long seed) throws Exception {
    String root = work.resolve("registry").toString();
    Random rnd = new Random(seed);
    Map<String, String> started = new LinkedHashMap<>(); // run id -> name (tracked runs)
    Map<String, String> batched = new LinkedHashMap<>(); // run id -> name (RunBatch runs reported before commit)
    List<String> committed = new ArrayList<>();
    int lost = 0;
    int duplicated = 0;
    int wronglyFinished = 0;
    int half = 0;
    int live = 0;
    // A killed child stops beating: after 3 s its RUNNING runs read STALE.
    spark.conf().set(OmeletRegistry.HEARTBEAT_TIMEOUT_CONF, "3");
    for (int t = 0; t < trials; t++) {
      long childSeed = seed * 1000 + t;
      Process p = child(root, childSeed, work.resolve("child-" + t + ".log"));
      CountDownLatch ready = new CountDownLatch(1);
      List<String> lines = new ArrayList<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            if (line.equals("READY")) ready.countDown();
            synchronized (lines) {
              lines.add(line);
            }
          }
        } catch (java.io.IOException e) {
          // the child was killed
        }
      });
      reader.setDaemon(true);
      reader.start();
      if (!ready.await(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("kill child " + t + " did not start; see " + work.resolve("child-" + t + ".log"));
      }
      Thread.sleep(1000 + rnd.nextInt(14_000));
      p.destroyForcibly(); // SIGKILL
      p.waitFor(30, TimeUnit.SECONDS);
      reader.join(5000);
      synchronized (lines) {
        for (String line : lines) {
          String[] f = line.split(" ");
          if (f[0].equals("STARTED")) started.put(f[1], f[2]);
          else if (f[0].equals("BATCHED")) batched.put(f[1], f[2]);
          else if (f[0].equals("COMMITTED")) committed.add(f[1]);
        }
      }
      Thread.sleep(3500);

      // Checked after each kill, over everything logged so far.
      OmeletRegistry registry = OmeletRegistry.open(spark, root);
      duplicated = duplicates(spark, root);
      Map<String, Run> found = new HashMap<>();
      String exp = registry.getOrCreateExperiment("kill-trials").experimentId();
      for (Run r : registry.searchAllRuns(SearchRunsRequest.in(exp), 1_000_000)) found.put(r.runId(), r);
      lost = 0;
      wronglyFinished = 0;
      half = 0;
      live = 0;
      Map<String, Long> points = pointsPerRun(spark, root);
      for (Map.Entry<String, String> e : started.entrySet()) {
        Run r = found.get(e.getKey());
        if (r == null) {
          lost++;
          continue;
        }
        RunStatus s = r.info().status();
        if (s == RunStatus.FINISHED && !complete(r, e.getValue(), points.getOrDefault(e.getKey(), 0L))) wronglyFinished++;
        if (s == RunStatus.RUNNING) live++;
      }
      for (Map.Entry<String, String> e : batched.entrySet()) {
        Run r = found.get(e.getKey());
        String batchName = e.getValue().substring(0, e.getValue().lastIndexOf("-b"));
        if (r == null) {
          if (committed.contains(batchName)) lost++;
          continue;
        }
        if (!complete(r, e.getValue(), points.getOrDefault(e.getKey(), 0L))) half++;
      }
      System.err.printf("kill %d: %d runs started, %d batched so far; lost %d, duplicated rows %d, wrongly finished %d,"
          + " half batches %d, live after kill %d%n", t, started.size(), batched.size(), lost, duplicated,
          wronglyFinished, half, live);
    }
    return new Result(trials, started.size() + batched.size(), lost, duplicated, wronglyFinished, half, live);
  }

  /** Whether a run holds every param, tag and metric point its writer logs. */
  private static boolean complete(Run r, String name, long lossPoints) {
    return r.data().params().equals(expectedParams(name))
        && r.data().tags().entrySet().containsAll(expectedTags(name).entrySet())
        && lossPoints == KillChild.POINTS
        && r.data().metrics().containsKey("loss")
        && r.data().metrics().get("loss").step() == KillChild.POINTS - 1;
  }

  private static Map<String, Long> pointsPerRun(SparkSession spark, String root) {
    Map<String, Long> out = new HashMap<>();
    for (Row r : spark.read().format("delta").load(root + "/metrics").where(col("key").equalTo("loss"))
        .groupBy("run_id").agg(count("*").as("n")).collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }

  /** Rows that are there more than once: a run row, a metric point (run, key, step), a param, a tag. */
  private static int duplicates(SparkSession spark, String root) {
    long extra = 0;
    extra += extraRows(spark, root + "/runs", "run_id");
    extra += extraRows(spark, root + "/metrics", "run_id", "key", "step");
    extra += extraRows(spark, root + "/params", "run_id", "key");
    extra += extraRows(spark, root + "/tags", "run_id", "key", "value");
    return (int) extra;
  }

  private static long extraRows(SparkSession spark, String table, String... key) {
    List<Row> rows = spark.read().format("delta").load(table).groupBy(key[0], java.util.Arrays.copyOfRange(key, 1, key.length))
        .agg(count("*").as("n")).where(col("n").gt(1))
        .agg(org.apache.spark.sql.functions.sum(col("n").minus(1))).collectAsList();
    return rows.isEmpty() || rows.get(0).isNullAt(0) ? 0 : rows.get(0).getLong(0);
  }

  private static Process child(String root, long seed, Path log) throws java.io.IOException {
    return new ProcessBuilder(ChildJvm.command("1g", KillChild.class.getName(), root, Long.toString(seed)))
        .redirectError(log.toFile()).start();
  }
}
