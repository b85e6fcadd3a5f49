package io.omelet.automl;

import hex.Model;
import hex.ModelBuilder;
import hex.deeplearning.DeepLearningModel;
import hex.ensemble.StackedEnsembleModel;
import hex.glm.GLMModel;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import water.Job;
import water.Key;
import water.fvec.Frame;

/**
 * Trains the selected leader again on every labelled row with the settings it was selected with
 * (AutoGluon's {@code refit_full}): the settings early stopping and the search found are fixed,
 * not searched again. Trees keep the number early stopping chose, a GLM its lambda and alpha, a
 * deep net its epochs; a stacked ensemble refits each base model with cross-validation on all rows
 * (the metalearner learns from those out-of-fold predictions) and then its metalearner.
 *
 * <p>Never returns a half-trained model: past the deadline, or on cancel, the training job is
 * stopped, what it made is removed and {@link Skipped} says why.
 */
final class LeaderRefit {
  /** The refit did not happen; the message says why, and the selected model stays the served one. */
  static final class Skipped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Skipped(String message) {
      super(message);
    }
  }

  private final Frame all;
  private final String foldCol;
  private final long deadlineMs;
  private final BooleanSupplier cancelled;
  private final List<Model<?, ?, ?>> made = new ArrayList<>();

  /**
   * @param all every labelled row, with the fold column when there is one
   * @param foldCol the fold column of {@code all}; null without cross-validation
   * @param deadlineMs wall-clock time by which the refit must be done; Long.MAX_VALUE for none
   */
  LeaderRefit(Frame all, String foldCol, long deadlineMs, BooleanSupplier cancelled) {
    this.all = all;
    this.foldCol = foldCol;
    this.deadlineMs = deadlineMs;
    this.cancelled = cancelled;
  }

  /**
   * What the refit of {@code leader} should cost, from what it cost the first time scaled by the
   * rows (ms): the model's own training time, or for an ensemble its base models' with their
   * cross-validation.
   */
  static long estimateMs(Model<?, ?, ?> leader, double rowRatio) {
    if (leader instanceof StackedEnsembleModel se) {
      long sum = leader._output._run_time;
      for (Key<Model> k : se._parms._base_models) {
        Model<?, ?, ?> b = k.get();
        if (b != null) sum += Math.max(b._output._total_run_time, b._output._run_time);
      }
      return Math.round(sum * rowRatio);
    }
    return Math.round(leader._output._run_time * rowRatio);
  }

  /** The refit leader; throws {@link Skipped} when it cannot be made. */
  Model<?, ?, ?> refit(Model<?, ?, ?> leader) {
    if (leader instanceof StackedEnsembleModel se) return refitEnsemble(se);
    return train(fixedSettings(leader, false), leader);
  }

  /** Removes every model the refit made except {@code keep} (null to remove them all). */
  void cleanUp(Model<?, ?, ?> keep) {
    for (Model<?, ?, ?> m : made) {
      if (m == keep) continue;
      try {
        m.deleteCrossValidationPreds();
        m.delete();
      } catch (RuntimeException e) {
        // best effort: the engine's memory is freed when the node goes
      }
    }
  }

  private Model<?, ?, ?> refitEnsemble(StackedEnsembleModel se) {
    if (se._parms._blending != null || foldCol == null) {
      throw new Skipped("a stacked ensemble blended on a split-off frame (no cross-validation) is not refit");
    }
    Key<Model>[] bases = se._parms._base_models;
    @SuppressWarnings("unchecked")
    Key<Model>[] refit = new Key[bases.length];
    for (int i = 0; i < bases.length; i++) {
      Model<?, ?, ?> b = bases[i].get();
      if (b == null) throw new Skipped("base model " + bases[i] + " of the ensemble is gone");
      refit[i] = (Key) train(fixedSettings(b, true), b)._key;
    }
    StackedEnsembleModel.StackedEnsembleParameters p = (StackedEnsembleModel.StackedEnsembleParameters) se._parms.clone();
    p._train = all._key;
    p._valid = null;
    p._base_models = refit;
    p._max_runtime_secs = 0;
    if (p._metalearner_parameters != null) {
      p._metalearner_parameters = (Model.Parameters) p._metalearner_parameters.clone();
    }
    return train(p, se);
  }

  /**
   * The model's own parameters on all rows with what the search found held fixed; with
   * {@code crossValidate}, folds from the fold column and out-of-fold predictions kept (for an
   * ensemble's metalearner).
   */
  private Model.Parameters fixedSettings(Model<?, ?, ?> m, boolean crossValidate) {
    Model.Parameters p = (Model.Parameters) m._parms.clone();
    p._train = all._key;
    p._valid = null;
    p._nfolds = 0;
    p._max_runtime_secs = 0;
    p._keep_cross_validation_models = false;
    p._keep_cross_validation_fold_assignment = false;
    if (crossValidate) {
      p._fold_column = foldCol;
      p._keep_cross_validation_predictions = true;
    } else {
      p._fold_column = null;
      p._keep_cross_validation_predictions = false;
      if (foldCol != null) {
        // without cross-validation the fold column would be read as a feature
        String[] ignored = p._ignored_columns == null ? new String[0] : p._ignored_columns;
        if (!Arrays.asList(ignored).contains(foldCol)) {
          ignored = Arrays.copyOf(ignored, ignored.length + 1);
          ignored[ignored.length - 1] = foldCol;
        }
        p._ignored_columns = ignored;
      }
    }
    p._stopping_rounds = 0; // the size early stopping found is set below; nothing is searched again
    if (m._output instanceof Model.GetNTrees t) {
      setInt(p, "_ntrees", Math.max(1, t.getNTrees()));
    }
    if (m instanceof GLMModel glm && p instanceof GLMModel.GLMParameters g) {
      GLMModel.Submodel best = glm._output.bestSubmodel();
      g._lambda = new double[] {best.lambda_value};
      g._alpha = new double[] {best.alpha_value};
      g._lambda_search = false;
    }
    if (m instanceof DeepLearningModel dl && p instanceof hex.deeplearning.DeepLearningModel.DeepLearningParameters d) {
      d._epochs = Math.max(dl.epoch_counter, 1e-3);
      d._overwrite_with_best_model = false;
    }
    return p;
  }

  private static void setInt(Model.Parameters p, String field, int value) {
    try {
      Field f = p.getClass().getField(field);
      f.setInt(p, value);
    } catch (NoSuchFieldException | IllegalAccessException e) {
      throw new Skipped("cannot carry " + field + " over to the refit of a " + p.algoName() + ": " + e);
    }
  }

  private Model<?, ?, ?> train(Model.Parameters p, Model<?, ?, ?> of) {
    if (cancelled.getAsBoolean()) throw new Skipped("cancelled");
    Key<Model> key = Key.make(of._key + "_refit");
    ModelBuilder<?, ?, ?> builder = ModelBuilder.make(p, key);
    Job<?> job = builder.trainModel();
    while (job.isRunning()) {
      boolean late = System.currentTimeMillis() > deadlineMs;
      if (late || cancelled.getAsBoolean()) {
        job.stop();
        awaitEnd(job);
        removeQuietly(key);
        throw new Skipped(late ? "the time budget ran out while refitting " + of._key
            : "cancelled while refitting " + of._key);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        job.stop();
        awaitEnd(job);
        removeQuietly(key);
        throw new Skipped("interrupted while refitting " + of._key);
      }
    }
    Model<?, ?, ?> m;
    try {
      m = (Model<?, ?, ?>) job.get();
    } catch (RuntimeException e) {
      removeQuietly(key);
      throw new Skipped("refitting " + of._key + " failed: " + e.getMessage());
    }
    made.add(m);
    return m;
  }

  private static void awaitEnd(Job<?> job) {
    long end = System.currentTimeMillis() + 60_000;
    while (job.isRunning() && System.currentTimeMillis() < end) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void removeQuietly(Key<Model> key) {
    try {
      Model<?, ?, ?> m = key.get();
      if (m != null) {
        m.deleteCrossValidationPreds();
        m.delete();
      }
    } catch (RuntimeException e) {
      // nothing more to do: it was never usable
    }
  }
}
