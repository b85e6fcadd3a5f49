package io.omelet.automl;

import static io.omelet.automl.AutoMLJob.FOLD_COL;

import hex.Model;
import io.omelet.automl.engine.H2OCloudLostException;
import io.omelet.automl.engine.H2OEngine;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import water.Key;
import water.fvec.Frame;

/**
 * The leader refit on every labelled row (holdout included) within what is left of the job's time
 * budget: the rows moved into H2O once more, {@link LeaderRefit} run on them, the refit read back
 * as a result. The frame and every model the refit made are removed again; only the MOJO stays.
 */
final class RefitOnAllRows {
  private static final Logger LOG = LoggerFactory.getLogger(RefitOnAllRows.class);

  private final H2OEngine engine;
  private final AutoMLRunSettings settings;
  private final BooleanSupplier cancelled;
  private final Consumer<String> progress;

  /**
   * @param cancelled whether the job was cancelled (asked between the refit's steps)
   * @param progress told what is being refit, once the budget allows it
   */
  RefitOnAllRows(H2OEngine engine, AutoMLRunSettings settings, BooleanSupplier cancelled, Consumer<String> progress) {
    this.engine = engine;
    this.settings = settings;
    this.cancelled = cancelled;
    this.progress = progress;
  }

  /**
   * The refit of {@code leader}; {@link LeaderRefit.Skipped} when the budget left after {@code jobStart}
   * cannot hold it or it fails.
   */
  Refit refit(Model<?, ?, ?> leader, DataSplit rows, String project, long jobStart) {
    long start = System.currentTimeMillis();
    long deadline = settings.maxRuntimeSecs() > 0 ? jobStart + Math.round(settings.maxRuntimeSecs() * 1000) : Long.MAX_VALUE;
    long estimate = LeaderRefit.estimateMs(leader, (double) rows.usedRows() / Math.max(1, rows.trainRows));
    checkRefitBudget(leader._key.toString(), rows.usedRows(), estimate, start, deadline, settings.maxRuntimeSecs());
    progress.accept("refitting " + leader._key + " on all " + rows.usedRows() + " rows");
    boolean cv = settings.nfolds() >= 2;
    Frame all = null;
    LeaderRefit refit = null;
    try {
      all = engine.toH2OFrame(rows.allRows(cv), Key.make(project + "_all"));
      refit = new LeaderRefit(all, cv ? FOLD_COL : null, deadline, () -> {
        engine.checkHealthy();
        return cancelled.getAsBoolean();
      });
      Model<?, ?, ?> m = refit.refit(leader);
      ModelResult r = H2OModelResults.collect(m, 0, all.numRows(), leader._key.toString(), null);
      if (!r.hasMojo()) throw new LeaderRefit.Skipped("the refit of " + leader._key + " has no MOJO: " + r.error());
      return new Refit(r, leader._key.toString(), all.numRows(), System.currentTimeMillis() - start);
    } catch (RuntimeException e) {
      if (e instanceof LeaderRefit.Skipped || e instanceof AutoMLCancelledException
          || e instanceof H2OCloudLostException) throw e;
      LOG.warn("refit of {} failed", leader._key, e);
      throw new LeaderRefit.Skipped("refitting " + leader._key + " failed: " + e);
    } finally {
      if (engine.usable()) {
        if (refit != null) refit.cleanUp(null);
        if (all != null) all.delete();
      }
    }
  }

  /** Fails with {@link LeaderRefit.Skipped} when the refit's estimate does not fit before the deadline. */
  static void checkRefitBudget(String leaderId, long rows, long estimateMs, long now, long deadline, double budgetSecs) {
    if (deadline != Long.MAX_VALUE && now + estimateMs > deadline) {
      throw new LeaderRefit.Skipped(String.format(Locale.ROOT,
          "the time budget is too small to refit %s on all %d rows: it needs about %.0f s, %.0f s of maxRuntimeSecs %.0f are left",
          leaderId, rows, estimateMs / 1000.0, Math.max(0, deadline - now) / 1000.0, budgetSecs));
    }
  }
}
