package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StudyTest {
  private static final SearchSpace SPACE = SearchSpace.of(Parameter.uniform("x", 0, 1));

  @Test
  void aClearlyBadTrialIsPrunedAndKept() {
    Study study = new Study(SPACE, Direction.MINIMIZE, new RandomSampler(1), new MedianPruner(3, 0));
    for (int i = 0; i < 3; i++) {
      TrialRun run = study.ask();
      for (int fold = 0; fold < 3; fold++) {
        run.report(fold, 0.1 + 0.01 * i + fold * 0.001);
        assertFalse(run.shouldPrune());
      }
      run.complete(0.1 + 0.01 * i);
    }
    TrialRun bad = study.ask();
    bad.report(0, 5.0);
    assertTrue(bad.shouldPrune());
    Trial pruned = bad.prune();
    assertEquals(TrialState.PRUNED, pruned.state());
    assertEquals(5.0, pruned.value());
    assertEquals(Map.of(0, 5.0), pruned.intermediateValues());
    assertEquals(TrialState.PRUNED, study.trials().get(3).state());
    assertEquals(0.1, study.bestTrial().orElseThrow().value());

    TrialRun good = study.ask();
    good.report(0, 0.05);
    assertFalse(good.shouldPrune());
  }

  @Test
  void theMedianPrunerWaitsForItsStartupTrialsAndWarmupSteps() {
    Study study = new Study(SPACE, Direction.MAXIMIZE, new RandomSampler(1), new MedianPruner(2, 1));
    TrialRun first = study.ask();
    first.report(0, 0.9);
    first.report(1, 0.9);
    first.complete(0.9);
    TrialRun early = study.ask();
    early.report(0, 0.1);
    early.report(1, 0.1);
    assertFalse(early.shouldPrune(), "one completed trial, two needed");
    early.complete(0.8);
    TrialRun bad = study.ask();
    bad.report(0, 0.1);
    assertFalse(bad.shouldPrune(), "step 0 is a warm-up step");
    bad.report(1, 0.1);
    assertTrue(bad.shouldPrune(), "maximising: 0.1 is below the median");
  }

  @Test
  void optimizePrunesThroughTheObjective() throws Exception {
    Study study = new Study(SPACE, Direction.MINIMIZE, new TpeSampler(3), new MedianPruner());
    List<Trial> ran = study.optimize(t -> {
      double x = t.doubleParam("x");
      double sum = 0;
      for (int fold = 0; fold < 3; fold++) {
        double v = (x - 0.3) * (x - 0.3) + 0.01 * fold;
        t.report(fold, v);
        if (t.shouldPrune()) throw new TrialPrunedException("fold " + fold);
        sum += v;
      }
      return sum / 3;
    }, 40, 0, 1);
    assertEquals(40, ran.size());
    long pruned = ran.stream().filter(t -> t.state() == TrialState.PRUNED).count();
    assertTrue(pruned > 5, "pruned " + pruned);
    for (Trial t : ran) {
      if (t.state() == TrialState.PRUNED) assertEquals(t.intermediateValues().get(t.lastStep()), t.value());
    }
  }

  @Test
  void aFailingTrialIsFailedAndTheStudyGoesOn() throws Exception {
    Study study = new Study(SPACE, Direction.MINIMIZE, new RandomSampler(2), Pruner.NONE);
    List<Trial> ran = study.optimize(t -> {
      if (t.number() % 3 == 1) throw new IOException("disk gone at " + t.number());
      if (t.number() % 3 == 2) return Double.NaN;
      return t.doubleParam("x");
    }, 9, 0, 1);
    assertEquals(9, ran.size());
    Trial failed = ran.get(1);
    assertEquals(TrialState.FAILED, failed.state());
    assertEquals("java.io.IOException: disk gone at 1", failed.error());
    assertTrue(Double.isNaN(failed.value()));
    assertEquals(TrialState.FAILED, ran.get(2).state());
    assertEquals("the objective returned NaN", ran.get(2).error());
    assertEquals(3, ran.stream().filter(t -> t.state() == TrialState.COMPLETE).count());
    assertNull(ran.get(0).error());
    assertTrue(ran.get(0).end() != null && !ran.get(0).end().isBefore(ran.get(0).start()));
  }

  @Test
  void whenEveryTrialFailsTheFirstErrorIsRaised() {
    Study study = new Study(SPACE, Direction.MINIMIZE, new RandomSampler(2), Pruner.NONE);
    IllegalStateException first = new IllegalStateException("bad label column");
    RuntimeException raised = assertThrows(RuntimeException.class, () -> study.optimize(t -> {
      throw t.number() == 0 ? first : new IllegalStateException("later " + t.number());
    }, 5, 0, 2));
    assertSame(first, raised);
    assertEquals(5, study.trials().stream().filter(t -> t.state() == TrialState.FAILED).count());

    Study checked = new Study(SPACE, Direction.MINIMIZE, new RandomSampler(2), Pruner.NONE);
    IllegalStateException wrapped = assertThrows(IllegalStateException.class, () -> checked.optimize(t -> {
      throw new IOException("no such file");
    }, 3, 0, 1));
    assertEquals("every trial failed; the first: java.io.IOException: no such file", wrapped.getMessage());
    assertEquals(IOException.class, wrapped.getCause().getClass());
  }

  @Test
  void cancellingFromAnotherThreadStopsNewTrials() throws Exception {
    Study study = new Study(SPACE, Direction.MINIMIZE, new TpeSampler(1), Pruner.NONE);
    List<Trial> ran = study.optimize(t -> {
      if (t.number() == 4) {
        Thread canceller = new Thread(study::cancel);
        canceller.start();
        canceller.join();
      }
      return t.doubleParam("x");
    }, 100, 0, 1);
    assertEquals(5, ran.size());
    assertTrue(study.isCancelled());
    assertTrue(ran.stream().allMatch(t -> t.state() == TrialState.COMPLETE));
  }

  @Test
  void aTimeoutAloneEndsTheStudy() throws Exception {
    Study study = new Study(SPACE, Direction.MINIMIZE, new RandomSampler(1), Pruner.NONE);
    List<Trial> ran = study.optimize(t -> {
      Thread.sleep(20);
      return t.doubleParam("x");
    }, 0, 0.2, 2);
    assertFalse(ran.isEmpty());
    assertTrue(ran.stream().allMatch(t -> t.state() == TrialState.COMPLETE));
  }

  @Test
  void parallelTrialsRunConcurrentlyAndAllFinish() throws Exception {
    TestFunction branin = TestFunction.branin();
    Study study = new Study(branin.space(), Direction.MINIMIZE, new TpeSampler(2), Pruner.NONE);
    CountDownLatch fourAtOnce = new CountDownLatch(4);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    AtomicInteger count = new AtomicInteger();
    List<Trial> ran = study.optimize(t -> {
      threads.add(Thread.currentThread().getName());
      if (count.incrementAndGet() <= 4) {
        // The first four trials wait for each other: they can only all finish if they run at once.
        fourAtOnce.countDown();
        fourAtOnce.await();
      }
      return branin.evaluate(t.params());
    }, 40, 0, 4);
    assertEquals(40, ran.size());
    assertEquals(4, threads.size());
    assertTrue(ran.stream().allMatch(t -> t.state() == TrialState.COMPLETE));
    Set<Map<String, Object>> points = new HashSet<>();
    for (Trial t : ran) points.add(t.params());
    assertEquals(40, points.size());
  }

  @Test
  void badBudgetsAreRefusedBeforeAnyTrial() {
    Study study = new Study(SPACE, Direction.MINIMIZE, 1);
    Objective o = t -> 0;
    assertEquals("maxTrials must be > 0 when there is no timeout",
        assertThrows(IllegalArgumentException.class, () -> study.optimize(o, 0, 0, 1)).getMessage());
    assertEquals("maxTrials must be >= 0, got -1",
        assertThrows(IllegalArgumentException.class, () -> study.optimize(o, -1, 10, 1)).getMessage());
    assertEquals("timeoutSeconds must be >= 0, got -1.0",
        assertThrows(IllegalArgumentException.class, () -> study.optimize(o, 5, -1, 1)).getMessage());
    assertEquals("parallelism must be >= 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> study.optimize(o, 5, 0, 0)).getMessage());
    assertTrue(study.trials().isEmpty());
  }

  @Test
  void finishedTrialsCannotBeToldAgain() {
    Study study = new Study(SPACE, Direction.MINIMIZE, 1);
    TrialRun run = study.ask();
    run.complete(0.5);
    assertEquals("trial 0 is already COMPLETE", assertThrows(IllegalStateException.class, () -> run.complete(0.4)).getMessage());
    assertEquals("the study has no trial 7", assertThrows(IllegalArgumentException.class, () -> study.tell(7, 1)).getMessage());
    assertEquals("parameter 'y' is not active in trial 0: " + run.params(),
        assertThrows(IllegalArgumentException.class, () -> run.param("y")).getMessage());
  }

  @Test
  void aWarmStartFeedsTheSampler() {
    TestFunction branin = TestFunction.branin();
    Study earlier = new Study(branin.space(), Direction.MINIMIZE, new TpeSampler(9), Pruner.NONE);
    for (int i = 0; i < 40; i++) {
      TrialRun run = earlier.ask();
      run.complete(branin.evaluate(run.params()));
    }
    Study resumed = new Study(branin.space(), Direction.MINIMIZE, new TpeSampler(10), Pruner.NONE);
    for (Trial t : earlier.trials()) {
      // As read back from a tracking store: numbers as text.
      Map<String, Object> asText = new TreeMap<>();
      t.params().forEach((k, v) -> asText.put(k, String.valueOf(v)));
      resumed.addTrial(Trial.finished(asText, t.state(), t.value(), t.intermediateValues()));
    }
    assertEquals(40, resumed.trials().size());
    assertEquals(earlier.bestTrial().orElseThrow().params(), resumed.bestTrial().orElseThrow().params());
    // Past the start-up phase at once: the new trials go on from the good region.
    TrialRun next = resumed.ask();
    assertEquals(40, next.number());
    double bestNew = Double.POSITIVE_INFINITY;
    for (int i = 0; i < 10; i++) {
      TrialRun run = i == 0 ? next : resumed.ask();
      double v = branin.evaluate(run.params());
      run.complete(v);
      bestNew = Math.min(bestNew, v);
    }
    assertTrue(bestNew < 2, "best of the 10 new trials " + bestNew);
    assertEquals("only finished trials can be added, not RUNNING",
        assertThrows(IllegalArgumentException.class, () -> resumed.addTrial(resumed.ask().snapshot())).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> resumed.addTrial(Trial.finished(Map.of("x1", 99.0, "x2", 1.0), TrialState.COMPLETE, 1, null)))
        .getMessage().contains("parameter x1: 99.0 is outside [-5.0, 10.0]"));
  }
}
