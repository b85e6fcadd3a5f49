package io.omelet.zeppelin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.OmeletSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.zeppelin.interpreter.InterpreterContext;
import org.apache.zeppelin.interpreter.InterpreterOutput;
import org.apache.zeppelin.interpreter.InterpreterResult;
import org.apache.zeppelin.interpreter.InterpreterResultMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Spark job that cannot run fails a paragraph with its cause instead of hanging it: the check
 * when the session opens, the stall watch while a paragraph runs, a dead task thread named as the
 * cause, and the interpreter going on with the next paragraph afterwards. On a real local session;
 * a task that sleeps stands for a task that never ends.
 */
class SparkJobWatchdogTest {
  static SparkSession spark;

  @BeforeAll
  static void session() {
    spark = OmeletSpark.builder("watchdog-test", "local[2]").getOrCreate();
  }

  @AfterEach
  void noJobLeft() throws Exception {
    SparkContext sc = spark.sparkContext();
    for (int i = 0; i < 300 && (sc.statusTracker().getActiveJobIds().length > 0 || runningTasks(sc) > 0); i++) {
      Thread.sleep(100);
    }
    assertEquals(0, sc.statusTracker().getActiveJobIds().length, "the stalled job was cancelled");
    assertEquals(0, runningTasks(sc), "its tasks were killed");
  }

  static int runningTasks(SparkContext sc) {
    return Arrays.stream(sc.statusTracker().getExecutorInfos()).mapToInt(e -> e.numRunningTasks()).sum();
  }

  /** Waits until both tasks of the sleeping job run. */
  static void awaitTwoRunningTasks(SparkContext sc) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      for (int id : sc.statusTracker().getActiveStageIds()) {
        var info = sc.statusTracker().getStageInfo(id);
        if (info.isDefined() && info.get().numActiveTasks() == 2) return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the sleeping job's tasks did not start");
  }

  /** A job whose two tasks sleep ten minutes unless interrupted. */
  static void sleepingJob(SparkContext sc) {
    JavaSparkContext.fromSparkContext(sc).parallelize(Arrays.asList(1, 2), 2).foreach(x -> Thread.sleep(600_000));
  }

  @Test
  void theOpeningCheckPassesOnAWorkingSession() {
    assertNull(SparkJobWatchdog.checkSparkRuns(spark.sparkContext(), Duration.ofSeconds(60), SparkJobWatchdog::trivialJob));
  }

  @Test
  void theOpeningCheckGivesUpAfterItsLimitAndCancelsTheJob() {
    String problem = SparkJobWatchdog.checkSparkRuns(spark.sparkContext(), Duration.ofSeconds(2),
        SparkJobWatchdogTest::sleepingJob);
    assertTrue(problem != null && problem.startsWith("Spark could not run a trivial job within 2 s: no task of it finished"),
        String.valueOf(problem));
  }

  /** Starts the sleeping job in {@code group} and returns once both its tasks run; cancel the group to end it. */
  static CompletableFuture<Void> startSleepingJob(SparkContext sc, String group) throws InterruptedException {
    CompletableFuture<Void> job = CompletableFuture.runAsync(() -> {
      sc.setJobGroup(group, "a job that does not move", true);
      try {
        sleepingJob(sc);
      } catch (Exception cancelled) { // SparkException, thrown unchecked by Scala: the test cancels it
      }
    });
    awaitTwoRunningTasks(sc);
    return job;
  }

  @Test
  void aStageThatDoesNotMoveIsReportedWithItsTasks() throws Exception {
    SparkContext sc = spark.sparkContext();
    CompletableFuture<String> stall = new CompletableFuture<>();
    CompletableFuture<Void> job = startSleepingJob(sc, "watchdog-stall");
    try (AutoCloseable watch = SparkJobWatchdog.watch(sc, Duration.ofSeconds(2), stall::complete)) {
      String reason = stall.get(60, TimeUnit.SECONDS);
      assertTrue(reason.startsWith("Spark made no progress for 2 s (stage ") && reason.contains(": 0 of 2 tasks done, 2 running")
          && reason.endsWith("no task started or ended."), reason);
    } finally {
      sc.cancelJobGroup("watchdog-stall");
      job.get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aDeadTaskThreadIsTheCauseAtOnce() throws Exception {
    SparkContext sc = spark.sparkContext();
    CompletableFuture<String> stall = new CompletableFuture<>();
    CompletableFuture<Void> job = startSleepingJob(sc, "watchdog-dead-thread");
    try (AutoCloseable watch = SparkJobWatchdog.watch(sc, Duration.ofMinutes(10), stall::complete)) {
      killATaskThread("Could not initialize class org.slf4j.MDC");
      String reason = stall.get(60, TimeUnit.SECONDS);
      assertTrue(reason.startsWith("Spark's job cannot finish (stage "), reason);
      assertTrue(reason.contains("Spark's task thread 'Executor task launch worker for task 7.0 in stage 99.0 (TID 7)' died: "
          + "java.lang.NoClassDefFoundError: Could not initialize class org.slf4j.MDC"), reason);
      assertTrue(reason.contains("restart the omelet interpreter"), reason);
    } finally {
      sc.cancelJobGroup("watchdog-dead-thread");
      job.get(60, TimeUnit.SECONDS);
    }
  }

  /**
   * A thread named like Spark's task threads dies of the error seen when slf4j 1.7 met Log4j 2's
   * bridge; Spark's own threads cannot be made to die that way on a sound class path.
   */
  private static void killATaskThread(String message) throws InterruptedException {
    Thread t = new Thread(() -> {
      throw new NoClassDefFoundError(message);
    }, "Executor task launch worker for task 7.0 in stage 99.0 (TID 7)");
    t.start();
    t.join();
  }

  @Test
  void aStalledParagraphFailsWithTheReasonAndTheNextOneRuns() throws Exception {
    Path dir = Files.createTempDirectory("omelet-watchdog");
    Properties p = new Properties();
    p.setProperty("omelet.workDir", dir.toString());
    p.setProperty("omelet.registry.root", "registry");
    p.setProperty("omelet.stallTimeoutSecs", "3");
    OmeletInterpreter interpreter = new OmeletInterpreter(p);
    interpreter.open();
    try {
      InterpreterResult stalled = interpreter.interpret(
          "sql \"SELECT reflect('java.lang.Thread', 'sleep', CAST(600000 AS BIGINT)) AS slept\"", context("p-stall"));
      assertEquals(InterpreterResult.Code.ERROR, stalled.code(), text(stalled));
      assertTrue(text(stalled).contains("omelet: Spark made no progress for 3 s (stage "), text(stalled));

      InterpreterResult next = interpreter.interpret("sql \"SELECT 41 + 1 AS answer\"", context("p-next"));
      assertEquals(InterpreterResult.Code.SUCCESS, next.code(), text(next));
      assertTrue(text(next).contains("answer\n42"), text(next));
    } finally {
      interpreter.close();
    }
  }

  private static InterpreterContext context(String paragraphId) {
    return InterpreterContext.builder().setNoteId("note-watchdog").setParagraphId(paragraphId)
        .setInterpreterOut(new InterpreterOutput()).build();
  }

  private static String text(InterpreterResult r) {
    StringBuilder b = new StringBuilder();
    for (InterpreterResultMessage m : r.message()) b.append(m.getData()).append('\n');
    return b.toString();
  }
}
