package io.omelet.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Reads runs back from the append-only tables and folds them into current state: the latest
 * point of each metric (highest step, then timestamp, then value, as MLflow's latest_metrics),
 * the first value of each param, the last write of each tag.
 */
final class RunReader {
  private final DeltaStore store;

  RunReader(DeltaStore store) {
    this.store = store;
  }

  /** Latest metric point per (run, key). */
  static Dataset<Row> latestMetrics(Dataset<Row> metrics) {
    return metrics.groupBy("run_id", "key").agg(
        max_by(struct(col("value"), col("timestamp"), col("step")),
            struct(col("step"), col("timestamp"), col("value"))).as("m"))
        .select(col("run_id"), col("key"), col("m.value").as("value"), col("m.timestamp").as("timestamp"),
            col("m.step").as("step"));
  }

  /** First logged value per (run, key): params never change. */
  static Dataset<Row> currentParams(Dataset<Row> params) {
    return params.groupBy("run_id", "key").agg(min_by(col("value"), col("logged_at_us")).as("value"));
  }

  /** Last write per (run, key), deleted tags dropped. */
  static Dataset<Row> currentTags(Dataset<Row> tags) {
    return tags.groupBy("run_id", "key")
        .agg(max_by(struct(col("value"), col("deleted")), col("logged_at_us")).as("t"))
        .where(not(col("t.deleted")))
        .select(col("run_id"), col("key"), col("t.value").as("value"));
  }

  static RunInfo toRunInfo(Row r) {
    return new RunInfo(
        r.getAs("run_id"), r.getAs("experiment_id"), r.getAs("run_name"), r.getAs("user_id"),
        r.getAs("source"), RunStatus.valueOf(r.getAs("status")), r.<Long>getAs("start_time"),
        r.isNullAt(r.fieldIndex("end_time")) ? null : r.<Long>getAs("end_time"),
        r.getAs("parent_run_id"), r.getAs("lifecycle_stage"), r.getAs("artifact_uri"));
  }

  List<RunInfo> infos(Collection<String> runIds) {
    List<RunInfo> out = new ArrayList<>();
    for (Row r : store.read(RegistryTables.RUNS).where(idFilter(runIds)).collectAsList()) {
      out.add(toRunInfo(r));
    }
    return out;
  }

  /**
   * Metrics, params, tags and inputs of the given runs in one Spark job with no shuffle: the raw
   * rows of the four tables are unioned into one narrow frame and folded here, as the searches
   * fold them in Spark (a run's history is small next to the cost of a shuffle).
   */
  Map<String, RunData> data(Collection<String> runIds) {
    Column ids = idFilter(runIds);
    Column nullS = lit(null).cast(DataTypes.StringType);
    Column nullD = lit(null).cast(DataTypes.DoubleType);
    Column nullB = lit(null).cast(DataTypes.BooleanType);
    Dataset<Row> m = store.read(RegistryTables.METRICS).where(ids)
        .select(lit("m").as("kind"), col("run_id"), col("key"), nullS.as("s1"), nullS.as("s2"), nullS.as("s3"),
            nullS.as("s4"), col("value").as("d"), col("timestamp").as("l1"), col("step").as("l2"), nullB.as("b"));
    Dataset<Row> p = store.read(RegistryTables.PARAMS).where(ids)
        .select(lit("p"), col("run_id"), col("key"), col("value"), nullS, nullS, nullS, nullD, col("logged_at_us"),
            lit(0L), nullB);
    Dataset<Row> t = store.read(RegistryTables.TAGS).where(ids)
        .select(lit("t"), col("run_id"), col("key"), col("value"), nullS, nullS, nullS, nullD, col("logged_at_us"),
            lit(0L), col("deleted"));
    Dataset<Row> i = store.read(RegistryTables.INPUTS).where(ids)
        .select(lit("i"), col("run_id"), col("name"), col("kind"), col("path"), col("digest"), col("context"),
            nullD, col("version"), col("logged_at_us"), nullB);
    Map<String, Builder> builders = new HashMap<>();
    for (String id : runIds) builders.put(id, new Builder());
    for (Row r : m.unionAll(p).unionAll(t).unionAll(i).collectAsList()) {
      Builder b = builders.computeIfAbsent(r.getString(1), k -> new Builder());
      String key = r.getString(2);
      switch (r.getString(0)) {
        case "m" -> b.metric(new Metric(key, r.getDouble(7), r.getLong(8), r.getLong(9)));
        case "p" -> b.param(key, r.getString(3), r.getLong(8));
        case "t" -> b.tag(key, r.getString(3), r.getLong(8), r.getBoolean(10));
        default -> b.inputs.add(new Object[] {r.getLong(9), new DatasetRef(key,
            DatasetRef.Kind.valueOf(r.getString(3)), r.getString(4), r.isNullAt(8) ? null : r.getLong(8),
            r.getString(5), r.getString(6))});
      }
    }
    Map<String, RunData> out = new LinkedHashMap<>();
    builders.forEach((id, b) -> out.put(id, b.build()));
    return out;
  }

  static Column idFilter(Collection<String> runIds) {
    return runIds.size() == 1 ? col("run_id").equalTo(runIds.iterator().next()) : col("run_id").isin(runIds.toArray());
  }

  /** Folds one run's raw rows, in the order-independent way the Spark folds above do. */
  private static final class Builder {
    final Map<String, Metric> metrics = new TreeMap<>();
    final Map<String, Object[]> params = new HashMap<>();
    final Map<String, Object[]> tags = new HashMap<>();
    final List<Object[]> inputs = new ArrayList<>();

    void metric(Metric m) {
      Metric old = metrics.get(m.key());
      if (old == null || LATEST.compare(m, old) > 0) metrics.put(m.key(), m);
    }

    void param(String key, String value, long at) {
      Object[] old = params.get(key);
      if (old == null || at < (Long) old[1]) params.put(key, new Object[] {value, at});
    }

    void tag(String key, String value, long at, boolean deleted) {
      Object[] old = tags.get(key);
      if (old == null || at > (Long) old[1]) tags.put(key, new Object[] {value, at, deleted});
    }

    RunData build() {
      inputs.sort((a, b) -> Long.compare((Long) a[0], (Long) b[0]));
      List<DatasetRef> refs = inputs.stream().map(a -> (DatasetRef) a[1]).toList();
      Map<String, String> p = new TreeMap<>();
      params.forEach((k, v) -> p.put(k, (String) v[0]));
      Map<String, String> t = new TreeMap<>();
      tags.forEach((k, v) -> {
        if (!(Boolean) v[2]) t.put(k, (String) v[0]);
      });
      return new RunData(metrics, p, t, refs);
    }
  }

  /** MLflow's "latest": highest step, then latest timestamp, then largest value. */
  private static final java.util.Comparator<Metric> LATEST = java.util.Comparator.comparingLong(Metric::step)
      .thenComparingLong(Metric::timestamp).thenComparingDouble(Metric::value);

  /**
   * MLflow's compare view: one row per attribute, param and metric, one column per run (named by
   * its run id), and {@code differs} true where the runs disagree.
   */
  Dataset<Row> compare(List<String> runIds) {
    if (runIds.isEmpty()) throw new RegistryException("compareRuns needs at least one run id");
    Map<String, RunInfo> byId = new HashMap<>();
    infos(runIds).forEach(i -> byId.put(i.runId(), i));
    for (String id : runIds) if (!byId.containsKey(id)) throw new NotFoundException("no run with id '" + id + "'");
    Map<String, RunData> data = data(runIds);
    List<Run> runs = runIds.stream().map(id -> new Run(byId.get(id), data.get(id))).toList();
    return RunFrames.compare(store.spark, runs);
  }
}
