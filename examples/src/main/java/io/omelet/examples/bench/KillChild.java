package io.omelet.examples.bench;

import io.omelet.registry.ActiveRun;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletSpark;
import io.omelet.registry.RunBatch;
import io.omelet.registry.RunStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.SparkSession;

/**
 * The writer that bin/bench faults kills: it logs runs into a registry until it is killed, each
 * run with contents the checker can predict from its name alone (see {@link KillTrials#expected}),
 * and prints {@code STARTED <run_id> <name>} once a run exists and {@code READY} once Spark is up.
 * Arguments: registry root, seed.
 */
public final class KillChild {
  /** Metric points per tracked run: steps 0..POINTS-1 of "loss", flushed in batches as it goes. */
  static final int POINTS = 60;
  /** Child runs per batch. */
  static final int BATCH_RUNS = 4;

  private KillChild() {}

  public static void main(String[] args) throws Exception {
    String root = args[0];
    long seed = Long.parseLong(args[1]);
    SparkSession spark = OmeletSpark.builder("omelet-kill-child", "local[1]")
        .config(OmeletRegistry.HEARTBEAT_INTERVAL_CONF, "1").getOrCreate();
    OmeletRegistry registry = OmeletRegistry.open(spark, root);
    String exp = registry.getOrCreateExperiment("kill-trials").experimentId();
    Random rnd = new Random(seed);
    System.out.println("READY");
    System.out.flush();
    for (int n = 0; ; n++) {
      String name = "s" + seed + "-r" + n;
      if (rnd.nextInt(3) == 0) {
        batch(registry, exp, name);
      } else {
        tracked(registry, exp, name, rnd);
      }
    }
  }

  /** An ActiveRun: params, tags, POINTS metric points in several flushes, an artifact, sometimes a version. */
  private static void tracked(OmeletRegistry registry, String exp, String name, Random rnd) {
    ActiveRun run = registry.resumeRun(registry.createRun(exp, name).runId());
    System.out.println("STARTED " + run.runId() + " " + name);
    System.out.flush();
    run.logParams(KillTrials.expectedParams(name));
    run.setTags(KillTrials.expectedTags(name));
    for (int step = 0; step < POINTS; step++) {
      run.logMetric("loss", KillTrials.loss(step), step);
      if (step % 15 == 14) run.flush();
    }
    run.logText("model of " + name, "model/model.txt");
    run.close();
    if (rnd.nextInt(4) == 0) {
      registry.createModelVersion("killed", run.runId(), "model/model.txt", name, Map.of());
    }
    System.out.println("FINISHED " + run.runId() + " " + name);
    System.out.flush();
  }

  /** A RunBatch of BATCH_RUNS finished runs with their metrics, params and tags, committed at once. */
  private static void batch(OmeletRegistry registry, String exp, String name) {
    RunBatch batch = registry.newBatch();
    Map<String, String> ids = new LinkedHashMap<>();
    long now = System.currentTimeMillis();
    for (int c = 0; c < BATCH_RUNS; c++) {
      String child = name + "-b" + c;
      String id = batch.addRun(exp, child, null, RunStatus.FINISHED, now - 10, now);
      ids.put(id, child);
      batch.logParams(id, KillTrials.expectedParams(child));
      batch.setTags(id, KillTrials.expectedTags(child));
      for (int step = 0; step < POINTS; step++) batch.logMetric(id, "loss", KillTrials.loss(step), now, step);
    }
    for (Map.Entry<String, String> e : ids.entrySet()) {
      System.out.println("BATCHED " + e.getKey() + " " + e.getValue());
    }
    System.out.flush();
    batch.commit();
    System.out.println("COMMITTED " + name);
    System.out.flush();
  }
}
