package io.omelet.automl;

import hex.Model;
import hex.leaderboard.Leaderboard;
import io.omelet.automl.engine.H2OEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import water.Key;
import water.fvec.Frame;

/**
 * One AutoML run on the H2O engine, from a DataFrame to a leaderboard of evaluated models, in
 * steps each its own class: validate the input, clear errors before any training
 * ({@link TrainingPlan}); sample, split off a holdout and draw cross-validation folds, stratified
 * for classification ({@link DataSplit}); move the training rows into H2O and run AutoML
 * ({@link H2OAutoMLSpec}, {@link H2OAutoMLRun}); read every model's parameters, metrics, variable
 * importance and MOJO ({@link H2OModelResults}); score the holdout through each MOJO
 * ({@link HoldoutScoring}); refit the leader on every labelled row ({@link RefitOnAllRows}).
 *
 * <p>Tracking hooks in through {@link AutoMLListener}. A job runs once; {@link #cancel()} may be
 * called from another thread.
 */
public final class AutoMLJob {
  private static final Logger LOG = LoggerFactory.getLogger(AutoMLJob.class);
  /** The fold column added to the training frame. */
  public static final String FOLD_COL = "__omelet_fold";
  /** The fold assignment of every labelled row (holdout included), for the refit of an ensemble. */
  static final String ALL_FOLD_COL = "__omelet_fold_all";
  /** The share of a time budget kept for refitting the leader on all rows. */
  static final double REFIT_SHARE = 0.2;

  private final H2OEngine engine;
  private final AutoMLRunSettings settings;
  private final List<AutoMLListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean cancelled;

  /** A job with the values {@code params} hold now (a named profile is not applied: see {@link OmeletAutoML#fit}). */
  public AutoMLJob(H2OEngine engine, AutoMLParams params) {
    this.engine = engine;
    this.settings = AutoMLRunSettings.of(params);
  }

  public AutoMLJob addListener(AutoMLListener listener) {
    listeners.add(listener);
    return this;
  }

  /** Stops the job: training stops at once and {@link #run} throws AutoMLCancelledException. */
  public void cancel() {
    cancelled = true;
    // the polling loop of run() stops the H2O job; calling into H2O from here could race its start
  }

  /**
   * Checks the input as {@link #run} does before it trains (columns, types, label, folds, rows per
   * class after sampling and the holdout) and returns what the run would be, training nothing.
   * Bad input fails with {@link AutoMLInputException}, as {@code run} would.
   */
  public AutoMLRunInfo check(Dataset<Row> data) {
    Prepared p = prepare(data);
    p.rows.release();
    return p.info;
  }

  /** The input checked, sampled and split, with what the run's listeners are told at its start. */
  private record Prepared(TrainingPlan plan, DataSplit rows, AutoMLRunInfo info) {}

  private Prepared prepare(Dataset<Row> data) {
    progress(AutoMLListener.Phase.VALIDATING, 0, "checking the input");
    TrainingPlan plan = TrainingPlan.validate(data, settings);
    checkCancelled();
    progress(AutoMLListener.Phase.PREPARING, 3, "sampling and splitting");
    DataSplit rows = DataSplit.of(plan, settings);
    AutoMLRunInfo info = new AutoMLRunInfo(settings, plan.type, plan.label,
        List.copyOf(plan.features), plan.classes == null ? null : List.copyOf(plan.classes),
        plan.inputRows, rows.usedRows(), rows.trainRows, rows.holdoutRows, plan.seed, List.copyOf(plan.warnings),
        plan.positiveClass, plan.positiveClassReason);
    return new Prepared(plan, rows, info);
  }

  /** Runs the job to the end; bad input fails with {@link AutoMLInputException} before training. */
  public AutoMLResult run(Dataset<Row> data) {
    long t0 = System.currentTimeMillis();
    DataSplit rows = null;
    Frame train = null;
    H2OAutoMLRun automl = null;
    try {
      Prepared prepared = prepare(data);
      rows = prepared.rows;
      TrainingPlan plan = prepared.plan;
      AutoMLRunInfo info = prepared.info;
      for (AutoMLListener l : listeners) l.onStart(info);
      checkCancelled();

      progress(AutoMLListener.Phase.CONVERTING, 5, "moving " + rows.trainRows + " rows into H2O");
      engine.start();
      String project = "omelet_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      train = engine.toH2OFrame(rows.training(), Key.make(project + "_train"));
      checkCancelled();

      // A time budget covers the whole job: AutoML gets what is left of it, less a share kept for
      // the refit when there will be one.
      boolean refitPlanned = settings.refitOnAllRows() && (rows.holdoutRows > 0 || settings.nfolds() < 2);
      double automlSecs = 0;
      if (settings.maxRuntimeSecs() > 0) {
        double left = settings.maxRuntimeSecs() - (System.currentTimeMillis() - t0) / 1000.0;
        automlSecs = Math.max(1, refitPlanned ? left * (1 - REFIT_SHARE) : left);
      }
      automl = H2OAutoMLRun.start(engine, H2OAutoMLSpec.of(settings, plan, train, project, automlSecs),
          settings.maxModels());
      if (automl.awaitEnd(() -> cancelled, (pct, msg) -> progress(AutoMLListener.Phase.TRAINING, pct, msg))) {
        cancelled = true;
      }
      checkCancelled();

      progress(AutoMLListener.Phase.COLLECTING, 85, "collecting models");
      engine.checkHealthy();
      Model[] models = automl.models();
      Leaderboard lb = automl.leaderboard();
      Map<String, Map<String, Object>> table = H2OModelResults.leaderboardTable(lb);
      // With cross-validation the main model of each is trained on every training row; without,
      // on what AutoML kept after splitting off its validation rows.
      long leaderRows = settings.nfolds() >= 2 || automl.trainingFrameRows() < 0 ? rows.trainRows
          : automl.trainingFrameRows();
      List<ModelResult> results = new ArrayList<>();
      for (int i = 0; i < models.length; i++) {
        results.add(H2OModelResults.collect(models[i], i + 1, leaderRows, null, table.get(models[i]._key.toString())));
        checkCancelled();
      }
      for (int i = 0; i < results.size(); i++) {
        ModelResult r = results.get(i);
        engine.checkHealthy();
        progress(AutoMLListener.Phase.EVALUATING, 90 + 10.0 * i / results.size(),
            "scoring the holdout with " + r.modelId());
        if (rows.holdoutRows > 0 && r.hasMojo()) r = withHoldout(r, rows, plan);
        results.set(i, r);
        for (AutoMLListener l : listeners) l.onModel(r);
        checkCancelled();
      }
      Refit refit = null;
      String refitNote;
      if (!settings.refitOnAllRows()) {
        refitNote = "refitOnAllRows is off: the leader is served as trained, on " + leaderRows + " rows";
      } else if (!refitPlanned) {
        refitNote = "nothing to refit: the leader was trained on all " + leaderRows + " labelled rows";
      } else {
        try {
          refit = new RefitOnAllRows(engine, settings, () -> cancelled,
              msg -> progress(AutoMLListener.Phase.REFITTING, 97, msg)).refit(models[0], rows, project, t0);
          refitNote = null;
        } catch (LeaderRefit.Skipped e) {
          refitNote = e.getMessage() + "; the leader is served as trained, on " + leaderRows + " rows";
          LOG.warn("no refit: {}", refitNote);
        }
      }
      checkCancelled();
      AutoMLResult result = new AutoMLResult(project, info, lb.getSortMetric(), List.copyOf(results), refit,
          refitNote, automl.engineMessages(), System.currentTimeMillis() - t0);
      // A cancel that came in while collecting must not register anything.
      checkCancelled();
      progress(AutoMLListener.Phase.DONE, 100, "done: " + results.size() + " models");
      for (AutoMLListener l : listeners) l.onComplete(result);
      return result;
    } catch (RuntimeException | Error e) {
      // Errors too (OutOfMemoryError, LinkageError): the run must end FAILED, never stay RUNNING.
      for (AutoMLListener l : listeners) {
        try {
          l.onFailure(e);
        } catch (RuntimeException | Error le) {
          e.addSuppressed(le);
        }
      }
      throw e;
    } finally {
      // After a node loss any call into H2O may wait forever on the missing node: leave it be.
      if (engine.usable()) cleanUp(automl, train);
      if (rows != null) rows.release();
    }
  }

  /** {@code r} with its holdout metrics, or with why they could not be computed. */
  private static ModelResult withHoldout(ModelResult r, DataSplit rows, TrainingPlan plan) {
    try {
      return r.withHoldout(HoldoutScoring.evaluate(r, rows.holdout(), plan), null);
    } catch (RuntimeException e) {
      LOG.warn("holdout scoring failed for {}", r.modelId(), e);
      return r.withHoldout(null, "holdout scoring failed: " + e);
    }
  }

  /**
   * The labelled rows as the job splits them, for tests: the selected columns, {@code holdout},
   * {@link #FOLD_COL}, {@link #ALL_FOLD_COL} and the fold or group value as {@code split}.
   */
  Dataset<Row> splits(Dataset<Row> data) {
    return DataSplit.tagged(TrainingPlan.validate(data, settings), settings);
  }

  private void progress(AutoMLListener.Phase phase, double percent, String message) {
    for (AutoMLListener l : listeners) l.onProgress(phase, Math.min(100, Math.max(0, percent)), message);
  }

  private void checkCancelled() {
    if (cancelled) throw new AutoMLCancelledException("AutoML job cancelled");
  }

  /** Frees the engine's memory: the models live on as MOJOs in the result. */
  private static void cleanUp(H2OAutoMLRun automl, Frame train) {
    if (automl != null) automl.cleanUp();
    try {
      if (train != null) train.delete();
    } catch (RuntimeException e) {
      LOG.warn("could not remove the training frame from H2O", e);
    }
  }
}
