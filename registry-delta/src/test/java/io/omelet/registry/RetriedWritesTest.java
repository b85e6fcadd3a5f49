package io.omelet.registry;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A batch whose write fails part-way (here: the tags table stops being writable after the metrics
 * and params were appended) is written again by a retry that adds only what is missing: no metric
 * point, param, tag or run row twice.
 */
class RetriedWritesTest {
  @Test
  void aRunBatchCommittedAgainAfterAPartialFailureWritesEachRowOnce() throws Exception {
    OmeletRegistry registry = TestSpark.registryOf(RetriedWritesTest.class);
    String exp = registry.createExperiment("retried-batch");
    RunBatch batch = registry.newBatch();
    String run = batch.addRun(exp, "child", null, RunStatus.FINISHED, 1L, 2L);
    batch.logMetrics(run, Map.of("auc", 0.8, "logloss", 0.4));
    batch.logParams(run, Map.of("max_depth", "3"));
    batch.setTags(run, Map.of("algo", "gbm"));
    RuntimeException e = whileTagsTableIsBroken(registry, () -> assertThrows(RuntimeException.class, batch::commit));
    assertTrue(e instanceof RegistryException, String.valueOf(e));
    assertEquals(2, rows(registry, RegistryTables.METRICS, run), "the metrics went in before the failure");
    assertEquals(0, rows(registry, RegistryTables.RUNS, run), "no run row without its batch");
    RegistryException adding = assertThrows(RegistryException.class, () -> batch.logMetrics(run, Map.of("x", 1.0)));
    assertTrue(adding.getMessage().contains("commit() again"), adding.getMessage());

    batch.commit();
    assertEquals(2, rows(registry, RegistryTables.METRICS, run));
    assertEquals(1, rows(registry, RegistryTables.PARAMS, run));
    assertEquals(1, rows(registry, RegistryTables.TAGS, run));
    assertEquals(1, rows(registry, RegistryTables.RUNS, run));
    Run back = registry.getRun(run);
    assertEquals("gbm", back.data().tags().get("algo"));
    assertEquals(0.8, back.data().metrics().get("auc").value());
    assertThrows(RegistryException.class, batch::commit);
  }

  @Test
  void anActiveRunsFailedFlushIsWrittenOnceByTheNextFlush() throws Exception {
    OmeletRegistry registry = TestSpark.registryOf(RetriedWritesTest.class);
    ActiveRun run = registry.startRun("retried-flush", "r");
    run.logMetric("loss", 0.9, 0).logMetric("loss", 0.7, 1).logMetric("loss", 0.5, 2);
    run.logParam("lr", "0.1");
    run.setTag("phase", "train");
    whileTagsTableIsBroken(registry, () -> assertThrows(RuntimeException.class, run::flush));
    assertEquals(3, rows(registry, RegistryTables.METRICS, run.runId()), "the metrics went in before the failure");

    run.logMetric("loss", 0.4, 3);
    run.close();
    assertEquals(4, rows(registry, RegistryTables.METRICS, run.runId()), "3 points once, and the new one");
    assertEquals(1, rows(registry, RegistryTables.PARAMS, run.runId()));
    Run back = registry.getRun(run.runId());
    assertEquals(RunStatus.FINISHED, back.info().status());
    assertEquals("train", back.data().tags().get("phase"));
    assertEquals(4, registry.getMetricHistory(run.runId(), "loss").size());
  }

  /** Runs {@code action} while the tags table's folder is replaced by a plain file, then puts it back. */
  private static <T> T whileTagsTableIsBroken(OmeletRegistry registry, java.util.function.Supplier<T> action)
      throws Exception {
    Path root = Paths.get(java.net.URI.create(registry.root()));
    Path tags = root.resolve(RegistryTables.TAGS);
    Path moved = root.resolve("tags.moved");
    Files.move(tags, moved);
    Files.writeString(tags, "not a table");
    try {
      return action.get();
    } finally {
      Files.delete(tags);
      Files.move(moved, tags);
    }
  }

  private static long rows(OmeletRegistry registry, String table, String runId) {
    return TestSpark.get().read().format("delta").load(registry.root() + "/" + table)
        .where(col("run_id").equalTo(runId)).count();
  }
}
