package io.omelet.commands;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.sql.SparkSession;

/**
 * Progress of long Spark steps: while a step runs, the active stages' finished and total tasks
 * are read from Spark's status tracker twice a second and sent as progress events. A job group
 * names the step's jobs, so cancelling the command cancels them.
 */
public final class SparkProgress {
  private SparkProgress() {}

  public static <T> T during(CommandContext ctx, String step, Supplier<T> body) {
    SparkSession spark = ctx.spark();
    String group = "omelet-" + step + "-" + Long.toHexString(System.nanoTime());
    // a front end's own group (a notebook paragraph's) comes back afterwards
    String outerGroup = spark.sparkContext().getLocalProperty("spark.jobGroup.id");
    String outerDescription = spark.sparkContext().getLocalProperty("spark.job.description");
    spark.sparkContext().setJobGroup(group, "omelet " + step, true);
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "omelet-spark-progress");
      t.setDaemon(true);
      return t;
    });
    SparkStatusTracker tracker = spark.sparkContext().statusTracker();
    poller.scheduleAtFixedRate(() -> {
      int done = 0, total = 0;
      for (int id : tracker.getActiveStageIds()) {
        scala.Option<SparkStageInfo> info = tracker.getStageInfo(id);
        if (info.isDefined()) {
          done += info.get().numCompletedTasks();
          total += info.get().numTasks();
        }
      }
      if (total > 0) {
        ctx.sink().progress(ProgressEvent.of(step, 100.0 * done / total, "Spark: " + done + "/" + total + " tasks"));
      }
    }, 500, 500, TimeUnit.MILLISECONDS);
    AutoCloseable hook = ctx.onCancel(() -> spark.sparkContext().cancelJobGroup(group));
    boolean ok = false;
    try {
      T result = body.get();
      ctx.checkCancelled();
      ok = true;
      return result;
    } catch (RuntimeException e) {
      if (ctx.cancelled()) throw new CommandCancelledException();
      throw e;
    } finally {
      poller.shutdownNow();
      try {
        hook.close();
      } catch (Exception ignored) {
        // removing a hook cannot fail
      }
      if (outerGroup != null) {
        spark.sparkContext().setJobGroup(outerGroup, outerDescription == null ? "" : outerDescription, true);
      } else {
        spark.sparkContext().clearJobGroup();
      }
      // the step ends either way; it says "done" only when it did its work
      ctx.sink().progress(ProgressEvent.finished(step, step + (ok ? " done" : " failed")));
    }
  }

  public static void run(CommandContext ctx, String step, Runnable body) {
    during(ctx, step, () -> {
      body.run();
      return null;
    });
  }
}
