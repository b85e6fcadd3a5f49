package io.omelet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A run whose process dies stays visible as RUNNING with its start time; once its heartbeat is
 * older than the timeout it reads STALE (search by status stays truthful), and markStale ends it
 * FAILED with the reason recorded.
 */
class CrashedRunTest {

  /** The child process: starts a run, logs, flushes, and dies without ending it. */
  public static final class DyingWriter {
    public static void main(String[] args) throws Exception {
      OmeletRegistry registry = OmeletRegistry.open(
          OmeletSpark.builder("dying-writer", "local[1]").getOrCreate(), args[0]);
      ActiveRun run = registry.startRun("crashes", "doomed");
      run.logParam("epochs", "10");
      run.logMetric("loss", 0.7, 1);
      run.flush();
      run.logMetric("loss", 0.6, 2); // never flushed: lost with the process
      Files.writeString(Path.of(args[1]), run.runId());
      Runtime.getRuntime().halt(137); // no shutdown hooks, no close(): as if killed
    }
  }

  @Test
  void deadProcessLeavesARunningRunThatCanBeMarkedFailed() throws Exception {
    Path dir = TestSpark.tempDir("crash");
    String root = dir.resolve("registry").toString();
    Path idFile = dir.resolve("run-id.txt");

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-Djdk.reflect")) cmd.add(arg);
    }
    cmd.add("-Xmx1g");
    cmd.add("-D" + OmeletRegistry.HEARTBEAT_INTERVAL_CONF + "=1"); // Spark reads spark.* system properties
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DyingWriter.class.getName());
    cmd.add(root);
    cmd.add(idFile.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.log").toFile()).start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child did not finish");
    assertEquals(137, p.exitValue(), () -> readLog(dir.resolve("child.log").toFile()));
    String runId = Files.readString(idFile, StandardCharsets.UTF_8).trim();

    OmeletRegistry registry = OmeletRegistry.open(TestSpark.get(), root);
    Run run = registry.getRun(runId);
    assertEquals(RunStatus.RUNNING, run.info().status());
    assertTrue(run.info().startTime() > 0);
    assertNull(run.info().endTime());
    assertEquals("10", run.data().params().get("epochs"));
    assertEquals(0.7, run.data().metric("loss"));
    String exp = registry.getExperimentByName("crashes").experimentId();
    assertEquals(1, registry.searchRuns(SearchRunsRequest.in(exp).filter("attributes.status = 'RUNNING'")).runs().size());

    assertEquals(RunStatus.RUNNING, registry.getRun(runId).info().status(), "within the timeout it is RUNNING");

    // Once its heartbeat is older than the timeout it reads STALE; a live run next to it stays RUNNING.
    var spark = TestSpark.get();
    spark.conf().set(OmeletRegistry.HEARTBEAT_INTERVAL_CONF, "1");
    spark.conf().set(OmeletRegistry.HEARTBEAT_TIMEOUT_CONF, "4");
    try (ActiveRun alive = registry.startRun("crashes", "alive")) {
      waitUntil(() -> registry.getRunInfo(runId).status() == RunStatus.STALE);
      assertEquals(RunStatus.STALE, registry.getRun(runId).info().status());
      assertEquals(List.of(alive.runId()), ids(registry.searchRuns(
          SearchRunsRequest.in(exp).filter("attributes.status = 'RUNNING'"))), "RUNNING finds only the live run");
      assertEquals(List.of(runId), ids(registry.searchRuns(
          SearchRunsRequest.in(exp).filter("attributes.status = 'STALE'"))));
      assertEquals(RunStatus.RUNNING, registry.getRunInfo(alive.runId()).status());

      List<RunInfo> marked = registry.markStale(java.time.Duration.ofSeconds(4));
      assertEquals(List.of(runId), marked.stream().map(RunInfo::runId).toList(), "only the dead run is marked");
      assertEquals(RunStatus.RUNNING, registry.getRunInfo(alive.runId()).status());
    } finally {
      spark.conf().unset(OmeletRegistry.HEARTBEAT_INTERVAL_CONF);
      spark.conf().unset(OmeletRegistry.HEARTBEAT_TIMEOUT_CONF);
    }
    Run failed = registry.getRun(runId);
    assertEquals(RunStatus.FAILED, failed.info().status());
    assertNotNull(failed.info().endTime());
    assertNotEquals(0L, failed.info().endTime());
    assertTrue(failed.data().tags().get(OmeletRegistry.ERROR_TAG).startsWith("no heartbeat since "),
        failed.data().tags().get(OmeletRegistry.ERROR_TAG));
    assertEquals(0.7, failed.data().metric("loss")); // what was flushed survives
    assertEquals(List.of(), registry.markStale(java.time.Duration.ofSeconds(4)), "nothing left to mark");
    assertEquals(0, registry.searchRuns(SearchRunsRequest.in(exp).filter("attributes.status = 'RUNNING'")).runs().size(),
        "the live run ended FINISHED when closed");

    registry.markFailed(failed.info().runId(), "writer process died (exit 137)");
    assertEquals("writer process died (exit 137)", registry.getRun(runId).data().tags().get(OmeletRegistry.ERROR_TAG));
  }

  private static List<String> ids(RunPage page) {
    return page.runs().stream().map(r -> r.info().runId()).toList();
  }

  /** Polls (for at most two minutes) until the condition holds. */
  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "condition not reached in two minutes");
      Thread.sleep(250);
    }
  }

  private static String readLog(File f) {
    try {
      return Files.readString(f.toPath());
    } catch (Exception e) {
      return "(no log)";
    }
  }
}
