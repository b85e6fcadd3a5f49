package io.omelet.tuning;

import io.omelet.registry.Tags;
import io.omelet.registry.Experiment;
import io.omelet.registry.Metric;
import io.omelet.registry.ModelRegistration;
import io.omelet.registry.ModelVersion;
import io.omelet.registry.Names;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Run;
import io.omelet.registry.RunBatch;
import io.omelet.registry.RunInfo;
import io.omelet.registry.RunStatus;
import io.omelet.registry.SearchRunsRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;

/**
 * Tracks a tuner's search in the registry: a parent run (kind {@code tuning}) holding the space, sampler
 * and budget as params; a child run per trial (kind {@code tuning-trial}) with its params, the metric per
 * fold (step = fold), the mean (the metric's name and {@code value}), its duration and its state (tag
 * {@code state}: COMPLETE and PRUNED runs end FINISHED, FAILED ones FAILED with the error); at the end
 * the parent gets the best value and params, the trials and space as JSON, SVG plots under
 * {@code plots/}, and the best model under {@code model/}, registered when a model name is given (with
 * {@link ModelRegistration}: the version and the parent's FINISHED status are written together or not
 * at all, then the alias moves). Runs of the same space carry the same {@link Tags#TUNING_SPACE} tag,
 * which {@code resumeFrom} looks for.
 */
final class TunerTracker {
  private final OmeletRegistry registry;
  private final OmeletTuner tuner;
  private final TunerSpace space;
  private final String samplerName;
  private final Direction direction;
  private final String metric;
  private final int budget;
  private final String spaceHash;
  private final Map<Integer, String> childRuns = new TreeMap<>();
  private String experimentId;
  private String parentRunId;
  private RuntimeException trackingError;

  private TunerTracker(OmeletRegistry registry, OmeletTuner tuner, TunerSpace space, String samplerName, Direction direction,
      String metric, int budget) {
    this.registry = registry;
    this.tuner = tuner;
    this.space = space;
    this.samplerName = samplerName;
    this.direction = direction;
    this.metric = metric;
    this.budget = budget;
    this.spaceHash = spaceHash(space.space());
  }

  /** Checks the tracking names (empty: not used) before any job. */
  static void checkNames(String experiment, String runName, String modelName, String alias, String resumeFrom) {
    if (!experiment.isBlank()) Names.requireDisplayName(experiment, "experiment name");
    if (!runName.isBlank()) Names.requireDisplayName(runName, "run name");
    if (!resumeFrom.isBlank()) Names.requireDisplayName(resumeFrom, "resumeFrom experiment name");
    if (modelName.isBlank() && !alias.isBlank()) {
      throw new IllegalArgumentException("modelAlias '" + alias + "' needs registerModelName: the alias points at the"
          + " registered version");
    }
    if (!modelName.isBlank()) {
      ModelRegistration.checkNames(modelName, alias.isBlank() ? null : alias);
      if (experiment.isBlank()) {
        throw new IllegalArgumentException("registerModelName '" + modelName + "' needs experimentName: the registered"
            + " version comes from a tracked run");
      }
    }
  }

  /** A tracker when the tuner tracks or resumes, else null. */
  static TunerTracker create(OmeletTuner tuner, Dataset<?> data, TunerSpace space, String samplerName, Direction direction,
      String metric, int budget) {
    if (tuner.experiment().isBlank() && tuner.getOrDefault(tuner.resumeFrom()).isBlank()) return null;
    return new TunerTracker(tuner.registry(data), tuner, space, samplerName, direction, metric, budget);
  }

  /** A hash of the core space (names, ranges, choices; not the stages' uids), the same across sessions. */
  static String spaceHash(SearchSpace space) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(SpaceJson.toJson(space).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean tracking() {
    return !tuner.experiment().isBlank();
  }

  /**
   * Adds to {@code study} the COMPLETE trials of earlier searches of the same space in experiment
   * {@code resumeFrom} (none when empty); returns how many.
   */
  int warmStart(Study study, String resumeFrom) {
    if (resumeFrom.isBlank()) return 0;
    Experiment e = registry.findExperimentByName(resumeFrom);
    if (e == null) throw new IllegalArgumentException("resumeFrom: no experiment named '" + resumeFrom + "' in " + registry.root());
    List<Run> runs = registry.searchAllRuns(SearchRunsRequest.in(e.experimentId())
        .filter("tags.`" + Tags.TUNING_SPACE + "` = '" + spaceHash + "' and tags.`" + Tags.TUNING_TRIAL_STATE + "` = 'COMPLETE'"), 100_000);
    int added = 0;
    for (Run r : runs) {
      double v = r.data().metric("value");
      if (!Double.isFinite(v)) continue;
      Map<String, Object> params = new LinkedHashMap<>(r.data().params());
      try {
        study.addTrial(Trial.finished(params, TrialState.COMPLETE, v, null));
        added++;
      } catch (IllegalArgumentException skipped) {
        // a run whose params do not fit the space (edited by hand): not a trial of this space
      }
    }
    return added;
  }

  void start(int warmStarted) {
    if (!tracking()) return;
    experimentId = registry.getOrCreateExperiment(tuner.experiment()).experimentId();
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(Tags.KIND, "tuning");
    tags.put(Tags.TUNING_SPACE, spaceHash);
    parentRunId = registry.createRun(experimentId, tuner.parentRunName(), null, tags).runId();
    Map<String, String> params = new LinkedHashMap<>(tuner.settings());
    String spaceJson = SpaceJson.toJson(space.space());
    params.put("space", spaceJson.length() > 6000 ? spaceJson.substring(0, 5990) + "..." : spaceJson);
    params.put("metric", metric);
    params.put("direction", direction.name());
    params.put("budget_trials", Integer.toString(budget));
    if (warmStarted > 0) params.put("warm_start_trials", Integer.toString(warmStarted));
    registry.logBatch(parentRunId, List.of(), params, Map.of());
    registry.logText(parentRunId, space.toJson(), "tuning/space.json");
  }

  /** Writes one finished trial as a child run (one batch); a failure to write is kept and raised at the end. */
  synchronized void trial(Trial t) {
    if (!tracking() || parentRunId == null || trackingError != null) return;
    try {
      RunBatch b = registry.newBatch();
      long start = t.start().toEpochMilli();
      long end = t.end() == null ? System.currentTimeMillis() : t.end().toEpochMilli();
      String id = b.addRun(experimentId, "trial-" + t.number(), parentRunId,
          t.state() == TrialState.FAILED ? RunStatus.FAILED : RunStatus.FINISHED, start, end);
      Map<String, String> params = new LinkedHashMap<>();
      t.params().forEach((k, v) -> params.put(k, String.valueOf(v)));
      b.logParams(id, params);
      t.intermediateValues().forEach((fold, v) -> {
        if (Double.isFinite(v)) b.logMetric(id, metric + "_fold", v, end, fold);
      });
      if (Double.isFinite(t.value())) {
        b.logMetric(id, metric, t.value(), end, 0);
        b.logMetric(id, "value", t.value(), end, 0);
      }
      b.logMetric(id, "duration_ms", end - start, end, 0);
      b.logMetric(id, "folds_done", t.intermediateValues().size(), end, 0);
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put(Tags.KIND, "tuning-trial");
      tags.put(Tags.TUNING_TRIAL_STATE, t.state().name());
      tags.put(Tags.TUNING_SPACE, spaceHash);
      tags.put(Tags.TUNING_TRIAL, Integer.toString(t.number()));
      if (t.error() != null) tags.put(Tags.ERROR, t.error().length() > 5000 ? t.error().substring(0, 5000) : t.error());
      b.setTags(id, tags);
      b.commit();
      childRuns.put(t.number(), id);
    } catch (RuntimeException e) {
      trackingError = e;
    }
  }

  /** The parent's results, plots and best model; the version registered when asked; the parent FINISHED. */
  void finish(TunerModel model) {
    if (!tracking()) return;
    if (trackingError != null) throw new IllegalStateException("could not track a trial: " + trackingError.getMessage(), trackingError);
    Trial best = model.bestTrial();
    Map<String, String> params = new LinkedHashMap<>();
    model.bestParams().forEach((k, v) -> params.put("best." + k, String.valueOf(v)));
    List<Metric> metrics = new ArrayList<>();
    long now = System.currentTimeMillis();
    metrics.add(new Metric("best_" + metric, best.value(), now, 0));
    metrics.add(new Metric("best_value", best.value(), now, 0));
    long complete = 0;
    long pruned = 0;
    long failed = 0;
    for (Trial t : model.trialList()) {
      if (t.state() == TrialState.COMPLETE) complete++;
      else if (t.state() == TrialState.PRUNED) pruned++;
      else if (t.state() == TrialState.FAILED) failed++;
    }
    metrics.add(new Metric("trials", model.trialList().size(), now, 0));
    metrics.add(new Metric("trials_complete", complete, now, 0));
    metrics.add(new Metric("trials_pruned", pruned, now, 0));
    metrics.add(new Metric("trials_failed", failed, now, 0));
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(Tags.TUNING_BEST_TRIAL, Integer.toString(best.number()));
    if (childRuns.containsKey(best.number())) tags.put(Tags.TUNING_BEST_RUN_ID, childRuns.get(best.number()));
    registry.logBatch(parentRunId, metrics, params, tags);
    try {
      registry.logText(parentRunId, SpaceJson.JSON.writerWithDefaultPrettyPrinter()
          .writeValueAsString(SpaceJson.trialsToNode(model.trialList())), "tuning/trials.json");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    Map<String, String> plots = TuningPlots.all(model.space(), model.trialList(), direction, metric, model.importance());
    for (Map.Entry<String, String> p : plots.entrySet()) registry.logText(parentRunId, p.getValue(), "plots/" + p.getKey());
    if (!model.importance().isEmpty()) {
      Map<String, String> imp = new LinkedHashMap<>();
      model.importance().forEach((k, v) -> imp.put(k, Double.toString(v)));
      try {
        registry.logText(parentRunId, SpaceJson.JSON.writeValueAsString(imp), "tuning/importance.json");
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    if (model.bestModel() instanceof MLWritable w) {
      try {
        w.write().save(registry.artifactUri(parentRunId) + "/model");
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot save the best model as an artifact: " + e.getMessage(), e);
      }
    } else if (!tuner.modelName().isBlank()) {
      throw new IllegalStateException("cannot register '" + tuner.modelName() + "': the best model "
          + model.bestModel().getClass().getName() + " is not MLWritable");
    }
    ModelVersion version = null;
    if (!tuner.modelName().isBlank()) {
      Map<String, String> vtags = new LinkedHashMap<>();
      vtags.put("estimator", model.bestModel().getClass().getSimpleName());
      vtags.put("best_" + metric, Double.toString(best.value()));
      version = ModelRegistration.of(registry, tuner.modelName()).source(parentRunId, "model")
          .description("best of a " + samplerName + " search of " + model.trialList().size() + " trials, run " + parentRunId)
          .tags(vtags).alias(tuner.getModelAlias())
          .register(this::finishParent);
    } else {
      finishParent(null);
    }
    model.setTracked(parentRunId, version == null ? null : version.version());
  }

  /** The parent names its registered version (if any) and ends FINISHED. */
  private void finishParent(ModelVersion version) {
    if (version != null) registry.setTag(parentRunId, Tags.TUNING_MODEL_VERSION, version.name() + "/" + version.version());
    registry.setTerminated(parentRunId, RunStatus.FINISHED);
  }

  void fail(Throwable e) {
    if (!tracking() || parentRunId == null) return;
    try {
      RunInfo info = registry.getRunInfo(parentRunId);
      if (!info.status().isTerminal()) {
        registry.markFailed(parentRunId, e.getMessage() == null ? e.getClass().getName() : e.getClass().getName() + ": " + e.getMessage());
      }
    } catch (RuntimeException suppressed) {
      e.addSuppressed(suppressed);
    }
  }
}
