package io.omelet.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

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
  public static final String ERROR_TAG = "omelet.error";
  /** Session setting: seconds between the heartbeats of a run an {@link ActiveRun} logs to (default 30). */
  public static final String HEARTBEAT_INTERVAL_CONF = "spark.omelet.registry.heartbeatIntervalSeconds";
  /** Session setting: seconds without a heartbeat after which a RUNNING run reads as STALE (default 300). */
  public static final String HEARTBEAT_TIMEOUT_CONF = "spark.omelet.registry.heartbeatTimeoutSeconds";

  static final String ACTIVE = "active";
  static final String DELETED = "deleted";
  private static final int MAX_KEY_LENGTH = 250;
  private static final int MAX_PARAM_VALUE_LENGTH = 6000;
  private static final Pattern ALIAS = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
  private static final Pattern VERSION_LIKE_ALIAS = Pattern.compile("[vV]\\d+");

  private final DeltaStore store;
  private final ArtifactStore files;
  private final RunReader reader;
  private final RunIndex index;
  private final RunSearch search;
  private final Heartbeats heartbeats;

  private OmeletRegistry(SparkSession spark, String root) {
    this.store = new DeltaStore(spark, root);
    this.files = new ArtifactStore(spark.sparkContext().hadoopConfiguration());
    this.reader = new RunReader(store);
    this.index = new RunIndex(store);
    this.heartbeats = new Heartbeats(root, spark.sparkContext().hadoopConfiguration());
    this.search = new RunSearch(index, () -> heartbeats.olderThan(System.currentTimeMillis() - heartbeatTimeoutMillis()));
  }

  /** Opens (and on first use creates) the registry at {@code root}: a local folder or any Hadoop path. */
  public static OmeletRegistry open(SparkSession spark, String root) {
    Objects.requireNonNull(root, "root");
    checkDeltaConfigured(spark);
    String qualified = qualify(spark, root);
    OmeletRegistry r = new OmeletRegistry(spark, qualified);
    r.store.ensureTables();
    r.ensureDefaultExperiment();
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
    return createExperiment(name, null, Map.of());
  }

  /** Creates an experiment; names are unique, deleted experiments included (restore or rename those). */
  public String createExperiment(String name, String artifactLocation, Map<String, String> tags) {
    requireName(name, "experiment name");
    Experiment existing = findExperimentByName(name);
    if (existing != null) {
      throw new RegistryException("experiment '" + name + "' already exists (id " + existing.experimentId()
          + (existing.isDeleted() ? ", deleted: restore it or pick another name)" : ")"));
    }
    String id = Ids.newId();
    return insertExperiment(id, name, artifactLocation, tags);
  }

  private String insertExperiment(String id, String name, String artifactLocation, Map<String, String> tags) {
    long now = System.currentTimeMillis();
    String location = artifactLocation != null ? artifactLocation : store.root + "/artifacts";
    Row row = RowFactory.create(id, name, location, ACTIVE, now, now, scalaMap(tags));
    store.insertIfAbsent(RegistryTables.EXPERIMENTS, RegistryTables.EXPERIMENTS_SCHEMA, row,
        col("t.name").equalTo(col("s.name")));
    Experiment created = findExperimentByName(name);
    if (created == null || !created.experimentId().equals(id)) {
      throw new RegistryException("experiment '" + name + "' already exists (id "
          + (created == null ? "?" : created.experimentId()) + "): created concurrently by another writer");
    }
    return id;
  }

  private void ensureDefaultExperiment() {
    if (readExperiments(col("experiment_id").equalTo(DEFAULT_EXPERIMENT_ID)).isEmpty()) {
      try {
        insertExperiment(DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, null, Map.of());
      } catch (RegistryException e) {
        // Another writer created it first.
      }
    }
  }

  public Experiment getExperiment(String experimentId) {
    List<Experiment> found = readExperiments(col("experiment_id").equalTo(experimentId));
    if (found.isEmpty()) throw new NotFoundException("no experiment with id '" + experimentId + "'");
    return found.get(0);
  }

  public Experiment getExperimentByName(String name) {
    Experiment e = findExperimentByName(name);
    if (e == null) throw new NotFoundException("no experiment named '" + name + "'");
    return e;
  }

  /** The experiment of that name, or null. */
  public Experiment findExperimentByName(String name) {
    List<Experiment> found = readExperiments(col("name").equalTo(name));
    return found.isEmpty() ? null : found.get(0);
  }

  /** The experiment of that name, created when missing (MLflow's set_experiment). */
  public Experiment getOrCreateExperiment(String name) {
    Experiment e = findExperimentByName(name);
    if (e != null) {
      if (e.isDeleted()) throw new RegistryException("experiment '" + name + "' is deleted: restore it first");
      return e;
    }
    try {
      return getExperiment(createExperiment(name));
    } catch (RegistryException raced) {
      return getExperimentByName(name);
    }
  }

  public List<Experiment> listExperiments() {
    return listExperiments(ViewType.ACTIVE_ONLY);
  }

  public List<Experiment> listExperiments(ViewType view) {
    Column c = switch (view) {
      case ACTIVE_ONLY -> col("lifecycle_stage").equalTo(ACTIVE);
      case DELETED_ONLY -> col("lifecycle_stage").equalTo(DELETED);
      case ALL -> lit(true);
    };
    return readExperiments(c);
  }

  public void renameExperiment(String experimentId, String newName) {
    requireName(newName, "experiment name");
    Experiment e = getExperiment(experimentId);
    Experiment clash = findExperimentByName(newName);
    if (clash != null && !clash.experimentId().equals(experimentId)) {
      throw new RegistryException("cannot rename experiment '" + e.name() + "' to '" + newName
          + "': that name belongs to experiment " + clash.experimentId());
    }
    updateExperiment(experimentId, Map.of("name", lit(newName)));
  }

  /** Marks the experiment deleted; its runs stay and come back with {@link #restoreExperiment}. */
  public void deleteExperiment(String experimentId) {
    if (DEFAULT_EXPERIMENT_ID.equals(experimentId)) {
      throw new RegistryException("the Default experiment (id 0) cannot be deleted");
    }
    getExperiment(experimentId);
    updateExperiment(experimentId, Map.of("lifecycle_stage", lit(DELETED)));
  }

  public void restoreExperiment(String experimentId) {
    getExperiment(experimentId);
    updateExperiment(experimentId, Map.of("lifecycle_stage", lit(ACTIVE)));
  }

  public void setExperimentTag(String experimentId, String key, String value) {
    requireKey(key);
    // Optimistic: the update only applies if nobody changed the experiment since it was read.
    for (int attempt = 0; attempt < 20; attempt++) {
      Experiment e = getExperiment(experimentId);
      Map<String, String> tags = new TreeMap<>(e.tags());
      tags.put(key, value);
      store.retry("tag experiment " + experimentId, () -> {
        store.table(RegistryTables.EXPERIMENTS).update(
            col("experiment_id").equalTo(experimentId).and(col("last_update_time").equalTo(e.lastUpdateTime())),
            Map.of("tags", mapLiteral(tags), "last_update_time",
                lit(Math.max(System.currentTimeMillis(), e.lastUpdateTime() + 1))));
        return null;
      });
      if (Objects.equals(getExperiment(experimentId).tags().get(key), value)) return;
    }
    throw new RegistryException("could not tag experiment " + experimentId + ": it kept changing concurrently");
  }

  private void updateExperiment(String experimentId, Map<String, Column> set) {
    Map<String, Column> withTime = new HashMap<>(set);
    withTime.put("last_update_time", lit(System.currentTimeMillis()));
    experimentCache.remove(experimentId); // a batch must see a delete or a rename made here
    store.retry("update experiment " + experimentId, () -> {
      store.table(RegistryTables.EXPERIMENTS).update(col("experiment_id").equalTo(experimentId), withTime);
      return null;
    });
    experimentCache.remove(experimentId);
  }

  private List<Experiment> readExperiments(Column where) {
    List<Experiment> out = new ArrayList<>();
    for (Row r : store.read(RegistryTables.EXPERIMENTS).where(where).orderBy("creation_time").collectAsList()) {
      out.add(new Experiment(r.getAs("experiment_id"), r.getAs("name"), r.getAs("artifact_location"),
          r.getAs("lifecycle_stage"), r.<Long>getAs("creation_time"), r.<Long>getAs("last_update_time"),
          javaMap(r.getAs("tags"))));
    }
    return out;
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
    Experiment e = getExperiment(experimentId);
    requireOpenForRuns(e);
    if (parentRunId != null) getRunInfo(parentRunId);
    tags.keySet().forEach(OmeletRegistry::requireKey);
    String runId = Ids.newId();
    long now = System.currentTimeMillis();
    String artifactUri = artifactRoot(e, runId);
    RunInfo info = new RunInfo(runId, experimentId, runName == null ? runId.substring(20) : runName, userId, source,
        RunStatus.RUNNING, now, null, parentRunId, ACTIVE, artifactUri);
    store.append(RegistryTables.RUNS, RegistryTables.RUNS_SCHEMA, List.of(runRow(info)));
    if (!tags.isEmpty()) appendTags(runId, tags, List.of());
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
    return RowFactory.create(i.runId(), i.experimentId(), i.runName(), i.userId(), i.source(), i.status().name(),
        i.startTime(), i.endTime(), i.parentRunId(), i.lifecycleStage(), i.artifactUri());
  }

  /** Ends a run: FINISHED, FAILED or KILLED, at {@code endTime} (epoch ms). */
  public void setTerminated(String runId, RunStatus status, long endTime) {
    if (!status.isTerminal()) throw new RegistryException("setTerminated needs FINISHED, FAILED or KILLED, not " + status);
    getRunInfo(runId);
    updateRun(runId, Map.of("status", lit(status.name()), "end_time", lit(endTime)));
    heartbeats.clear(runId);
  }

  public void setTerminated(String runId, RunStatus status) {
    setTerminated(runId, status, System.currentTimeMillis());
  }

  /** Marks a run FAILED and records why; for runs whose process died, too. */
  public void markFailed(String runId, String reason) {
    setTag(runId, ERROR_TAG, reason);
    setTerminated(runId, RunStatus.FAILED);
  }

  // ---------------------------------------------------------------- heartbeats

  long heartbeatIntervalMillis() {
    return seconds(HEARTBEAT_INTERVAL_CONF, 30) * 1000;
  }

  long heartbeatTimeoutMillis() {
    return seconds(HEARTBEAT_TIMEOUT_CONF, 300) * 1000;
  }

  private long seconds(String conf, long dflt) {
    String v = store.spark.conf().get(conf, Long.toString(dflt)).trim();
    try {
      long n = Long.parseLong(v);
      if (n > 0) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new RegistryException(conf + " must be a whole number of seconds > 0, not '" + v + "'");
  }

  /** An ActiveRun's beat: the run's process is alive now. */
  void heartbeat(String runId) {
    heartbeats.beat(runId, System.currentTimeMillis());
  }

  /**
   * Ends FAILED every RUNNING run whose heartbeat is older than {@code timeout} (its process died
   * or hangs), recording why in {@value #ERROR_TAG}; returns the runs it marked. Runs without a
   * heartbeat (created by clients that do not beat) are left alone.
   */
  public List<RunInfo> markStale(java.time.Duration timeout) {
    long now = System.currentTimeMillis();
    Map<String, Long> beats = heartbeats.all();
    List<String> old = beats.entrySet().stream().filter(e -> e.getValue() < now - timeout.toMillis())
        .map(Map.Entry::getKey).toList();
    List<RunInfo> marked = new ArrayList<>();
    if (old.isEmpty()) return marked;
    for (RunInfo info : reader.infos(old)) {
      if (info.status() != RunStatus.RUNNING) {
        heartbeats.clear(info.runId()); // ended without clearing (e.g. setTerminated elsewhere): tidy up
        continue;
      }
      String since = java.time.Instant.ofEpochMilli(beats.get(info.runId())).toString();
      markFailed(info.runId(), "no heartbeat since " + since + " (timeout " + timeout.toSeconds()
          + " s): the process logging this run stopped");
      marked.add(getRunInfo(info.runId()));
    }
    return marked;
  }

  /** A RUNNING run whose heartbeat is older than the timeout reads as STALE. */
  private RunInfo withLiveness(RunInfo info) {
    if (info.status() != RunStatus.RUNNING) return info;
    Long beat = heartbeats.last(info.runId());
    if (beat == null || beat >= System.currentTimeMillis() - heartbeatTimeoutMillis()) return info;
    return new RunInfo(info.runId(), info.experimentId(), info.runName(), info.userId(), info.source(),
        RunStatus.STALE, info.startTime(), info.endTime(), info.parentRunId(), info.lifecycleStage(), info.artifactUri());
  }

  public void setRunName(String runId, String runName) {
    getRunInfo(runId);
    updateRun(runId, Map.of("run_name", lit(runName)));
  }

  public void deleteRun(String runId) {
    getRunInfo(runId);
    updateRun(runId, Map.of("lifecycle_stage", lit(DELETED)));
  }

  public void restoreRun(String runId) {
    getRunInfo(runId);
    updateRun(runId, Map.of("lifecycle_stage", lit(ACTIVE)));
  }

  private void updateRun(String runId, Map<String, Column> set) {
    store.retry("update run " + runId, () -> {
      store.table(RegistryTables.RUNS).update(col("run_id").equalTo(runId), set);
      return null;
    });
  }

  public RunInfo getRunInfo(String runId) {
    List<RunInfo> found = reader.infos(List.of(runId));
    if (found.isEmpty()) throw new NotFoundException("no run with id '" + runId + "'");
    return withLiveness(found.get(0));
  }

  /** A run with its latest metrics, params, tags and inputs. */
  public Run getRun(String runId) {
    // Warm path: an up-to-date search index holds the whole run; one job over memory.
    Dataset<Row> current = index.ifCurrent();
    if (current != null) {
      List<Row> rows = current.where(col("run_id").equalTo(runId)).collectAsList();
      if (!rows.isEmpty()) {
        Run run = RunIndex.toRun(rows.get(0));
        return new Run(withLiveness(run.info()), run.data());
      }
    }
    RunInfo info = getRunInfo(runId);
    return new Run(info, reader.data(List.of(runId)).get(runId));
  }

  /** Every point ever logged for a metric, by step then time. */
  public List<Metric> getMetricHistory(String runId, String key) {
    List<Metric> out = new ArrayList<>();
    for (Row r : store.read(RegistryTables.METRICS)
        .where(col("run_id").equalTo(runId).and(col("key").equalTo(key)))
        .orderBy("step", "timestamp").collectAsList()) {
      out.add(new Metric(key, r.getAs("value"), r.<Long>getAs("timestamp"), r.<Long>getAs("step")));
    }
    if (out.isEmpty()) getRunInfo(runId); // unknown run: say so rather than return nothing
    return out;
  }

  /** Child runs of a run (nested runs), oldest first. */
  public List<RunInfo> listChildRuns(String parentRunId) {
    List<RunInfo> out = new ArrayList<>();
    for (Row r : store.read(RegistryTables.RUNS).where(col("parent_run_id").equalTo(parentRunId))
        .orderBy("start_time", "run_id").collectAsList()) {
      out.add(RunReader.toRunInfo(r));
    }
    return out;
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

  /** Validates params against what is stored (and what the caller knows it logged); returns the new ones. */
  Map<String, String> checkParams(String runId, Map<String, String> params, Map<String, String> known) {
    if (params.isEmpty()) return params;
    params.forEach((k, v) -> {
      requireKey(k);
      if (v != null && v.length() > MAX_PARAM_VALUE_LENGTH) {
        throw new RegistryException("param '" + k + "' is " + v.length() + " characters long; the limit is "
            + MAX_PARAM_VALUE_LENGTH);
      }
    });
    Map<String, String> stored = known != null ? known : loggedParams(runId, params.keySet());
    Map<String, String> fresh = new LinkedHashMap<>();
    for (Map.Entry<String, String> p : params.entrySet()) {
      if (stored.containsKey(p.getKey())) {
        String old = stored.get(p.getKey());
        if (!Objects.equals(old, p.getValue())) {
          throw new RegistryException("param '" + p.getKey() + "' of run " + runId + " was logged as '" + old
              + "'; params are immutable, so it cannot become '" + p.getValue() + "' (use a tag for values that change)");
        }
      } else {
        fresh.put(p.getKey(), p.getValue());
      }
    }
    return fresh;
  }

  Map<String, String> loggedParams(String runId, Collection<String> keys) {
    Map<String, String> out = new HashMap<>();
    Column where = col("run_id").equalTo(runId);
    if (keys != null) where = where.and(col("key").isin(keys.toArray()));
    for (Row r : RunReader.currentParams(store.read(RegistryTables.PARAMS).where(where)).collectAsList()) {
      out.put(r.getAs("key"), r.getAs("value"));
    }
    return out;
  }

  /** Writes a validated batch: one append per kind. */
  void writeBatch(String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    if (!params.isEmpty()) {
      List<Row> rows = new ArrayList<>();
      params.forEach((k, v) -> rows.add(RowFactory.create(runId, k, v, DeltaStore.nowMicros())));
      store.append(RegistryTables.PARAMS, RegistryTables.PARAMS_SCHEMA, rows);
    }
    if (!metrics.isEmpty()) {
      List<Row> rows = new ArrayList<>(metrics.size());
      for (Metric m : metrics) {
        requireKey(m.key());
        rows.add(RowFactory.create(runId, m.key(), m.value(), m.timestamp(), m.step()));
      }
      store.append(RegistryTables.METRICS, RegistryTables.METRICS_SCHEMA, rows);
    }
    if (!tags.isEmpty()) appendTags(runId, tags, List.of());
  }

  private void appendTags(String runId, Map<String, String> set, List<String> delete) {
    List<Row> rows = new ArrayList<>();
    set.forEach((k, v) -> {
      requireKey(k);
      rows.add(RowFactory.create(runId, k, v, false, DeltaStore.nowMicros()));
    });
    for (String k : delete) rows.add(RowFactory.create(runId, k, null, true, DeltaStore.nowMicros()));
    store.append(RegistryTables.TAGS, RegistryTables.TAGS_SCHEMA, rows);
  }

  void requireActive(RunInfo info) {
    if (DELETED.equals(info.lifecycleStage())) {
      throw new RegistryException("run " + info.runId() + " is deleted: restore it before logging to it");
    }
  }

  /** A batch of runs written with one append per table (see {@link RunBatch}). */
  public RunBatch newBatch() {
    return new RunBatch(this);
  }

  void appendBatch(List<Row> metrics, List<Row> params, List<Row> tags, List<Row> inputs, List<Row> runs) {
    store.append(RegistryTables.METRICS, RegistryTables.METRICS_SCHEMA, metrics);
    store.append(RegistryTables.PARAMS, RegistryTables.PARAMS_SCHEMA, params);
    store.append(RegistryTables.TAGS, RegistryTables.TAGS_SCHEMA, tags);
    store.append(RegistryTables.INPUTS, RegistryTables.INPUTS_SCHEMA, inputs);
    store.append(RegistryTables.RUNS, RegistryTables.RUNS_SCHEMA, runs);
  }

  /** Experiments rarely change: a batch looks each one up once. */
  Experiment getExperimentCached(String experimentId) {
    return experimentCache.computeIfAbsent(experimentId, this::getExperiment);
  }

  private final Map<String, Experiment> experimentCache = new java.util.concurrent.ConcurrentHashMap<>();

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

  private static Path artifactPath(RunInfo info, String relative) {
    if (relative == null || relative.isBlank() || relative.equals(".")) return new Path(info.artifactUri());
    String rel = relative.startsWith("/") ? relative.substring(1) : relative;
    if (rel.contains("..")) throw new RegistryException("artifact paths may not contain '..': " + relative);
    return new Path(info.artifactUri(), rel);
  }

  static String artifactRoot(Experiment e, String runId) {
    return e.artifactLocation() + "/" + runId;
  }

  // ---------------------------------------------------------------- search and compare

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
    return new ModelStore(store, files, this);
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

  public ModelVersion getModelVersion(String name, int version) {
    return models().version(name, version);
  }

  public List<ModelVersion> listModelVersions(String name) {
    return models().versions(name);
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
    requireAlias(alias);
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
    requireName(kind, "preset kind");
    requireName(name, "preset name");
    Row row = RowFactory.create(kind, name, scalaMap(settings), description, System.getProperty("user.name"),
        System.currentTimeMillis());
    Dataset<Row> source = store.spark.createDataFrame(List.of(row), RegistryTables.PRESETS_SCHEMA);
    store.retry("save preset " + kind + "/" + name, () -> {
      store.table(RegistryTables.PRESETS).as("t").merge(source.as("s"),
              col("t.kind").equalTo(col("s.kind")).and(col("t.name").equalTo(col("s.name"))))
          .whenMatched().updateAll().whenNotMatched().insertAll().execute();
      return null;
    });
    return getPreset(kind, name);
  }

  /** The preset, or null. */
  public Preset findPreset(String kind, String name) {
    List<Preset> found = readPresets(col("kind").equalTo(kind).and(col("name").equalTo(name)));
    return found.isEmpty() ? null : found.get(0);
  }

  public Preset getPreset(String kind, String name) {
    Preset p = findPreset(kind, name);
    if (p == null) {
      throw new NotFoundException("no " + kind + " preset named '" + name + "'; saved ones: "
          + listPresets(kind).stream().map(Preset::name).toList());
    }
    return p;
  }

  public List<Preset> listPresets(String kind) {
    return readPresets(col("kind").equalTo(kind));
  }

  public void deletePreset(String kind, String name) {
    getPreset(kind, name);
    store.retry("delete preset " + kind + "/" + name, () -> {
      store.table(RegistryTables.PRESETS).delete(col("kind").equalTo(kind).and(col("name").equalTo(name)));
      return null;
    });
  }

  private List<Preset> readPresets(Column where) {
    List<Preset> out = new ArrayList<>();
    for (Row r : store.read(RegistryTables.PRESETS).where(where).orderBy("name").collectAsList()) {
      out.add(new Preset(r.getAs("kind"), r.getAs("name"), javaMap(r.getAs("settings")), r.getAs("description"),
          r.getAs("owner"), r.<Long>getAs("updated_time")));
    }
    return out;
  }

  // ---------------------------------------------------------------- helpers

  static void requireKey(String key) {
    if (key == null || key.isBlank()) throw new RegistryException("keys must be non-empty");
    if (key.length() > MAX_KEY_LENGTH) {
      throw new RegistryException("key '" + key.substring(0, 40) + "...' is " + key.length()
          + " characters long; the limit is " + MAX_KEY_LENGTH);
    }
  }

  private static void requireName(String name, String what) {
    if (name == null || name.isBlank()) throw new RegistryException(what + " must be non-empty");
  }

  private static void requireAlias(String alias) {
    if (alias == null || !ALIAS.matcher(alias).matches()) {
      throw new RegistryException("alias '" + alias + "' is not valid: letters, digits, '_' and '-', "
          + "starting with a letter or '_'");
    }
    if (VERSION_LIKE_ALIAS.matcher(alias).matches() || alias.equalsIgnoreCase("latest")) {
      throw new RegistryException("alias '" + alias + "' is reserved (it reads as a version)");
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

  /** A map<string,string> literal column built from its entries. */
  static Column mapLiteral(Map<String, String> m) {
    List<Column> kv = new ArrayList<>();
    new TreeMap<>(m).forEach((k, v) -> {
      kv.add(lit(k));
      kv.add(lit(v).cast(org.apache.spark.sql.types.DataTypes.StringType));
    });
    return org.apache.spark.sql.functions.map(kv.toArray(new Column[0])).cast(RegistryTables.STRING_MAP);
  }

  static scala.collection.Map<String, String> scalaMap(Map<String, String> m) {
    return JavaConverters.mapAsScalaMap(new HashMap<>(m == null ? Map.of() : m));
  }

  static Map<String, String> javaMap(scala.collection.Map<String, String> m) {
    return m == null ? Map.of() : new TreeMap<>(JavaConverters.mapAsJavaMap(m));
  }
}
