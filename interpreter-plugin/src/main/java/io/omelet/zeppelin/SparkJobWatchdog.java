package io.omelet.zeppelin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;

/**
 * Keeps a Spark job that cannot run from hanging a paragraph without a word. Two guards:
 * <ul>
 *   <li>{@link #checkSparkRuns}: when the interpreter opens its Spark session, a trivial job must
 *       finish within a limit;</li>
 *   <li>{@link #watch}: while a paragraph runs, Spark's active stages must move (a task starts,
 *       ends or fails, or a stage starts) within a limit; a task thread that died at once fails
 *       the paragraph.</li>
 * </ul>
 * Either names the cause when it can be read: a task thread that died of an uncaught error (in
 * local mode Spark's task threads die that way when a class on the class path is broken, and the
 * job then waits forever), or a driver with no executor.
 */
final class SparkJobWatchdog {
  static final String TASK_THREAD_PREFIX = "Executor task launch worker";

  private SparkJobWatchdog() {}

  /** A task thread's death: its name and error. */
  record TaskThreadDeath(String thread, Throwable error, long atNanos) {
    String describe() {
      StringBuilder b = new StringBuilder("Spark's task thread '").append(thread).append("' died: ").append(error);
      Throwable c = error.getCause();
      for (int depth = 0; c != null && depth < 3; c = c.getCause(), depth++) b.append(" (caused by ").append(c).append(')');
      return b.toString();
    }
  }

  /**
   * Records the task threads that die of an uncaught error in this JVM, then does what the JVM
   * would have done (the previous default handler, else the stack trace on stderr).
   */
  static final class TaskThreadDeaths implements Thread.UncaughtExceptionHandler {
    private static TaskThreadDeaths installed;
    private final Thread.UncaughtExceptionHandler previous;
    private final List<TaskThreadDeath> deaths = new ArrayList<>();

    private TaskThreadDeaths(Thread.UncaughtExceptionHandler previous) {
      this.previous = previous;
    }

    /** The JVM's recorder, installed as the default handler on first use. */
    static synchronized TaskThreadDeaths install() {
      if (installed == null) {
        installed = new TaskThreadDeaths(Thread.getDefaultUncaughtExceptionHandler());
        Thread.setDefaultUncaughtExceptionHandler(installed);
      }
      return installed;
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
      if (t.getName().startsWith(TASK_THREAD_PREFIX)) {
        synchronized (this) {
          deaths.add(new TaskThreadDeath(t.getName(), e, System.nanoTime()));
          if (deaths.size() > 100) deaths.remove(0);
        }
      }
      if (previous != null) {
        previous.uncaughtException(t, e);
      } else {
        System.err.print("Exception in thread \"" + t.getName() + "\" ");
        e.printStackTrace(System.err);
      }
    }

    /** The first death at or after {@code sinceNanos}, or null. */
    synchronized TaskThreadDeath since(long sinceNanos) {
      for (TaskThreadDeath d : deaths) if (d.atNanos() - sinceNanos >= 0) return d;
      return null;
    }
  }

  /**
   * Runs {@code job} (by default a two-task count) and waits at most {@code timeout}. Null when it
   * finished; else why not, after cancelling it.
   */
  static String checkSparkRuns(SparkContext sc, Duration timeout, Consumer<SparkContext> job) {
    TaskThreadDeaths deaths = TaskThreadDeaths.install();
    long t0 = System.nanoTime();
    String group = "omelet-spark-check-" + Long.toHexString(t0);
    CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
      sc.setJobGroup(group, "omelet: checking that Spark runs a job", true);
      try {
        job.accept(sc);
      } finally {
        sc.clearJobGroup();
      }
    }, r -> {
      Thread t = new Thread(r, "omelet-spark-check");
      t.setDaemon(true);
      t.start();
    });
    long deadline = t0 + timeout.toNanos();
    try {
      while (true) {
        try {
          done.get(Math.min(500, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
          return null;
        } catch (TimeoutException notYet) {
          TaskThreadDeath death = deaths.since(t0);
          if (death != null || System.nanoTime() - deadline >= 0) {
            sc.cancelJobGroup(group);
            return "Spark could not run a trivial job" + (death != null ? "" : " within " + timeout.toSeconds() + " s")
                + ": " + cause(sc, death, "no task of it finished");
          }
        }
      }
    } catch (ExecutionException e) {
      return "Spark could not run a trivial job: " + e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sc.cancelJobGroup(group);
      return "interrupted while checking that Spark runs a job";
    }
  }

  /** The default check: two tasks, so both of a local[2] session's task slots start. */
  static void trivialJob(SparkContext sc) {
    org.apache.spark.api.java.JavaSparkContext.fromSparkContext(sc).parallelize(Arrays.asList(1, 2), 2).count();
  }

  /**
   * Watches Spark's active stages from now until the returned handle is closed; calls
   * {@code onStall} once, with the reason, when they do not move for {@code limit} or a task
   * thread dies.
   */
  static AutoCloseable watch(SparkContext sc, Duration limit, Consumer<String> onStall) {
    TaskThreadDeaths deaths = TaskThreadDeaths.install();
    long started = System.nanoTime();
    SparkStatusTracker tracker = sc.statusTracker();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "omelet-stall-watch");
      t.setDaemon(true);
      return t;
    });
    long period = Math.max(100, Math.min(2000, limit.toMillis() / 10));
    timer.scheduleWithFixedDelay(new Runnable() {
      String last = "";
      long lastChange = System.nanoTime();

      @Override
      public void run() {
        Stages now = Stages.read(tracker);
        long t = System.nanoTime();
        if (now.active() == 0 || !now.signature().equals(last)) {
          last = now.signature();
          lastChange = t;
          return;
        }
        TaskThreadDeath death = deaths.since(started);
        if (death != null || t - lastChange >= limit.toNanos()) {
          String what = death != null ? "Spark's job cannot finish"
              : "Spark made no progress for " + limit.toSeconds() + " s";
          onStall.accept(what + " (" + now.describe() + "): " + cause(sc, death, "no task started or ended"));
          timer.shutdown();
        }
      }
    }, period, period, TimeUnit.MILLISECONDS);
    return timer::shutdownNow;
  }

  private static String cause(SparkContext sc, TaskThreadDeath death, String otherwise) {
    if (death != null) {
      return death.describe() + "; this Spark session cannot run tasks: restart the omelet interpreter"
          + " (a class that cannot initialise usually means a broken class path: see the README).";
    }
    if (!sc.isLocal() && sc.statusTracker().getExecutorInfos().length <= 1) {
      return otherwise + "; the driver has no executor (lost, or the cluster has none free).";
    }
    return otherwise + ".";
  }

  /** The active stages' task counts: a change in them is progress. */
  record Stages(int active, String signature, String describe) {
    static Stages read(SparkStatusTracker tracker) {
      int[] ids = tracker.getActiveStageIds();
      Arrays.sort(ids);
      StringBuilder sig = new StringBuilder();
      StringBuilder text = new StringBuilder();
      for (int id : ids) {
        scala.Option<SparkStageInfo> o = tracker.getStageInfo(id);
        if (o.isEmpty()) continue;
        SparkStageInfo s = o.get();
        sig.append(id).append(':').append(s.numActiveTasks()).append('/').append(s.numCompletedTasks())
            .append('/').append(s.numFailedTasks()).append(' ');
        if (text.length() > 0) text.append("; ");
        text.append("stage ").append(id).append(": ").append(s.numCompletedTasks()).append(" of ")
            .append(s.numTasks()).append(" tasks done, ").append(s.numActiveTasks()).append(" running");
      }
      return new Stages(ids.length, sig.toString(), text.toString());
    }
  }
}
