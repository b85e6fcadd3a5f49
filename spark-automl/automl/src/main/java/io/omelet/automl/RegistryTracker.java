package io.omelet.automl;

import io.omelet.registry.Tags;
import io.omelet.automl.metrics.HoldoutMetrics;
import io.omelet.registry.ActiveRun;
import io.omelet.registry.DatasetRef;
import io.omelet.registry.ModelRegistration;
import io.omelet.registry.ModelVersion;
import io.omelet.registry.Names;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RunBatch;
import io.omelet.registry.RunStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tracks an AutoML job in the registry: a parent run for the job (RUNNING from the start,
 * FAILED with the error if the job fails), a child run per leaderboard model with its
 * hyper-parameters, cross-validation, training and holdout metrics, the rows it was trained on,
 * tags, MOJO and the training data reference, one more child run for the leader's refit on all
 * rows, and the served model (the refit, or the leader when there is none) registered as a new
 * model version (given an alias when asked).
 * The children are written in one batch (one commit per table), not a commit per call.
 */
public final class RegistryTracker implements AutoMLListener {
  private final OmeletRegistry registry;
  private final String experimentName;
  private final String runName;
  private boolean childrenWritten;
  private Map<String, String> childRuns;
  private final String registeredModelName;
  private final String alias;
  private final List<DatasetRef> data;
  private final List<ModelResult> models = new ArrayList<>();
  private ActiveRun parent;
  private TrackedRun tracked;

  /**
   * @param data where the training rows come from (see {@link TrainingData})
   * @param registeredModelName register the leader under this name; null not to
   * @param alias point this alias at the new version; null not to
   */
  public RegistryTracker(OmeletRegistry registry, String experimentName, String runName, List<DatasetRef> data,
      String registeredModelName, String alias) {
    checkNames(experimentName, runName, registeredModelName, alias);
    this.registry = registry;
    this.experimentName = experimentName;
    this.runName = runName;
    this.data = List.copyOf(data);
    this.registeredModelName = registeredModelName;
    this.alias = alias;
  }

  /**
   * Checks the names a tracked fit will use (null: not used), before anything opens or trains: a
   * bad model name found at registration would waste the whole run.
   */
  static void checkNames(String experimentName, String runName, String registeredModelName, String alias) {
    Names.requireDisplayName(experimentName, "experiment name");
    if (runName != null) Names.requireDisplayName(runName, "run name");
    if (registeredModelName != null) ModelRegistration.checkNames(registeredModelName, alias);
    else if (alias != null) Names.requireAlias(alias);
  }

  /** What was tracked, once the job completed; null before. */
  public TrackedRun tracked() {
    return tracked;
  }

  @Override
  public void onStart(AutoMLRunInfo info) {
    parent = registry.startRun(experimentName, runName != null ? runName : "automl-" + info.labelCol());
    Map<String, String> params = new LinkedHashMap<>(info.settings().toMap());
    params.put("problem_type", info.problemType().name());
    params.put("label", info.labelCol());
    params.put("features", String.join(",", info.features()));
    params.put("seed_used", String.valueOf(info.seed()));
    if (info.positiveClass() != null) params.put("positive_class", info.positiveClass());
    params.values().removeIf(v -> v == null);
    params.replaceAll((k, v) -> v.length() > 6000 ? v.substring(0, 6000) : v);
    parent.logParams(params);
    parent.logMetric("input_rows", info.inputRows()).logMetric("train_rows", info.trainRows())
        .logMetric("holdout_rows", info.holdoutRows());
    parent.setTag(Tags.KIND, "automl");
    if (!info.warnings().isEmpty()) parent.setTag(Tags.WARNINGS, String.join("\n", info.warnings()));
    for (DatasetRef ref : data) parent.logInput(ref);
    parent.flush();
  }

  @Override
  public void onModel(ModelResult model) {
    models.add(model);
  }

  /**
   * Records the finished job in this order, so that a failure at any step leaves the run FAILED
   * (through {@link #onFailure}) with its child runs written once, and an alias never points at
   * a version whose run did not finish: child runs; then, through {@link ModelRegistration}, the
   * version (an error if the served model has no MOJO to register), the parent's results and its
   * FINISHED status (a failure there deletes the version again), last the alias.
   */
  @Override
  public void onComplete(AutoMLResult result) {
    Map<String, String> children = writeChildrenOnce(result.refit());
    ModelResult leader = result.leader();
    ModelResult served = result.servedModel();
    String leaderRun = children.get(leader.modelId());
    String servedRun = children.get(served.modelId());
    boolean register = registeredModelName != null && !registeredModelName.isBlank();
    if (register && !served.hasMojo()) {
      throw new IllegalStateException("cannot register '" + registeredModelName + "': the served model "
          + served.modelId() + " (" + served.algo() + ") has no MOJO"
          + (served.error() != null ? " (" + served.error() + ")" : "") + "; nothing was registered");
    }
    if (!register) {
      finishParent(result, leader, served, leaderRun, servedRun);
      tracked = new TrackedRun(parent.runId(), children, leaderRun, servedRun, null);
      return;
    }
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("algo", served.algo());
    tags.put("model_id", served.modelId());
    tags.put("training_rows", Long.toString(served.trainingRows()));
    if (result.refit() != null) tags.put("refit_of", leader.modelId());
    ModelRegistration registration = ModelRegistration.of(registry, registeredModelName)
        .source(servedRun, "model/model.zip")
        .description((result.refit() != null ? "AutoML leader refit on all " + served.trainingRows() + " rows, of run "
            : "AutoML leader of run ") + parent.runId())
        .tags(tags).alias(alias).reportTo(parent.runId());
    // The run is tracked once it finished with its version, even when the alias then fails to move.
    registration.register(version -> {
      finishParent(result, leader, served, leaderRun, servedRun);
      tracked = new TrackedRun(parent.runId(), children, leaderRun, servedRun, version);
    });
  }

  /** The parent's results, then its FINISHED status; ActiveRun ends it FAILED if they cannot be written. */
  private void finishParent(AutoMLResult result, ModelResult leader, ModelResult served, String leaderRun,
      String servedRun) {
    parent.setTag(Tags.LEADER_RUN_ID, leaderRun).setTag(Tags.LEADER_MODEL_ID, leader.modelId())
        .setTag(Tags.SERVED_RUN_ID, servedRun).setTag(Tags.SERVED_MODEL_ID, served.modelId())
        .setTag(Tags.ESTIMATE, result.estimate());
    if (result.refitNote() != null) parent.setTag(Tags.REFIT, result.refitNote());
    if (leader.holdout() != null) logHoldout(leader.holdout(), parent::logMetric);
    parent.logMetric("leader_training_rows", leader.trainingRows())
        .logMetric("served_training_rows", served.trainingRows());
    if (result.refit() != null) parent.logMetric("refit_duration_ms", result.refit().durationMs());
    if (result.info().settings().maxRuntimeSecs() > 0) {
      parent.logMetric("budget_secs", result.info().settings().maxRuntimeSecs());
    }
    parent.logMetric("models", result.models().size()).logMetric("duration_ms", result.durationMs());
    if (!result.engineMessages().isEmpty()) {
      String msgs = String.join("\n", result.engineMessages());
      parent.setTag(Tags.ENGINE_MESSAGES, msgs.length() > 5000 ? msgs.substring(0, 5000) : msgs);
    }
    parent.close();
  }

  @Override
  public void onFailure(Throwable error) {
    if (parent == null) parent = registry.startRun(experimentName, runName != null ? runName : "automl");
    if (error instanceof AutoMLCancelledException) {
      // Stopped by its user: KILLED as MLflow names it, and no child runs or version that would
      // look like a result; the parent keeps what it logged so far.
      parent.setTag(Tags.ERROR, "cancelled by the user: " + error.getMessage());
      parent.end(RunStatus.KILLED);
      return;
    }
    if (!models.isEmpty() && !childrenWritten) writeChildrenOnce(null);
    parent.fail(error);
  }

  /**
   * The child runs, written at most once: the failure path after a failed completion must not
   * write them again (nor retry a batch that failed half-way and duplicate its rows).
   */
  private Map<String, String> writeChildrenOnce(Refit refit) {
    if (childrenWritten) {
      if (childRuns == null) throw new IllegalStateException("the child runs could not be written");
      return childRuns;
    }
    childrenWritten = true;
    childRuns = writeChildren(refit);
    return childRuns;
  }

  /** Model id to child run id: one per leaderboard model, and one for the refit when there is one. */
  private Map<String, String> writeChildren(Refit refit) {
    RunBatch batch = registry.newBatch();
    Map<String, String> ids = new LinkedHashMap<>();
    long now = System.currentTimeMillis();
    List<ModelResult> all = new ArrayList<>(models);
    if (refit != null) all.add(refit.model());
    for (ModelResult m : all) {
      boolean isRefit = refit != null && m == refit.model();
      long ms = isRefit ? refit.durationMs() : m.trainingTimeMs();
      String child = batch.addRun(parent.info().experimentId(), m.modelId(), parent.runId(),
          !m.hasMojo() ? RunStatus.FAILED : RunStatus.FINISHED, now - ms, now);
      ids.put(m.modelId(), child);
      Map<String, String> params = new LinkedHashMap<>();
      m.params().forEach((k, v) -> params.put(k, v == null ? "" : v.length() > 6000 ? v.substring(0, 6000) : v));
      params.put("algo", m.algo());
      batch.logParams(child, params);
      Map<String, Double> metrics = new LinkedHashMap<>();
      m.crossValidationMetrics().forEach((k, v) -> metrics.put("cv_" + k, v));
      m.trainingMetrics().forEach((k, v) -> metrics.put("train_" + k, v));
      m.leaderboardMetrics().forEach((k, v) -> metrics.put("leaderboard_" + k, v));
      metrics.put("training_time_ms", (double) ms);
      if (!isRefit) {
        metrics.put("predict_time_per_row_ms", m.predictTimePerRowMs());
        metrics.put("rank", (double) m.rank());
      }
      metrics.put("training_rows", (double) m.trainingRows());
      batch.logMetrics(child, metrics);
      if (m.holdout() != null) logHoldout(m.holdout(), (k, v) -> batch.logMetric(child, k, v, now, 0));
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put(Tags.KIND, isRefit ? "automl-refit" : "automl-model");
      tags.put(Tags.MODEL_ID, m.modelId());
      if (isRefit) {
        tags.put(Tags.REFIT_OF, refit.leaderModelId());
        tags.put(Tags.REFIT_OF_RUN_ID, ids.get(refit.leaderModelId()));
      }
      tags.put("algo", m.algo());
      if (m.error() != null) tags.put(Tags.ERROR, m.error());
      batch.setTags(child, tags);
      for (DatasetRef ref : data) batch.logInput(child, ref);
      if (m.hasMojo()) batch.logBytes(child, m.mojo(), "model/model.zip");
      if (!m.variableImportance().isEmpty()) batch.logBytes(child, varimpCsv(m), "variable_importance.csv");
      if (m.holdout() != null && m.holdout().confusionMatrix() != null) {
        batch.logBytes(child, confusionCsv(m.holdout()), "holdout/confusion_matrix.csv");
      }
    }
    batch.commit();
    return ids;
  }

  private static void logHoldout(HoldoutMetrics h, java.util.function.BiConsumer<String, Double> log) {
    h.values().forEach((k, v) -> {
      if (v != null) log.accept("holdout_" + k, v);
    });
    if (h.threshold() != null) log.accept("holdout_threshold", h.threshold());
  }

  private static byte[] varimpCsv(ModelResult m) {
    StringBuilder sb = new StringBuilder("variable,relative_importance,scaled_importance,percentage\n");
    for (VariableImportance v : m.variableImportance()) {
      sb.append(csv(v.variable())).append(',').append(v.relativeImportance()).append(',')
          .append(v.scaledImportance()).append(',').append(v.percentage()).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] confusionCsv(HoldoutMetrics h) {
    StringBuilder sb = new StringBuilder("actual\\predicted");
    for (String l : h.labels()) sb.append(',').append(csv(l));
    sb.append('\n');
    for (int i = 0; i < h.labels().length; i++) {
      sb.append(csv(h.labels()[i]));
      for (long c : h.confusionMatrix()[i]) sb.append(',').append(c);
      sb.append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /**
   * A tracked AutoML job: its parent run, each model's child run (the refit's too), the leader's
   * and the served model's child runs (the same run when the leader was not refit), and the
   * registered version of the served model (null when no model name was given).
   */
  public record TrackedRun(String parentRunId, Map<String, String> childRunIds, String leaderRunId,
                           String servedRunId, ModelVersion registeredVersion) {}
}
