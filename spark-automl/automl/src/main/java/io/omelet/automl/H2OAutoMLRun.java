package io.omelet.automl;

import ai.h2o.automl.AutoML;
import ai.h2o.automl.AutoMLBuildSpec;
import hex.Model;
import hex.leaderboard.Leaderboard;
import io.omelet.automl.engine.H2OEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import water.Job;
import water.Key;

/**
 * One H2O AutoML run: started from a spec, watched until it ends (stopped when the job is
 * cancelled or its thread interrupted, failing when a node is lost), its models read, and its
 * models removed from the engine afterwards.
 */
final class H2OAutoMLRun {
  private static final Logger LOG = LoggerFactory.getLogger(H2OAutoMLRun.class);

  private final H2OEngine engine;
  private final AutoML aml;
  private final int maxModels;

  private H2OAutoMLRun(H2OEngine engine, AutoML aml, int maxModels) {
    this.engine = engine;
    this.aml = aml;
    this.maxModels = maxModels;
  }

  /** Starts AutoML; {@code maxModels} is the cap progress is told against (0 for none). */
  static H2OAutoMLRun start(H2OEngine engine, AutoMLBuildSpec spec, int maxModels) {
    return new H2OAutoMLRun(engine, AutoML.startAutoML(spec), maxModels);
  }

  /**
   * Waits for the run to end, telling {@code progress} the percent (10 to 85) and the models done.
   * A cancel or an interrupt stops it: then it returns true once the models being built have
   * stopped too.
   *
   * @throws IllegalStateException when H2O's job crashed
   */
  boolean awaitEnd(BooleanSupplier cancelled, BiConsumer<Double, String> progress) {
    progress.accept(10.0, modelsDone() + "; AutoML started");
    Job<AutoML> job = aml.job();
    boolean stopped = false, interrupted = false;
    while (job.isRunning()) {
      // A lost node never ends the job: fail instead of waiting on it (nothing more is asked of H2O).
      engine.checkHealthy();
      if ((interrupted || cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) && !stopped) {
        // keep polling after the stop request: the job ends once its current model stops
        stopped = stopQuietly();
      }
      progress.accept(10 + 75.0 * job.progress(),
          modelsDone() + (job.progress_msg() == null ? "" : "; " + job.progress_msg()));
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (stopped) awaitModelJobs(60_000);
    if (interrupted || cancelled.getAsBoolean()) return true;
    if (job.isCrashed() && job.ex() != null) {
      throw new IllegalStateException("H2O AutoML failed: " + job.ex(), job.ex());
    }
    return false;
  }

  /**
   * The leaderboard's models, best first.
   *
   * @throws IllegalStateException when AutoML built none, with its warnings and errors
   */
  Model[] models() {
    Leaderboard lb = aml.leaderboard();
    Model[] models = lb == null ? new Model[0] : lb.getModels();
    if (models.length == 0) {
      throw new IllegalStateException("H2O AutoML built no model; its warnings and errors:\n"
          + String.join("\n", engineMessages()));
    }
    return models;
  }

  Leaderboard leaderboard() {
    return aml.leaderboard();
  }

  /** Rows the models were trained on when there is no cross-validation (AutoML keeps some for validation); -1 if unknown. */
  long trainingFrameRows() {
    return aml.getTrainingFrame() == null ? -1 : aml.getTrainingFrame().numRows();
  }

  /** "N models done" (of the cap, when there is one), as the leaderboard holds them now. */
  private String modelsDone() {
    int n = 0, ensembles = 0;
    try {
      Leaderboard lb = aml.leaderboard();
      if (lb != null) {
        for (Key<hex.Model> k : lb.getModelKeys()) {
          // maxModels does not count stacked ensembles, so neither does "of N"
          if (k.toString().startsWith("StackedEnsemble")) ensembles++;
          else n++;
        }
      }
    } catch (RuntimeException e) {
      return "training"; // the leaderboard is being updated; the next poll reads it
    }
    int cap = maxModels;
    return n + (cap > 0 ? " of " + cap : "") + (n == 1 && cap <= 1 ? " model" : " models") + " done"
        + (ensembles > 0 ? " (+" + ensembles + (ensembles == 1 ? " ensemble)" : " ensembles)") : "");
  }

  /**
   * After a stop, the AutoML job can end before the model it was building has noticed: wait (a
   * bounded time) for the engine's running jobs to end, so the training frame is not removed
   * under them.
   */
  private static void awaitModelJobs(long timeoutMs) {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      boolean any = false;
      for (Job<?> j : Job.jobs()) {
        if (j.isRunning()) any = true; // others' jobs are not ours to stop: only wait
      }
      if (!any) return;
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Warnings and errors of AutoML's event log, as "stage: message". */
  List<String> engineMessages() {
    List<String> out = new ArrayList<>();
    try {
      ai.h2o.automl.events.EventLog log = aml.eventLog();
      if (log == null || log._events == null) return out;
      for (ai.h2o.automl.events.EventLogEntry<?> e : log._events) {
        if (e.getLevel() == water.logging.LoggingLevel.WARN
            || e.getLevel() == water.logging.LoggingLevel.ERROR) {
          out.add(e.getLevel() + " " + e.getStage() + ": " + e.getMessage());
        }
      }
    } catch (RuntimeException e) {
      out.add("event log unavailable: " + e);
    }
    return List.copyOf(out);
  }

  /** Asks H2O to stop; false if it could not yet (a job that has not really started). */
  private boolean stopQuietly() {
    try {
      aml.stop();
      return true;
    } catch (RuntimeException e) {
      LOG.debug("AutoML not stoppable yet: {}", e.toString());
      return false;
    }
  }

  /** Frees the engine's memory (every model, then the run itself): the models live on as MOJOs in the result. */
  void cleanUp() {
    try {
      Leaderboard lb = aml.leaderboard();
      if (lb != null) {
        for (Key<Model> k : lb.getModelKeys()) {
          Model<?, ?, ?> m = k.get();
          if (m != null) m.delete();
        }
      }
      aml.remove();
    } catch (RuntimeException e) {
      LOG.warn("could not remove AutoML {} from H2O", aml.projectName(), e);
    }
  }
}
