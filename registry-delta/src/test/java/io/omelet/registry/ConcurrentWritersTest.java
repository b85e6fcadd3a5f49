package io.omelet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Four threads log to one registry at once: nothing is lost, nothing is duplicated. */
class ConcurrentWritersTest {
  // Four writers conflict as eight did (every commit races the others) at half the CI time.
  static final int THREADS = 4;
  static final int POINTS = 40;

  @Test
  void concurrentWritersLoseAndDuplicateNothing() throws Exception {
    OmeletRegistry registry = TestSpark.freshRegistry();
    String exp = registry.createExperiment("concurrent");
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<String>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      final int thread = t;
      Callable<String> work = () -> {
        String runId;
        try (ActiveRun run = registry.resumeRun(registry.createRun(exp, "thread-" + thread).runId())) {
          runId = run.runId();
          for (int i = 0; i < POINTS; i++) {
            run.logMetric("loss", 1.0 / (i + 1), i);
            if (i == POINTS / 2) run.flush(); // two flushes per run, interleaved with the others
          }
          run.logParams(Map.of("thread", thread, "lr", 0.1));
          run.setTag("writer", "t" + thread);
          run.logText("model of thread " + thread, "model/model.txt");
        }
        // Direct (unbatched) writes too, racing with the other threads' commits.
        registry.setTag(runId, "direct", "yes");
        registry.logMetric(runId, "auc", 0.5 + thread / 100.0);
        registry.createModelVersion("shared", runId, "model/model.txt", "from thread " + thread, Map.of());
        registry.setExperimentTag(exp, "thread-" + thread, "done");
        return runId;
      };
      futures.add(pool.submit(work));
    }
    List<String> runIds = new ArrayList<>();
    for (Future<String> f : futures) runIds.add(f.get());
    pool.shutdown();

    List<Run> runs = registry.searchAllRuns(SearchRunsRequest.in(exp), 100);
    assertEquals(THREADS, runs.size());
    for (Run r : runs) {
      assertEquals(RunStatus.FINISHED, r.info().status());
      int thread = Integer.parseInt(r.info().runName().substring("thread-".length()));
      assertEquals(Map.of("thread", String.valueOf(thread), "lr", "0.1"), r.data().params());
      assertEquals(Map.of("writer", "t" + thread, "direct", "yes"), r.data().tags());
      assertEquals(0.5 + thread / 100.0, r.data().metric("auc"), 1e-12);
      List<Metric> history = registry.getMetricHistory(r.runId(), "loss");
      assertEquals(POINTS, history.size(), "every point, once");
      assertEquals(POINTS, history.stream().map(Metric::step).distinct().count());
    }
    // Version numbers are claimed under concurrency: 1..THREADS, each once, each with its own files.
    List<ModelVersion> versions = registry.listModelVersions("shared");
    assertEquals(THREADS, versions.size());
    Set<Integer> numbers = new HashSet<>();
    Set<String> owners = new HashSet<>();
    for (ModelVersion v : versions) {
      numbers.add(v.version());
      owners.add(v.runId());
      String text = new String(java.nio.file.Files.readAllBytes(
          java.nio.file.Path.of(java.net.URI.create(v.storageLocation()))));
      assertEquals("model of thread " + (Integer.parseInt(registry.getRunInfo(v.runId()).runName().substring(7))), text);
    }
    assertEquals(java.util.stream.IntStream.rangeClosed(1, THREADS).boxed().collect(java.util.stream.Collectors.toSet()),
        numbers);
    assertEquals(new HashSet<>(runIds), owners);
    Map<String, String> expTags = registry.getExperiment(exp).tags();
    for (int t = 0; t < THREADS; t++) assertTrue(expTags.containsKey("thread-" + t), expTags.toString());
  }
}
