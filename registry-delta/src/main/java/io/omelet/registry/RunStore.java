package io.omelet.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The runs table and the runs' liveness: one place that builds a run row, status and lifecycle
 * updates, reads of one run (from the search index when it is current), heartbeats and stale
 * runs; behind {@link OmeletRegistry}.
 */
final class RunStore {
  private final DeltaStore store;
  private final RunReader reader;
  private final RunIndex index;
  private final RunLogStore logs;
  private final Heartbeats heartbeats;

  RunStore(DeltaStore store, RunReader reader, RunIndex index, RunLogStore logs, Heartbeats heartbeats) {
    this.store = store;
    this.reader = reader;
    this.index = index;
    this.logs = logs;
    this.heartbeats = heartbeats;
  }

  /**
   * Starts a run in {@code e}: checks the experiment is open, the parent exists, the tag keys, the
   * start time and the name, then writes the row, RUNNING.
   */
  RunInfo create(Experiment e, String runName, String parentRunId, Map<String, String> tags, String userId,
      String source, long startTime) {
    requireOpenForRuns(e);
    if (parentRunId != null) getRunInfo(parentRunId);
    tags.keySet().forEach(Names::requireKey);
    if (startTime < 0) throw new RegistryException("start time must be epoch milliseconds, got " + startTime);
    String runId = Ids.newId();
    if (runName != null) Names.requireDisplayName(runName, "run name");
    RunInfo info = new RunInfo(runId, e.experimentId(), runName == null ? runId.substring(20) : runName, userId, source,
        RunStatus.RUNNING, startTime, null, parentRunId, OmeletRegistry.ACTIVE, artifactRoot(e, runId));
    insert(info, tags);
    return info;
  }

  /** New runs go only into experiments that are not deleted (create and RunBatch.addRun alike). */
  static void requireOpenForRuns(Experiment e) {
    if (e.isDeleted()) throw new RegistryException("experiment '" + e.name() + "' is deleted: cannot start runs in it");
  }

  /** A new run's default source: the first caller outside the registry. */
  static String callerClass() {
    for (StackTraceElement e : new Throwable().getStackTrace()) {
      if (!e.getClassName().startsWith("io.omelet.registry.")) return e.getClassName();
    }
    return null;
  }

  static String artifactRoot(Experiment e, String runId) {
    return e.artifactLocation() + "/" + runId;
  }

  /** Writes a new run's row (and its first tags). */
  void insert(RunInfo info, Map<String, String> tags) {
    store.append(RegistryTables.RUNS, RegistryTables.RUNS_SCHEMA, List.of(runRow(info)));
    if (!tags.isEmpty()) logs.appendTags(info.runId(), tags, List.of());
  }

  /** Stale runs now: their heartbeat is older than the session's timeout. */
  java.util.Set<String> stale() {
    return heartbeats.olderThan(System.currentTimeMillis() - heartbeatTimeoutMillis());
  }

  void requireActive(RunInfo info) {
    if (OmeletRegistry.DELETED.equals(info.lifecycleStage())) {
      throw new RegistryException("run " + info.runId() + " is deleted: restore it before logging to it");
    }
  }

  /** The one place a runs-table row is built from a RunInfo. */
  static Row runRow(RunInfo i) {
    return RowFactory.create(i.runId(), i.experimentId(), i.runName(), i.userId(), i.source(), i.status().name(),
        i.startTime(), i.endTime(), i.parentRunId(), i.lifecycleStage(), i.artifactUri());
  }

  /** Ends a run: FINISHED, FAILED or KILLED, at {@code endTime} (epoch ms). */
  void setTerminated(String runId, RunStatus status, long endTime) {
    if (!status.isTerminal()) throw new RegistryException("setTerminated needs FINISHED, FAILED or KILLED, not " + status);
    getRunInfo(runId);
    updateRun(runId, Map.of("status", lit(status.name()), "end_time", lit(endTime)));
    heartbeats.clear(runId);
  }

  /** Sets any status: a terminal one ends the run (at endTime, or now), RUNNING or SCHEDULED reopens it. */
  void setStatus(String runId, RunStatus status, Long endTime) {
    if (status == RunStatus.STALE) throw new RegistryException("STALE is how a dead run reads; it cannot be set");
    if (status.isTerminal()) {
      setTerminated(runId, status, endTime == null ? System.currentTimeMillis() : endTime);
      return;
    }
    getRunInfo(runId);
    updateRun(runId, Map.of("status", lit(status.name()), "end_time", lit(null).cast("long")));
  }

  void setTerminated(String runId, RunStatus status) {
    setTerminated(runId, status, System.currentTimeMillis());
  }

  /** Marks a run FAILED and records why; for runs whose process died, too. */
  void markFailed(String runId, String reason) {
    requireActive(getRunInfo(runId));
    logs.appendTags(runId, Map.of(OmeletRegistry.ERROR_TAG, reason), List.of());
    setTerminated(runId, RunStatus.FAILED);
  }

  long heartbeatIntervalMillis() {
    return seconds(OmeletRegistry.HEARTBEAT_INTERVAL_CONF, 30) * 1000;
  }

  long heartbeatTimeoutMillis() {
    return seconds(OmeletRegistry.HEARTBEAT_TIMEOUT_CONF, 300) * 1000;
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
   * or hangs), recording why in {@value OmeletRegistry#ERROR_TAG}; returns the runs it marked. Runs without a
   * heartbeat (created by clients that do not beat) are left alone.
   */
  List<RunInfo> markStale(java.time.Duration timeout) {
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

  void setRunName(String runId, String runName) {
    Names.requireDisplayName(runName, "run name");
    getRunInfo(runId);
    updateRun(runId, Map.of("run_name", lit(runName)));
  }

  void deleteRun(String runId) {
    getRunInfo(runId);
    updateRun(runId, Map.of("lifecycle_stage", lit(OmeletRegistry.DELETED)));
  }

  void restoreRun(String runId) {
    getRunInfo(runId);
    updateRun(runId, Map.of("lifecycle_stage", lit(OmeletRegistry.ACTIVE)));
  }

  private void updateRun(String runId, Map<String, Column> set) {
    store.retry("update run " + runId, () -> {
      store.table(RegistryTables.RUNS).update(col("run_id").equalTo(runId), set);
      return null;
    });
  }

  RunInfo getRunInfo(String runId) {
    // Each logging call checks its run first; while the runs table stays at the version a run was
    // read at, that read still holds, and checking the version is a listing of the log, not a job.
    long version = store.version(RegistryTables.RUNS);
    VersionedInfo known = infos.get(runId);
    if (known != null && known.version() == version) return withLiveness(known.info());
    List<RunInfo> found = reader.infos(List.of(runId)); // at the version seen above or a later one
    if (found.isEmpty()) throw new NotFoundException("no run with id '" + runId + "'");
    infos.put(runId, new VersionedInfo(version, found.get(0)));
    return withLiveness(found.get(0));
  }

  /** A run's attributes as read while the runs table was at {@code version} (or later: then never reused). */
  private record VersionedInfo(long version, RunInfo info) {}

  private static final int KNOWN_RUNS = 10_000;
  private final Map<String, VersionedInfo> infos = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, VersionedInfo> eldest) {
          return size() > KNOWN_RUNS;
        }
      });

  /** A run with its latest metrics, params, tags and inputs. */
  Run getRun(String runId) {
    // Warm path: an up-to-date search index holds the whole run; one job over memory.
    RunIndex.Lease lease = index.leaseIfCurrent();
    if (lease != null) {
      List<Row> rows;
      try (lease) {
        rows = lease.frame().where(col("run_id").equalTo(runId)).collectAsList();
      }
      if (!rows.isEmpty()) {
        Run run = RunIndex.toRun(rows.get(0));
        return new Run(withLiveness(run.info()), run.data());
      }
    }
    RunInfo info = getRunInfo(runId);
    return new Run(info, reader.data(List.of(runId)).get(runId));
  }

  /** Every point ever logged for a metric, by step then time. */
  List<Metric> getMetricHistory(String runId, String key) {
    List<Metric> out = new ArrayList<>();
    for (Row r : store.read(RegistryTables.METRICS)
        .where(col("run_id").equalTo(runId).and(col("key").equalTo(key)))
        .select("value", "timestamp", "step").collectAsList()) {
      out.add(new Metric(key, r.getDouble(0), r.getLong(1), r.getLong(2)));
    }
    // sorted here, not by Spark: a global sort is a sampling job and a shuffle more, for one run's points
    out.sort(java.util.Comparator.comparingLong(Metric::step).thenComparingLong(Metric::timestamp));
    if (out.isEmpty()) getRunInfo(runId); // unknown run: say so rather than return nothing
    return out;
  }

  /** Child runs of a run (nested runs), oldest first. */
  List<RunInfo> listChildRuns(String parentRunId) {
    List<RunInfo> out = new ArrayList<>();
    for (Row r : store.read(RegistryTables.RUNS).where(col("parent_run_id").equalTo(parentRunId))
        .orderBy("start_time", "run_id").collectAsList()) {
      out.add(RunReader.toRunInfo(r));
    }
    return out;
  }
}
