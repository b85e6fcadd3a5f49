package io.omelet.tuning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * One fit of an {@link OmeletTuner}: the rows split into folds once (or one train/validation split), the
 * objective that fits a trial's estimator on each fold and reports each fold's metric (pruning between
 * folds), and the best trial refit on every row as a {@link TunerModel}.
 */
final class CrossValidatedSearch implements AutoCloseable {
  /** The column the folds are drawn into, named so it does not meet a user's. */
  static final String FOLD_COL = "__omelet_fold";

  private final OmeletTuner tuner;
  private final Dataset<Row> data;
  private final Dataset<Row> withFold;
  private final List<Dataset<Row>> train = new ArrayList<>();
  private final List<Dataset<Row>> valid = new ArrayList<>();
  private final Map<Integer, Model<?>[]> subModels = new ConcurrentHashMap<>();

  /** Draws the folds (seeded by foldSeed, else seed) and keeps them for every trial. */
  CrossValidatedSearch(OmeletTuner tuner, Dataset<?> dataset) {
    this.tuner = tuner;
    data = dataset.toDF();
    Double ratio = tuner.getTrainRatio();
    int k = ratio != null ? 1 : tuner.getNumFolds();
    long seed = tuner.getFoldSeed() != null ? tuner.getFoldSeed() : tuner.getSeed();
    Dataset<Row> folds = ratio != null
        ? data.withColumn(FOLD_COL, functions.when(functions.rand(seed).lt(ratio), -1).otherwise(0))
        : data.withColumn(FOLD_COL, functions.floor(functions.rand(seed).multiply(k)).cast("int"));
    withFold = folds.persist(StorageLevel.MEMORY_AND_DISK());
    for (int f = 0; f < k; f++) {
      train.add(withFold.where(functions.col(FOLD_COL).notEqual(f)).drop(FOLD_COL));
      valid.add(withFold.where(functions.col(FOLD_COL).equalTo(f)).drop(FOLD_COL));
    }
  }

  /**
   * A trial's mean metric over the folds; each fold's metric is reported as step = fold, and with pruning
   * the trial stops after a fold where the pruner says so. Every finished trial goes to {@code tracker}.
   */
  Objective objective(TunerTracker tracker) {
    Estimator<?> est = tuner.getEstimator();
    Evaluator ev = tuner.getEvaluator();
    TunerSpace space = tuner.getSearchSpace();
    boolean collect = tuner.getCollectSubModels();
    boolean prune = tuner.getPruning();
    int k = train.size();
    return run -> {
      Model<?>[] models = new Model<?>[k];
      double sum = 0;
      try {
        TunerSpace.Resolved r = space.resolve(est, run.params());
        for (int f = 0; f < k; f++) {
          Model<?> m = (Model<?>) r.estimator().fit(train.get(f), r.paramMap());
          double v = ev.evaluate(m.transform(valid.get(f)));
          if (collect) models[f] = m;
          run.report(f, v);
          sum += v;
          if (prune && f < k - 1 && run.shouldPrune()) {
            Trial t = run.prune();
            if (collect) subModels.put(run.number(), models);
            if (tracker != null) tracker.trial(t);
            throw new TrialPrunedException("trial " + run.number() + " pruned at fold " + f);
          }
        }
      } catch (TrialPrunedException e) {
        throw e;
      } catch (Exception | Error e) {
        Trial t = run.fail(e);
        if (tracker != null) tracker.trial(t);
        throw e;
      }
      if (collect) subModels.put(run.number(), models);
      Trial t = run.complete(sum / k);
      if (tracker != null) tracker.trial(t);
      return sum / k;
    };
  }

  /** The folds are no longer needed once the trials ran; the refit reads the rows as given. */
  @Override
  public void close() {
    withFold.unpersist();
  }

  /** The best of the trials numbered from {@code firstNumber} on, refit on every row. */
  TunerModel bestModel(Study study, int firstNumber) {
    List<Trial> mine = new ArrayList<>();
    for (Trial t : study.trials()) if (t.number() >= firstNumber) mine.add(t);
    Trial best = study.direction().best(mine).orElse(null);
    if (best == null) {
      long pruned = mine.stream().filter(t -> t.state() == TrialState.PRUNED).count();
      long failed = mine.stream().filter(t -> t.state() == TrialState.FAILED).count();
      throw new IllegalStateException((study.isCancelled() ? "cancelled before any trial completed" : "no trial completed")
          + " (" + mine.size() + " trials: " + pruned + " pruned, " + failed + " failed)");
    }
    TunerSpace space = tuner.getSearchSpace();
    TunerSpace.Resolved r = space.resolve(tuner.getEstimator(), best.params());
    Model<?> refit = (Model<?>) r.estimator().fit(data, r.paramMap());
    Model<?>[][] sub = null;
    if (tuner.getCollectSubModels()) {
      sub = new Model<?>[mine.size()][];
      for (int i = 0; i < mine.size(); i++) sub[i] = subModels.get(mine.get(i).number());
    }
    Map<String, Object> bestParams = new LinkedHashMap<>(best.params());
    return new TunerModel(TunerModel.newUid(), refit, space.toJson(), mine, study.direction(),
        EvaluatorChecks.metricName(tuner.getEvaluator()), bestParams, r.paramMap(), sub, tuner.getSeed());
  }
}
