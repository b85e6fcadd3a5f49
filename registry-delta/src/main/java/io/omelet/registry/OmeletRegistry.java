package io.omelet.registry;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The tracking store and model registry, in MLflow's nouns (experiment, run, metric, param, tag,
 * artifact, registered model, version, alias), stored as Delta tables under one root path.
 *
 * <p>Open one per root with {@link #open(SparkSession, String)}; it is safe to share between
 * threads, and several processes may write to the same root at once. Calls that log to a run
 * write at once; {@link ActiveRun} batches them instead.
 *
 * <p>A facade, one public method per MLflow verb and Omelet's few more (about a hundred, hence its
 * length): each calls the class that owns its concept, {@link ExperimentStore}, {@link RunStore}
 * (runs and their liveness), {@link RunLogStore} (metrics, params, tags, inputs),
 * {@link RunArtifacts}, {@link RunSearch} and {@link RunReader} (search, compare), {@link ModelStore}
 * (models, versions, aliases; {@link ModelRegistration} registers a run's model with its alias),
 * {@link PresetStore} and {@link RegistryMaintenance} (import, compaction, SQL views).
 */
public final class OmeletRegistry {
  /** The Spark setting that names the registry root; default {@link #DEFAULT_ROOT}. */
  public static final String ROOT_CONF = "spark.omelet.registry.root";
  public static final String DEFAULT_ROOT = "omelet-registry";
  public static final String DEFAULT_EXPERIMENT_ID = "0";
  public static final String DEFAULT_EXPERIMENT_NAME = "Default";
  /** Tag holding the error of a run that failed: its class and message. */
  public static final String ERROR_TAG = Tags.ERROR;
  /** Session setting: seconds between the heartbeats of a run an {@link ActiveRun} logs to (default 30). */
  public static final String HEARTBEAT_INTERVAL_CONF = "spark.omelet.registry.heartbeatIntervalSeconds";
  /** Session setting: seconds without a heartbeat after which a RUNNING run reads as STALE (default 300). */
  public static final String HEARTBEAT_TIMEOUT_CONF = "spark.omelet.registry.heartbeatTimeoutSeconds";

  static final String ACTIVE = "active";
  static final String DELETED = "deleted";

  private final DeltaStore store;
  private final RunReader reader;
  private final RunIndex index;
  private final RunSearch search;
  private final ExperimentStore experiments;
  private final PresetStore presets;
  private final RunLogStore logs;
  private final RunStore runs;
  private final ModelStore models;
  private final RunArtifacts artifacts;
  private final DatasetRefs datasets;
  private final RegistryMaintenance maintenance;

  private OmeletRegistry(SparkSession spark, String root) {
    this.store = new DeltaStore(spark, root);
    ArtifactStore files = new ArtifactStore(spark.sparkContext().hadoopConfiguration());
    this.reader = new RunReader(store);
    this.index = new RunIndex(store);
    this.experiments = new ExperimentStore(store);
    this.presets = new PresetStore(store);
    this.logs = new RunLogStore(store);
    this.models = new ModelStore(store, files);
    this.runs = new RunStore(store, reader, index, logs, new Heartbeats(root, spark.sparkContext().hadoopConfiguration()));
    this.search = new RunSearch(index, runs::stale);
    this.artifacts = new RunArtifacts(files, runs, models);
    this.datasets = new DatasetRefs(store, files);
    this.maintenance = new RegistryMaintenance(store);
  }

  /** Opens (and on first use creates) the registry at {@code root}: a local folder or any Hadoop path. */
  public static OmeletRegistry open(SparkSession spark, String root) {
    Objects.requireNonNull(root, "root");
    OmeletSpark.requireDelta(spark);
    OmeletRegistry r = new OmeletRegistry(spark, DeltaStore.qualify(spark, root));
    r.store.ensureTables();
    r.experiments.ensureDefaultExperiment();
    return r;
  }

  /** Opens the registry named by {@value #ROOT_CONF}, or {@value #DEFAULT_ROOT} in the working folder. */
  public static OmeletRegistry open(SparkSession spark) {
    return open(spark, spark.conf().get(ROOT_CONF, DEFAULT_ROOT));
  }

  public String root() { return store.root; }
  public SparkSession spark() { return store.spark; }

  /** The Delta table path of one of the {@link RegistryTables}, for plain SQL: {@code delta.`<path>`}. */
  public String tablePath(String table) { return maintenance.tablePath(table); }

  /** Registers each table as a temporary view named {@code prefix + table} for SQL users. */
  public void createTempViews(String prefix) { maintenance.createTempViews(prefix); }

  // ---------------------------------------------------------------- experiments

  public String createExperiment(String name) { return experiments.createExperiment(name); }

  /** Creates an experiment; names are unique, deleted experiments included (restore or rename those). */
  public String createExperiment(String name, String artifactLocation, Map<String, String> tags) {
    return experiments.createExperiment(name, artifactLocation, tags);
  }

  public Experiment getExperiment(String experimentId) { return experiments.getExperiment(experimentId); }
  public Experiment getExperimentByName(String name) { return experiments.getExperimentByName(name); }

  /** The experiment of that name, or null. */
  public Experiment findExperimentByName(String name) { return experiments.findExperimentByName(name); }

  /** The experiment of that name, created when missing (MLflow's set_experiment). */
  public Experiment getOrCreateExperiment(String name) { return experiments.getOrCreateExperiment(name); }
  public List<Experiment> listExperiments() { return experiments.listExperiments(ViewType.ACTIVE_ONLY); }
  public List<Experiment> listExperiments(ViewType view) { return experiments.listExperiments(view); }

  public void renameExperiment(String experimentId, String newName) {
    experiments.renameExperiment(experimentId, newName);
  }

  /** Marks the experiment deleted; its runs stay and come back with {@link #restoreExperiment}. */
  public void deleteExperiment(String experimentId) { experiments.deleteExperiment(experimentId); }
  public void restoreExperiment(String experimentId) { experiments.restoreExperiment(experimentId); }

  /** Sets one tag, compare-and-set: a concurrent writer's tag is kept. */
  public void setExperimentTag(String experimentId, String key, String value) {
    experiments.setExperimentTag(experimentId, key, value);
  }

  // ---------------------------------------------------------------- runs

  /** Starts a run now, RUNNING, visible to readers as soon as this returns. */
  public RunInfo createRun(String experimentId, String runName) {
    return createRun(experimentId, runName, null, Map.of());
  }

  public RunInfo createRun(String experimentId, String runName, String parentRunId, Map<String, String> tags) {
    return createRun(experimentId, runName, parentRunId, tags, System.getProperty("user.name"), RunStore.callerClass());
  }

  public RunInfo createRun(String experimentId, String runName, String parentRunId, Map<String, String> tags,
      String userId, String source) {
    return createRun(experimentId, runName, parentRunId, tags, userId, source, System.currentTimeMillis());
  }

  /** A run that started at {@code startTime} (epoch ms), as a client that logs through an API says. */
  public RunInfo createRun(String experimentId, String runName, String parentRunId, Map<String, String> tags,
      String userId, String source, long startTime) {
    return runs.create(getExperiment(experimentId), runName, parentRunId, tags, userId, source, startTime);
  }

  /** Starts a batched run in the named experiment (created if missing); close() ends it FINISHED. */
  public ActiveRun startRun(String experimentName, String runName) {
    Experiment e = getOrCreateExperiment(experimentName);
    return new ActiveRun(this, createRun(e.experimentId(), runName));
  }

  /** Resumes logging to an existing run, batched. */
  public ActiveRun resumeRun(String runId) {
    RunInfo info = getRunInfo(runId);
    runs.requireActive(info);
    return new ActiveRun(this, info);
  }

  /**
   * Runs {@code body} inside a new run: FINISHED when it returns, FAILED with the error recorded
   * in the {@value #ERROR_TAG} tag when it throws (the exception is rethrown).
   */
  public <T> T withRun(String experimentName, String runName, RunBody<T> body) throws Exception {
    try (ActiveRun run = startRun(experimentName, runName)) {
      try {
        return body.apply(run);
      } catch (Exception | Error e) {
        run.fail(e);
        throw e;
      }
    }
  }

  /** The body of {@link #withRun}. */
  @FunctionalInterface
  public interface RunBody<T> {
    T apply(ActiveRun run) throws Exception;
  }

  /** Ends a run: FINISHED, FAILED or KILLED, at {@code endTime} (epoch ms). */
  public void setTerminated(String runId, RunStatus status, long endTime) {
    runs.setTerminated(runId, status, endTime);
  }

  /**
   * Sets a run's status as MLflow's UpdateRun does: FINISHED, FAILED or KILLED end it (at endTime, or
   * now); RUNNING or SCHEDULED reopen it (a client resuming a run).
   */
  public void setRunStatus(String runId, RunStatus status, Long endTime) { runs.setStatus(runId, status, endTime); }
  public void setTerminated(String runId, RunStatus status) { runs.setTerminated(runId, status); }

  /** Marks a run FAILED and records why; for runs whose process died, too. */
  public void markFailed(String runId, String reason) { runs.markFailed(runId, reason); }

  /**
   * Ends FAILED every RUNNING run whose heartbeat is older than {@code timeout} (its process died
   * or hangs), recording why in {@value #ERROR_TAG}; returns the runs it marked. Runs without a
   * heartbeat (created by clients that do not beat) are left alone.
   */
  public List<RunInfo> markStale(java.time.Duration timeout) { return runs.markStale(timeout); }
  public void setRunName(String runId, String runName) { runs.setRunName(runId, runName); }
  public void deleteRun(String runId) { runs.deleteRun(runId); }
  public void restoreRun(String runId) { runs.restoreRun(runId); }

  /** A run's attributes; a RUNNING run whose heartbeat stopped reads as STALE. */
  public RunInfo getRunInfo(String runId) { return runs.getRunInfo(runId); }

  /** A run with its latest metrics, params, tags and inputs. */
  public Run getRun(String runId) { return runs.getRun(runId); }

  /** Every point ever logged for a metric, by step then time. */
  public List<Metric> getMetricHistory(String runId, String key) { return runs.getMetricHistory(runId, key); }

  /** Child runs of a run (nested runs), oldest first. */
  public List<RunInfo> listChildRuns(String parentRunId) { return runs.listChildRuns(parentRunId); }

  // ---------------------------------------------------------------- logging

  public void logMetric(String runId, String key, double value) {
    logMetric(runId, key, value, System.currentTimeMillis(), 0);
  }

  public void logMetric(String runId, String key, double value, long timestamp, long step) {
    logBatch(runId, List.of(new Metric(key, value, timestamp, step)), Map.of(), Map.of());
  }

  public void logParam(String runId, String key, String value) {
    logBatch(runId, List.of(), Map.of(key, value), Map.of());
  }

  public void setTag(String runId, String key, String value) {
    logBatch(runId, List.of(), Map.of(), Map.of(key, value));
  }

  public void deleteTag(String runId, String key) {
    runs.requireActive(getRunInfo(runId));
    logs.appendTags(runId, Map.of(), List.of(key));
  }

  /**
   * Logs metrics, params and tags of one run: at most one Delta commit per kind. Params are
   * immutable: a key logged before with another value is an error, and nothing of the batch is
   * written.
   */
  public void logBatch(String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    runs.requireActive(getRunInfo(runId));
    logs.writeBatch(runId, metrics, logs.checkParams(runId, params, null), tags);
  }

  /** A batch of runs written with one append per table (see {@link RunBatch}). */
  public RunBatch newBatch() { return new RunBatch(this); }

  public void logInput(String runId, DatasetRef ref) {
    runs.requireActive(getRunInfo(runId));
    logs.appendInput(runId, ref);
  }

  /** A reference to a Delta table at its current version. */
  public DatasetRef deltaTableRef(String name, String tablePath, String context) {
    return datasets.deltaTable(name, tablePath, context);
  }

  /** A reference to a file (or a folder of files) with the SHA-256 of its content. */
  public DatasetRef fileRef(String name, String filePath, String context) {
    return datasets.file(name, filePath, context);
  }

  // ---------------------------------------------------------------- artifacts

  /** Where a run's artifacts live: {@code <artifact location>/<run_id>}. */
  public String artifactUri(String runId) { return getRunInfo(runId).artifactUri(); }

  /** Copies a local file or folder into the run's artifacts, under {@code artifactDir} (null: the top). */
  public void logArtifact(String runId, java.nio.file.Path local, String artifactDir) {
    artifacts.upload(runId, local, artifactDir);
  }

  /** Copies the contents of a local folder into the run's artifacts under {@code artifactDir}. */
  public void logArtifacts(String runId, java.nio.file.Path localDir, String artifactDir) {
    artifacts.uploadContents(runId, localDir, artifactDir);
  }

  /** Writes text (a report, a JSON document, an SVG plot) as an artifact file. */
  public void logText(String runId, String text, String artifactFile) {
    logBytes(runId, text.getBytes(StandardCharsets.UTF_8), artifactFile);
  }

  public void logBytes(String runId, byte[] bytes, String artifactFile) { artifacts.write(runId, bytes, artifactFile); }

  /** One level of the run's artifacts under {@code path} (null: the top). */
  public List<ArtifactInfo> listArtifacts(String runId, String path) { return artifacts.list(runId, path); }

  /** Copies an artifact file or folder to a local path and returns it. */
  public java.nio.file.Path downloadArtifacts(String runId, String path, java.nio.file.Path localDst) {
    return artifacts.download(runId, path, localDst);
  }

  public byte[] readArtifact(String runId, String path) { return artifacts.read(runId, path); }

  // ---------------------------------------------------------------- search and compare

  /** One page of runs matching the request, each with its data. */
  public RunPage searchRuns(SearchRunsRequest request) { return search.search(request); }

  /** Every run matching, following page tokens (at most {@code limit} runs). */
  public List<Run> searchAllRuns(SearchRunsRequest request, int limit) { return search.searchAll(request, limit); }

  /**
   * Matching runs as a DataFrame in MLflow's search_runs layout: the run attributes, then one
   * column per metric ({@code metrics.auc}), param and tag found among them. Lazy until an action.
   */
  public Dataset<Row> searchRunsAsDataFrame(SearchRunsRequest request) {
    return RunFrames.wide(search.plan(request), request.maxResults());
  }

  /** How many runs an experiment holds (deleted ones too) and when one last started or ended (epoch ms; 0: never). */
  public record ExperimentActivity(long runs, long lastActivity) {}

  /** {@link ExperimentActivity} of each experiment that has runs, in one job over the search index. */
  public Map<String, ExperimentActivity> experimentActivity(List<String> experimentIds) {
    return search.activity(experimentIds);
  }

  /**
   * MLflow's compare view: one row per attribute, param and metric, one column per run (named by
   * its run id), and {@code differs} true where the runs disagree.
   */
  public Dataset<Row> compareRuns(List<String> runIds) { return reader.compare(runIds); }

  // ---------------------------------------------------------------- bulk import and upkeep

  /**
   * Appends runs and their data in bulk (an import from another tracking server, or a backfill):
   * each frame must have the columns of its table (see README); one commit per table.
   */
  public void importRuns(Dataset<Row> runs, Dataset<Row> metrics, Dataset<Row> params, Dataset<Row> tags) {
    maintenance.importRuns(runs, metrics, params, tags);
  }

  /** Compacts every table's small files (OPTIMIZE); worth running after heavy logging. */
  public void compact() { maintenance.compact(); }

  // ---------------------------------------------------------------- model registry

  public RegisteredModel createRegisteredModel(String name, String description, Map<String, String> tags) {
    return models.create(name, description, tags);
  }

  public RegisteredModel getRegisteredModel(String name) { return models.get(name); }
  public List<RegisteredModel> listRegisteredModels() { return models.list(); }
  public void updateRegisteredModel(String name, String description) { models.updateDescription(name, description); }

  public void setRegisteredModelTag(String name, String key, String value) { models.setTag(name, key, value); }

  /** Renames a model; its versions, aliases and stored files go with it. */
  public RegisteredModel renameRegisteredModel(String name, String newName) { return models.rename(name, newName); }

  /** Deletes a model with its versions, aliases and stored files. */
  public void deleteRegisteredModel(String name) { models.delete(name); }

  /**
   * Registers a run artifact (a file or folder, e.g. "model/model.zip") as the next version of
   * {@code name}, creating the model when it is new. The artifact is copied into the registry's
   * model storage so the version outlives the run's artifacts.
   */
  public ModelVersion createModelVersion(String name, String runId, String artifactPath, String description,
      Map<String, String> tags) {
    return models.createVersion(name, getRunInfo(runId), artifactPath, description, tags);
  }

  /** Deletes one version of a model, the aliases that point at it and its stored files. */
  public void deleteModelVersion(String name, int version) { models.deleteVersion(name, version); }

  /** One level of a version's stored files under {@code path} (null: its top), relative to its storage location. */
  public List<ArtifactInfo> listModelVersionFiles(String name, int version, String path) {
    return artifacts.listVersionFiles(name, version, path);
  }

  /** A file of a version's stored copy ({@code path} null or empty: the copy itself, when it is one file). */
  public byte[] readModelVersionFile(String name, int version, String path) {
    return artifacts.readVersionFile(name, version, path);
  }

  public ModelVersion getModelVersion(String name, int version) { return models.version(name, version); }
  public List<ModelVersion> listModelVersions(String name) { return models.versions(name); }

  /** Every version of every model, by name then version: one read of the versions and one of the aliases. */
  public List<ModelVersion> listAllModelVersions() { return models.allVersions(); }

  public void updateModelVersion(String name, int version, String description) {
    models.updateVersionDescription(name, version, description);
  }

  public void setModelVersionTag(String name, int version, String key, String value) {
    models.setVersionTag(name, version, key, value);
  }

  /** Points an alias at a version, in one commit: readers see the old version or the new one. */
  public void setRegisteredModelAlias(String name, String alias, int version) { models.setAlias(name, alias, version); }

  public void deleteRegisteredModelAlias(String name, String alias) { models.deleteAlias(name, alias); }
  public ModelVersion getModelVersionByAlias(String name, String alias) { return models.byAlias(name, alias); }

  /**
   * Resolves a model URI: {@code name@alias}, {@code name/version} (both also with a
   * {@code models:/} prefix), or a run artifact {@code runs:/<run_id>/<path>}.
   */
  public ResolvedModel resolveModel(String uri) { return ModelUri.resolve(this, uri); }

  // ---------------------------------------------------------------- presets

  /** Saves (or replaces) a named preset of a kind, in one commit. */
  public Preset savePreset(String kind, String name, Map<String, String> settings, String description) {
    return presets.savePreset(kind, name, settings, description);
  }

  /** The preset, or null. */
  public Preset findPreset(String kind, String name) { return presets.findPreset(kind, name); }
  public Preset getPreset(String kind, String name) { return presets.getPreset(kind, name); }
  public List<Preset> listPresets(String kind) { return presets.listPresets(kind); }
  public void deletePreset(String kind, String name) { presets.deletePreset(kind, name); }

  // ---------------------------------------------------------------- for ActiveRun, RunBatch and tests

  RunStore runs() { return runs; }
  RunLogStore logs() { return logs; }
  ExperimentStore experiments() { return experiments; }
  RunArtifacts artifacts() { return artifacts; }

  /** The search index, for tests of its snapshot lifetime. */
  RunIndex index() { return index; }
}
