package io.omelet.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Many runs written in one go: each table gets one append for the whole batch, whatever the
 * number of runs. For jobs that produce a run per result (an AutoML leaderboard, a grid search),
 * where a commit per call would cost more than the training. Runs become visible on
 * {@link #commit()}, with their data already there; artifacts are copied as they are added.
 */
public final class RunBatch {
  private final OmeletRegistry registry;
  private final List<Row> runs = new ArrayList<>();
  private final List<Row> metrics = new ArrayList<>();
  private final List<Row> params = new ArrayList<>();
  private final List<Row> tags = new ArrayList<>();
  private final List<Row> inputs = new ArrayList<>();
  private final List<RunInfo> infos = new ArrayList<>();
  /** The tables this batch's commit has appended to, so committing again after a failure appends each part once. */
  private final java.util.Set<String> written = new java.util.HashSet<>();
  private boolean committing;
  private boolean committed;

  RunBatch(OmeletRegistry registry) {
    this.registry = registry;
  }

  /**
   * Adds a run that already ran: its status and times are given (e.g. a model trained inside a
   * parent job). Returns its id.
   */
  public String addRun(String experimentId, String runName, String parentRunId, RunStatus status, long startTime,
      Long endTime) {
    requireOpen();
    Experiment e = registry.experiments().getExperimentCached(experimentId);
    RunStore.requireOpenForRuns(e);
    String runId = Ids.newId();
    if (runName != null) Names.requireDisplayName(runName, "run name");
    RunInfo info = new RunInfo(runId, experimentId, runName, System.getProperty("user.name"), null, status,
        startTime, endTime, parentRunId, OmeletRegistry.ACTIVE, RunStore.artifactRoot(e, runId));
    infos.add(info);
    runs.add(RunStore.runRow(info));
    return runId;
  }

  public RunBatch logMetric(String runId, String key, double value, long timestamp, long step) {
    requireOpen();
    Names.requireKey(key);
    metrics.add(RowFactory.create(runId, key, value, timestamp, step));
    return this;
  }

  public RunBatch logMetrics(String runId, Map<String, Double> values) {
    long now = System.currentTimeMillis();
    values.forEach((k, v) -> {
      if (v != null) logMetric(runId, k, v, now, 0);
    });
    return this;
  }

  /** Params of a run of this batch; each key once. */
  public RunBatch logParams(String runId, Map<String, String> values) {
    requireOpen();
    values.forEach((k, v) -> {
      Names.requireKey(k);
      params.add(RowFactory.create(runId, k, v, DeltaStore.nowMicros()));
    });
    return this;
  }

  public RunBatch setTags(String runId, Map<String, String> values) {
    requireOpen();
    values.forEach((k, v) -> {
      Names.requireKey(k);
      tags.add(RowFactory.create(runId, k, v, false, DeltaStore.nowMicros()));
    });
    return this;
  }

  public RunBatch logInput(String runId, DatasetRef ref) {
    requireOpen();
    inputs.add(RowFactory.create(runId, ref.name(), ref.kind().name(), ref.path(), ref.version(), ref.digest(),
        ref.context(), DeltaStore.nowMicros()));
    return this;
  }

  /** Writes bytes (a MOJO, a report) as an artifact file of a run of this batch, at once. */
  public RunBatch logBytes(String runId, byte[] bytes, String artifactFile) {
    RunInfo info = infos.stream().filter(i -> i.runId().equals(runId)).findFirst()
        .orElseThrow(() -> new RegistryException("run " + runId + " is not part of this batch"));
    registry.artifacts().write(info, bytes, artifactFile);
    return this;
  }

  public List<RunInfo> runs() {
    return List.copyOf(infos);
  }

  /**
   * One append per table; the runs table last, so a run appears together with its data. If it
   * fails part-way, call it again: the tables it reached are not appended to again, so the retry
   * adds only what is missing and duplicates nothing.
   */
  public void commit() {
    if (committed) throw new RegistryException("this batch was committed; start a new one");
    committing = true;
    registry.logs().appendBatch(metrics, params, tags, inputs, runs, written);
    committed = true;
  }

  private void requireOpen() {
    if (committed) throw new RegistryException("this batch was committed; start a new one");
    if (committing) {
      throw new RegistryException("this batch's commit failed part-way: call commit() again to finish it"
          + " (adding to it now could lose rows)");
    }
  }
}
