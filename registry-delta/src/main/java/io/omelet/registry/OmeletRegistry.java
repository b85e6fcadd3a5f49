package io.omelet.registry;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The tracking store and model registry, in MLflow's nouns (experiment, run, metric, param, tag,
 * artifact, registered model, version, alias), stored as Delta tables under one root path.
 *
 * <p>Open one per root with {@link #open(SparkSession, String)}; it is safe to share between
 * threads, and several processes may write to the same root at once. Calls that log to a run
 * write at once; {@link ActiveRun} batches them instead.
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
  private static final int MAX_KEY_LENGTH = 250;
  static final int MAX_PARAM_VALUE_LENGTH = 6000;

  private final DeltaStore store;
  private final ArtifactStore files;
  private final RunReader reader;
  private final RunIndex index;
  private final RunSearch search;
  private final ExperimentStore experiments;
  private final PresetStore presets;
  private final RunLogStore logs;
  private final RunStore runs;
  private final ModelStore models;

  private OmeletRegistry(SparkSession spark, String root) {
    this.store = new DeltaStore(spark, root);
    this.files = new ArtifactStore(spark.sparkContext().hadoopConfiguration());
    this.reader = new RunReader(store);
    this.index = new RunIndex(store);
    this.experiments = new ExperimentStore(store);
    this.presets = new PresetStore(store);
    this.logs = new RunLogStore(store);
    this.models = new ModelStore(store, files);
    this.runs = new RunStore(store, reader, index, logs, new Heartbeats(root, spark.sparkContext().hadoopConfiguration()));
    this.search = new RunSearch(index, runs::stale);
  }

  /** Opens (and on first use creates) the registry at {@code root}: a local folder or any Hadoop path. */
  public static OmeletRegistry open(SparkSession spark, String root) {
    Objects.requireNonNull(root, "root");
    checkDeltaConfigured(spark);
    String qualified = qualify(spark, root);
    OmeletRegistry r = new OmeletRegistry(spark, qualified);
    r.store.ensureTables();
    r.experiments.ensureDefaultExperiment();
    return r;
  }

  /** Opens the registry named by {@value #ROOT_CONF}, or {@value #DEFAULT_ROOT} in the working folder. */
  public static OmeletRegistry open(SparkSession spark) {
    return open(spark, spark.conf().get(ROOT_CONF, DEFAULT_ROOT));
  }

  public String root() {
    return store.root;
  }

  public SparkSession spark() {
    return store.spark;
  }

  /** The Delta table path of one of the {@link RegistryTables}, for plain SQL: {@code delta.`<path>`}. */
  public String tablePath(String table) {
    if (!RegistryTables.all().containsKey(table)) {
      throw new RegistryException("unknown registry table '" + table + "'; tables: " + RegistryTables.all().keySet());
    }
    return store.path(table);
  }

  /** Registers each table as a temporary view named {@code prefix + table} for SQL users. */
  public void createTempViews(String prefix) {
    for (String t : RegistryTables.all().keySet()) store.read(t).createOrReplaceTempView(prefix + t);
    RunReader.latestMetrics(store.read(RegistryTables.METRICS)).createOrReplaceTempView(prefix + "latest_metrics");
  }

  // ---------------------------------------------------------------- experiments

  public String createExperiment(String name) {
    return experiments.createExperiment(name);
  }

  /** Creates an experiment; names are unique, deleted experiments included (restore or rename those). */
  public String createExperiment(String name, String artifactLocation, Map<String, String> tags) {
    return experiments.createExperiment(name, artifactLocation, tags);
  }

  public Experiment getExperiment(String experimentId) {
    return experiments.getExperiment(experimentId);
  }

  public Experiment getExperimentByName(String name) {
    return experiments.getExperimentByName(name);
  }

  /** The experiment of that name, or null. */
  public Experiment findExperimentByName(String name) {
    return experiments.findExperimentByName(name);
  }

  /** The experiment of that name, created when missing (MLflow's set_experiment). */
  public Experiment getOrCreateExperiment(String name) {
    return experiments.getOrCreateExperiment(name);
  }

  public List<Experiment> listExperiments() {
    return experiments.listExperiments(ViewType.ACTIVE_ONLY);
  }

  public List<Experiment> listExperiments(ViewType view) {
    return experiments.listExperiments(view);
  }

  public void renameExperiment(String experimentId, String newName) {
    experiments.renameExperiment(experimentId, newName);
  }

  /** Marks the experiment deleted; its runs stay and come back with {@link #restoreExperiment}. */
  public void deleteExperiment(String experimentId) {
    experiments.deleteExperiment(experimentId);
  }

  public void restoreExperiment(String experimentId) {
    experiments.restoreExperiment(experimentId);
  }

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
    return createRun(experimentId, runName, parentRunId, tags, System.getProperty("user.name"), defaultSource());
  }

  public RunInfo createRun(String experimentId, String runName, String parentRunId, Map<String, String> tags,
      String userId, String source) {
    return createRun(experimentId, runName, parentRunId, tags, userId, source, System.currentTimeMillis());
  }

  /** A run that started at {@code startTime} (epoch ms), as a client that logs through an API says. */
  public RunInfo createRun(String experimentId, String runName, String parentRunId, Map<String, String> tags,
      String userId, String source, long startTime) {
    Experiment e = getExperiment(experimentId);
    requireOpenForRuns(e);
    if (parentRunId != null) getRunInfo(parentRunId);
    tags.keySet().forEach(OmeletRegistry::requireKey);
    if (startTime < 0) throw new RegistryException("start time must be epoch milliseconds, got " + startTime);
    String runId = Ids.newId();
    String artifactUri = artifactRoot(e, runId);
    if (runName != null) Names.requireDisplayName(runName, "run name");
    RunInfo info = new RunInfo(runId, experimentId, runName == null ? runId.substring(20) : runName, userId, source,
        RunStatus.RUNNING, startTime, null, parentRunId, ACTIVE, artifactUri);
    runs.insert(info, tags);
    return info;
  }

  /** Starts a batched run in the named experiment (created if missing); close() ends it FINISHED. */
  public ActiveRun startRun(String experimentName, String runName) {
    Experiment e = getOrCreateExperiment(experimentName);
    return new ActiveRun(this, createRun(e.experimentId(), runName));
  }

  /** Resumes logging to an existing run, batched. */
  public ActiveRun resumeRun(String runId) {
    RunInfo info = getRunInfo(runId);
    requireActive(info);
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

  /** New runs go only into experiments that are not deleted (createRun and RunBatch.addRun alike). */
  static void requireOpenForRuns(Experiment e) {
    if (e.isDeleted()) throw new RegistryException("experiment '" + e.name() + "' is deleted: cannot start runs in it");
  }

  /** The one place a runs-table row is built from a RunInfo. */
  static Row runRow(RunInfo i) {
    return RunStore.runRow(i);
  }

  /** Ends a run: FINISHED, FAILED or KILLED, at {@code endTime} (epoch ms). */
  public void setTerminated(String runId, RunStatus status, long endTime) {
    runs.setTerminated(runId, status, endTime);
  }

  /**
   * Sets a run's status as MLflow's UpdateRun does: FINISHED, FAILED or KILLED end it (at endTime, or
   * now); RUNNING or SCHEDULED reopen it (a client resuming a run).
   */
  public void setRunStatus(String runId, RunStatus status, Long endTime) {
    runs.setStatus(runId, status, endTime);
  }

  public void setTerminated(String runId, RunStatus status) {
    runs.setTerminated(runId, status);
  }

  /** Marks a run FAILED and records why; for runs whose process died, too. */
  public void markFailed(String runId, String reason) {
    runs.markFailed(runId, reason);
  }

  /**
   * Ends FAILED every RUNNING run whose heartbeat is older than {@code timeout} (its process died
   * or hangs), recording why in {@value #ERROR_TAG}; returns the runs it marked. Runs without a
   * heartbeat (created by clients that do not beat) are left alone.
   */
  public List<RunInfo> markStale(java.time.Duration timeout) {
    return runs.markStale(timeout);
  }

  long heartbeatIntervalMillis() {
    return runs.heartbeatIntervalMillis();
  }

  /** An ActiveRun's beat: the run's process is alive now. */
  void heartbeat(String runId) {
    runs.heartbeat(runId);
  }

  public void setRunName(String runId, String runName) {
    Names.requireDisplayName(runName, "run name");
    runs.setRunName(runId, runName);
  }

  public void deleteRun(String runId) {
    runs.deleteRun(runId);
  }

  public void restoreRun(String runId) {
    runs.restoreRun(runId);
  }

  /** A run's attributes; a RUNNING run whose heartbeat stopped reads as STALE. */
  public RunInfo getRunInfo(String runId) {
    return runs.getRunInfo(runId);
  }

  /** A run with its latest metrics, params, tags and inputs. */
  public Run getRun(String runId) {
    return runs.getRun(runId);
  }

  /** Every point ever logged for a metric, by step then time. */
  public List<Metric> getMetricHistory(String runId, String key) {
    return runs.getMetricHistory(runId, key);
  }

  /** Child runs of a run (nested runs), oldest first. */
  public List<RunInfo> listChildRuns(String parentRunId) {
    return runs.listChildRuns(parentRunId);
  }

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
    requireActive(getRunInfo(runId));
    appendTags(runId, Map.of(), List.of(key));
  }

  /**
   * Logs metrics, params and tags of one run: at most one Delta commit per kind. Params are
   * immutable: a key logged before with another value is an error, and nothing of the batch is
   * written.
   */
  public void logBatch(String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    requireActive(getRunInfo(runId));
    Map<String, String> newParams = checkParams(runId, params, null);
    writeBatch(runId, metrics, newParams, tags);
  }

  Map<String, String> checkParams(String runId, Map<String, String> params, Map<String, String> known) {
    return logs.checkParams(runId, params, known);
  }

  Map<String, String> loggedParams(String runId, Collection<String> keys) {
    return logs.loggedParams(runId, keys);
  }

  void writeBatch(String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    logs.writeBatch(runId, metrics, params, tags);
  }

  void writeBatch(String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags,
      java.util.Set<String> written) {
    logs.writeBatch(runId, metrics, params, tags, written);
  }

  void appendBatch(List<Row> metrics, List<Row> params, List<Row> tags, List<Row> inputs, List<Row> runs,
      java.util.Set<String> written) {
    logs.appendBatch(metrics, params, tags, inputs, runs, written);
  }

  private void appendTags(String runId, Map<String, String> set, List<String> delete) {
    logs.appendTags(runId, set, delete);
  }

  void requireActive(RunInfo info) {
    runs.requireActive(info);
  }

  /** A batch of runs written with one append per table (see {@link RunBatch}). */
  public RunBatch newBatch() {
    return new RunBatch(this);
  }

  /** Experiments rarely change: a batch looks each one up once. */
  Experiment getExperimentCached(String experimentId) {
    return experiments.getExperimentCached(experimentId);
  }

  // ---------------------------------------------------------------- inputs (dataset references)

  public void logInput(String runId, DatasetRef ref) {
    requireActive(getRunInfo(runId));
    store.append(RegistryTables.INPUTS, RegistryTables.INPUTS_SCHEMA, List.of(RowFactory.create(runId, ref.name(),
        ref.kind().name(), ref.path(), ref.version(), ref.digest(), ref.context(), DeltaStore.nowMicros())));
  }

  /** A reference to a Delta table at its current version. */
  public DatasetRef deltaTableRef(String name, String tablePath, String context) {
    if (!io.delta.tables.DeltaTable.isDeltaTable(store.spark, tablePath)) {
      throw new RegistryException("not a Delta table: " + tablePath);
    }
    long version = io.delta.tables.DeltaTable.forPath(store.spark, tablePath).history(1)
        .select("version").first().getLong(0);
    return DatasetRef.delta(name, tablePath, version, context);
  }

  /** A reference to a file (or a folder of files) with the SHA-256 of its content. */
  public DatasetRef fileRef(String name, String filePath, String context) {
    return DatasetRef.file(name, filePath, files.sha256(new Path(filePath)), context);
  }

  // ---------------------------------------------------------------- artifacts

  /** Where a run's artifacts live: {@code <artifact location>/<run_id>}. */
  public String artifactUri(String runId) {
    return getRunInfo(runId).artifactUri();
  }

  /** Copies a local file or folder into the run's artifacts, under {@code artifactDir} (null: the top). */
  public void logArtifact(String runId, java.nio.file.Path local, String artifactDir) {
    RunInfo info = getRunInfo(runId);
    requireActive(info);
    files.upload(local, new Path(artifactPath(info, artifactDir), local.getFileName().toString()));
  }

  /** Copies the contents of a local folder into the run's artifacts under {@code artifactDir}. */
  public void logArtifacts(String runId, java.nio.file.Path localDir, String artifactDir) {
    RunInfo info = getRunInfo(runId);
    requireActive(info);
    try (var entries = java.nio.file.Files.list(localDir)) {
      for (java.nio.file.Path p : entries.toList()) {
        files.upload(p, new Path(artifactPath(info, artifactDir), p.getFileName().toString()));
      }
    } catch (java.io.IOException e) {
      throw new RegistryException("cannot list " + localDir, e);
    }
  }

  /** Writes text (a report, a JSON document, an SVG plot) as an artifact file. */
  public void logText(String runId, String text, String artifactFile) {
    logBytes(runId, text.getBytes(StandardCharsets.UTF_8), artifactFile);
  }

  public void logBytes(String runId, byte[] bytes, String artifactFile) {
    RunInfo info = getRunInfo(runId);
    requireActive(info);
    writeArtifact(info, bytes, artifactFile);
  }

  void writeArtifact(RunInfo info, byte[] bytes, String artifactFile) {
    files.write(artifactPath(info, artifactFile), bytes);
  }

  /** One level of the run's artifacts under {@code path} (null: the top). */
  public List<ArtifactInfo> listArtifacts(String runId, String path) {
    RunInfo info = getRunInfo(runId);
    return files.list(new Path(info.artifactUri()), artifactPath(info, path));
  }

  /** Copies an artifact file or folder to a local path and returns it. */
  public java.nio.file.Path downloadArtifacts(String runId, String path, java.nio.file.Path localDst) {
    RunInfo info = getRunInfo(runId);
    files.download(artifactPath(info, path), localDst);
    return localDst;
  }

  public byte[] readArtifact(String runId, String path) {
    return files.read(artifactPath(getRunInfo(runId), path));
  }

  /** The run's artifact folder, or a path below it; never anything outside it. */
  private static Path artifactPath(RunInfo info, String relative) {
    String rel = Names.requireRelativePath(relative, "artifact path");
    Path base = new Path(info.artifactUri());
    return rel.isEmpty() ? base : Names.requireUnder(base, new Path(base, rel), "artifact path");
  }

  static String artifactRoot(Experiment e, String runId) {
    return e.artifactLocation() + "/" + runId;
  }

  // ---------------------------------------------------------------- search and compare

  /** The search index (package-private, for tests of its snapshot lifetime). */
  RunIndex index() {
    return index;
  }

  /** One page of runs matching the request, each with its data. */
  public RunPage searchRuns(SearchRunsRequest request) {
    return search.search(request);
  }

  /** Every run matching, following page tokens (at most {@code limit} runs). */
  public List<Run> searchAllRuns(SearchRunsRequest request, int limit) {
    List<Run> out = new ArrayList<>();
    String token = null;
    do {
      RunPage page = search.search(request.pageToken(token));
      out.addAll(page.runs());
      token = page.nextPageToken();
    } while (token != null && out.size() < limit);
    return out.size() > limit ? out.subList(0, limit) : out;
  }

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
    Map<String, ExperimentActivity> out = new HashMap<>();
    if (experimentIds.isEmpty()) return out;
    Dataset<Row> runs = search.plan(SearchRunsRequest.in(experimentIds).viewType(ViewType.ALL)).frame();
    for (Row r : runs.groupBy(col("experiment_id"))
        .agg(count("*"), max(greatest(col("start_time"), coalesce(col("end_time"), lit(0L)))))
        .collectAsList()) {
      out.put(r.getString(0), new ExperimentActivity(r.getLong(1), r.isNullAt(2) ? 0 : r.getLong(2)));
    }
    return out;
  }

  /**
   * MLflow's compare view: one row per attribute, param and metric, one column per run (named by
   * its run id), and {@code differs} true where the runs disagree.
   */
  public Dataset<Row> compareRuns(List<String> runIds) {
    if (runIds.isEmpty()) throw new RegistryException("compareRuns needs at least one run id");
    List<RunInfo> infos = reader.infos(runIds);
    Map<String, RunInfo> byId = new HashMap<>();
    infos.forEach(i -> byId.put(i.runId(), i));
    for (String id : runIds) if (!byId.containsKey(id)) throw new NotFoundException("no run with id '" + id + "'");
    Map<String, RunData> data = reader.data(runIds);
    List<Run> runs = runIds.stream().map(id -> new Run(byId.get(id), data.get(id))).toList();
    return RunFrames.compare(store.spark, runs);
  }

  // ---------------------------------------------------------------- bulk import and upkeep

  /**
   * Appends runs and their data in bulk (an import from another tracking server, or a backfill):
   * each frame must have the columns of its table (see README); one commit per table.
   */
  public void importRuns(Dataset<Row> runs, Dataset<Row> metrics, Dataset<Row> params, Dataset<Row> tags) {
    Map<String, Dataset<Row>> frames = new LinkedHashMap<>();
    frames.put(RegistryTables.RUNS, runs);
    frames.put(RegistryTables.METRICS, metrics);
    frames.put(RegistryTables.PARAMS, params);
    frames.put(RegistryTables.TAGS, tags);
    Map<String, Dataset<Row>> conformed = new LinkedHashMap<>();
    frames.forEach((table, frame) -> {
      if (frame != null) conformed.put(table, conform(table, frame, RegistryTables.all().get(table)));
    });
    // Params and tags before runs: a run appears only once its data is there.
    for (String t : List.of(RegistryTables.METRICS, RegistryTables.PARAMS, RegistryTables.TAGS, RegistryTables.RUNS)) {
      // Clustered by run id, as live logging leaves them: each file covers a narrow id range,
      // so fetching one run skips the other files on their min/max statistics.
      if (conformed.containsKey(t)) {
        store.appendFrame(t, conformed.get(t).repartitionByRange(col("run_id")).sortWithinPartitions("run_id"));
      }
    }
  }

  private static Dataset<Row> conform(String table, Dataset<Row> frame, StructType schema) {
    List<String> have = List.of(frame.columns());
    List<Column> cols = new ArrayList<>();
    for (var f : schema.fields()) {
      if (!have.contains(f.name())) {
        if (!f.nullable()) {
          throw new RegistryException("import into " + table + ": column '" + f.name() + "' is missing; "
              + table + " needs " + List.of(schema.fieldNames()));
        }
        cols.add(lit(null).cast(f.dataType()).as(f.name()));
      } else {
        cols.add(col(f.name()).cast(f.dataType()).as(f.name()));
      }
    }
    return frame.select(cols.toArray(new Column[0]));
  }

  /** Compacts every table's small files (OPTIMIZE); worth running after heavy logging. */
  public void compact() {
    for (String t : RegistryTables.all().keySet()) {
      store.retry("compact " + t, () -> store.table(t).optimize().executeCompaction());
    }
  }

  // ---------------------------------------------------------------- model registry

  ModelStore models() {
    return models;
  }

  public RegisteredModel createRegisteredModel(String name, String description, Map<String, String> tags) {
    return models().create(name, description, tags);
  }

  public RegisteredModel getRegisteredModel(String name) {
    return models().get(name);
  }

  public List<RegisteredModel> listRegisteredModels() {
    return models().list();
  }

  public void updateRegisteredModel(String name, String description) {
    models().updateDescription(name, description);
  }

  public void setRegisteredModelTag(String name, String key, String value) {
    requireKey(key);
    models().setTag(name, key, value);
  }

  /** Renames a model; its versions, aliases and stored files go with it. */
  public RegisteredModel renameRegisteredModel(String name, String newName) {
    return models().rename(name, newName);
  }

  /** Deletes a model with its versions, aliases and stored files. */
  public void deleteRegisteredModel(String name) {
    models().delete(name);
  }

  /**
   * Registers a run artifact (a file or folder, e.g. "model/model.zip") as the next version of
   * {@code name}, creating the model when it is new. The artifact is copied into the registry's
   * model storage so the version outlives the run's artifacts.
   */
  public ModelVersion createModelVersion(String name, String runId, String artifactPath, String description,
      Map<String, String> tags) {
    return models().createVersion(name, getRunInfo(runId), artifactPath, description, tags);
  }

  /** Deletes one version of a model, the aliases that point at it and its stored files. */
  public void deleteModelVersion(String name, int version) {
    models().deleteVersion(name, version);
  }

  /** One level of a version's stored files under {@code path} (null: its top), relative to its storage location. */
  public List<ArtifactInfo> listModelVersionFiles(String name, int version, String path) {
    Path base = new Path(getModelVersion(name, version).storageLocation());
    return files.list(base, below(base, path));
  }

  /** A file of a version's stored copy ({@code path} null or empty: the copy itself, when it is one file). */
  public byte[] readModelVersionFile(String name, int version, String path) {
    Path base = new Path(getModelVersion(name, version).storageLocation());
    return files.read(below(base, path));
  }

  private static Path below(Path base, String relative) {
    String rel = Names.requireRelativePath(relative, "path");
    return rel.isEmpty() ? base : Names.requireUnder(base, new Path(base, rel), "path");
  }

  public ModelVersion getModelVersion(String name, int version) {
    return models().version(name, version);
  }

  public List<ModelVersion> listModelVersions(String name) {
    return models().versions(name);
  }

  /** Every version of every model, by name then version: one read of the versions and one of the aliases. */
  public List<ModelVersion> listAllModelVersions() {
    return models().allVersions();
  }

  public void updateModelVersion(String name, int version, String description) {
    models().updateVersionDescription(name, version, description);
  }

  public void setModelVersionTag(String name, int version, String key, String value) {
    requireKey(key);
    models().setVersionTag(name, version, key, value);
  }

  /** Points an alias at a version, in one commit: readers see the old version or the new one. */
  public void setRegisteredModelAlias(String name, String alias, int version) {
    Names.requireAlias(alias);
    models().setAlias(name, alias, version);
  }

  public void deleteRegisteredModelAlias(String name, String alias) {
    models().deleteAlias(name, alias);
  }

  public ModelVersion getModelVersionByAlias(String name, String alias) {
    return models().byAlias(name, alias);
  }

  /**
   * Resolves a model URI: {@code name@alias}, {@code name/version} (both also with a
   * {@code models:/} prefix), or a run artifact {@code runs:/<run_id>/<path>}.
   */
  public ResolvedModel resolveModel(String uri) {
    return ModelUri.resolve(this, uri);
  }

  String storagePath(String name, int version) {
    return store.root + "/models/" + name + "/" + version;
  }

  // ---------------------------------------------------------------- presets

  /** Saves (or replaces) a named preset of a kind, in one commit. */
  public Preset savePreset(String kind, String name, Map<String, String> settings, String description) {
    return presets.savePreset(kind, name, settings, description);
  }

  /** The preset, or null. */
  public Preset findPreset(String kind, String name) {
    return presets.findPreset(kind, name);
  }

  public Preset getPreset(String kind, String name) {
    return presets.getPreset(kind, name);
  }

  public List<Preset> listPresets(String kind) {
    return presets.listPresets(kind);
  }

  public void deletePreset(String kind, String name) {
    presets.deletePreset(kind, name);
  }

  // ---------------------------------------------------------------- helpers

  static void requireKey(String key) {
    if (key == null || key.isBlank()) throw new RegistryException("keys must be non-empty");
    if (key.length() > MAX_KEY_LENGTH) {
      throw new RegistryException("key '" + key.substring(0, 40) + "...' is " + key.length()
          + " characters long; the limit is " + MAX_KEY_LENGTH);
    }
  }

  private static void checkDeltaConfigured(SparkSession spark) {
    String ext = spark.conf().get("spark.sql.extensions", "");
    if (!ext.contains(OmeletSpark.DELTA_EXTENSION)) {
      throw new RegistryException("the Spark session is not configured for Delta: set spark.sql.extensions="
          + OmeletSpark.DELTA_EXTENSION + " and spark.sql.catalog.spark_catalog=" + OmeletSpark.DELTA_CATALOG
          + " (OmeletSpark.builder(...) does this)");
    }
  }

  private static String qualify(SparkSession spark, String root) {
    Path p = new Path(root);
    try {
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
    } catch (java.io.IOException e) {
      throw new RegistryException("cannot reach the registry root " + root, e);
    }
  }

  private static String defaultSource() {
    StackTraceElement[] st = new Throwable().getStackTrace();
    for (StackTraceElement e : st) {
      if (!e.getClassName().startsWith("io.omelet.registry.")) return e.getClassName();
    }
    return null;
  }
}
