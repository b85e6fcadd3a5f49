package io.omelet.registry;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * The search index: one row per run holding its attributes, latest metrics, params, tags and
 * inputs, folded from the append-only tables and kept in executor memory. It is refreshed when
 * a table's Delta version moves: runs touched by the new commits alone are folded again, so a
 * search after a few new runs does not refold a hundred thousand old ones. This is what keeps
 * search fast at 100k runs (MLflow's server re-reads its tables for every search).
 *
 * <p>Readers lease a snapshot ({@link #lease}) and close the lease when their job is done: a
 * refresh retires the old snapshot but frees its executor blocks only once no lease is open, so a
 * search running beside a refresh never loses its blocks. A snapshot handed out as a lazy frame
 * ({@link #escape}) is never freed here: Spark's ContextCleaner frees it once that frame is gone.
 */
final class RunIndex {
  /** Tables whose rows belong to runs. */
  static final List<String> TABLES = List.of(RegistryTables.RUNS, RegistryTables.METRICS, RegistryTables.PARAMS,
      RegistryTables.TAGS, RegistryTables.INPUTS);
  /** Past this many changed runs a full rebuild is cheaper than patching. */
  private static final int MAX_INCREMENTAL_RUNS = 20_000;

  private final DeltaStore store;
  private Map<String, Long> versions;
  /** The current index; null until the first search. */
  private Snapshot snapshot;

  /** One built index and the leases open on it. */
  private static final class Snapshot {
    final Dataset<Row> frame;
    int leases;
    boolean retired;
    boolean escaped;

    Snapshot(Dataset<Row> frame) {
      this.frame = frame;
    }
  }

  /** A reader's hold on one snapshot of the index; close it when the job that reads it is done. */
  final class Lease implements AutoCloseable {
    private final Snapshot held;
    private boolean closed;

    private Lease(Snapshot held) {
      this.held = held;
    }

    Dataset<Row> frame() {
      return held.frame;
    }

    @Override
    public void close() {
      synchronized (RunIndex.this) {
        if (closed) return;
        closed = true;
        held.leases--;
        freeIfUnused(held);
      }
    }
  }

  RunIndex(DeltaStore store) {
    this.store = store;
  }

  /** A lease on the index if it exists and no table moved since it was built; null otherwise (nothing is folded). */
  synchronized Lease leaseIfCurrent() {
    return snapshot != null && latestVersions().equals(versions) ? newLease() : null;
  }

  /** A lease on the index as of the tables' latest versions. */
  synchronized Lease lease() {
    current();
    return newLease();
  }

  /** The index as of the latest versions, for a lazy frame that outlives any lease: never freed here. */
  synchronized Dataset<Row> escape() {
    Dataset<Row> frame = current();
    snapshot.escaped = true;
    return frame;
  }

  private Lease newLease() {
    snapshot.leases++;
    return new Lease(snapshot);
  }

  private void freeIfUnused(Snapshot s) {
    if (s.retired && s.leases == 0 && !s.escaped) release(s.frame);
  }

  private Map<String, Long> latestVersions() {
    Map<String, Long> latest = new LinkedHashMap<>();
    for (String t : TABLES) latest.put(t, store.version(t));
    return latest;
  }

  /** The index as of the tables' latest versions; callers that run jobs on it hold a {@link #lease}. */
  private synchronized Dataset<Row> current() {
    Map<String, Long> latest = latestVersions();
    Dataset<Row> index = snapshot == null ? null : snapshot.frame;
    if (index != null && latest.equals(versions)) return index;
    Dataset<Row> next = null;
    if (index != null) {
      Set<String> changed = changedRuns(versions, latest);
      if (changed != null && changed.size() <= MAX_INCREMENTAL_RUNS) {
        next = changed.isEmpty() ? index : patch(index, changed, latest);
      }
    }
    if (next == null) next = fold(null, latest);
    if (next != index) {
      Snapshot old = snapshot;
      snapshot = new Snapshot(next.localCheckpoint(true));
      if (old != null) {
        old.retired = true;
        freeIfUnused(old);
      }
    }
    versions = latest;
    return snapshot.frame;
  }

  private Dataset<Row> patch(Dataset<Row> index, Set<String> changed, Map<String, Long> at) {
    Dataset<Row> ids = store.spark.createDataset(new ArrayList<>(changed), Encoders.STRING()).toDF("run_id");
    Dataset<Row> kept = index.join(broadcast(ids), index.col("run_id").equalTo(ids.col("run_id")), "left_anti");
    return kept.unionByName(fold(changed, at));
  }

  /**
   * Runs named in data files committed after {@code from} up to {@code to}; null when the log
   * no longer holds those commits.
   */
  private Set<String> changedRuns(Map<String, Long> from, Map<String, Long> to) {
    Set<String> out = new HashSet<>();
    for (String t : TABLES) {
      long start = from.get(t);
      long end = to.get(t);
      if (start == end) continue;
      List<String> files = new ArrayList<>();
      try {
        var it = log(t).getChanges(start + 1, end, true);
        while (it.hasNext()) {
          Tuple2<Object, scala.collection.Seq<Action>> commit = it.next();
          for (Action a : JavaConverters.seqAsJavaList(commit._2())) {
            // Compaction rewrites files without changing what they hold: dataChange=false.
            if (a instanceof AddFile add && add.dataChange()) {
              files.add(new Path(new Path(store.path(t)), new Path(java.net.URI.create(add.path()))).toString());
            }
          }
        }
      } catch (RuntimeException e) {
        return null;
      }
      if (files.isEmpty()) continue;
      if (files.size() > 200) return null;
      out.addAll(store.spark.read().parquet(files.toArray(new String[0])).select("run_id").distinct()
          .as(Encoders.STRING()).collectAsList());
      if (out.size() > MAX_INCREMENTAL_RUNS) return out;
    }
    return out;
  }

  /** Folds the runs named (all runs when null) at the given table versions. */
  private Dataset<Row> fold(Collection<String> runIds, Map<String, Long> at) {
    Column where = runIds == null ? null : RunReader.idFilter(runIds);
    Dataset<Row> runs = read(RegistryTables.RUNS, at, where);
    Dataset<Row> metrics = RunReader.latestMetrics(read(RegistryTables.METRICS, at, where))
        .groupBy("run_id").agg(map_from_entries(collect_list(struct(col("key"),
            struct(col("value"), col("timestamp"), col("step"))))).as("metrics"));
    Dataset<Row> params = RunReader.currentParams(read(RegistryTables.PARAMS, at, where))
        .groupBy("run_id").agg(map_from_entries(collect_list(struct(col("key"), col("value")))).as("params"));
    Dataset<Row> tags = RunReader.currentTags(read(RegistryTables.TAGS, at, where))
        .groupBy("run_id").agg(map_from_entries(collect_list(struct(col("key"), col("value")))).as("tags"));
    Dataset<Row> inputs = read(RegistryTables.INPUTS, at, where).groupBy("run_id").agg(sort_array(collect_list(
        struct(col("logged_at_us"), col("name"), col("kind"), col("path"), col("version"), col("digest"),
            col("context")))).as("inputs"));
    Dataset<Row> out = runs;
    for (Dataset<Row> part : List.of(metrics, params, tags, inputs)) {
      out = out.join(part, out.col("run_id").equalTo(part.col("run_id")), "left").drop(part.col("run_id"));
    }
    return out;
  }

  private Dataset<Row> read(String table, Map<String, Long> at, Column where) {
    Dataset<Row> df = store.spark.read().format("delta").option("versionAsOf", at.get(table)).load(store.path(table));
    return where == null ? df : df.where(where);
  }

  /** Frees the executor blocks of a checkpointed index. */
  private static void release(Dataset<Row> checkpointed) {
    if (checkpointed.logicalPlan() instanceof org.apache.spark.sql.execution.LogicalRDD rdd) {
      rdd.rdd().unpersist(false);
    }
  }

  /** A run from an index row. */
  static Run toRun(Row r) {
    java.util.Map<String, Metric> metrics = new java.util.TreeMap<>();
    if (!r.isNullAt(r.fieldIndex("metrics"))) {
      JavaConverters.mapAsJavaMap(r.<scala.collection.Map<String, Row>>getAs("metrics")).forEach((k, v) ->
          metrics.put(k, new Metric(k, v.getDouble(0), v.getLong(1), v.getLong(2))));
    }
    List<DatasetRef> inputs = new ArrayList<>();
    if (!r.isNullAt(r.fieldIndex("inputs"))) {
      for (Row i : JavaConverters.seqAsJavaList(r.<scala.collection.Seq<Row>>getAs("inputs"))) {
        inputs.add(new DatasetRef(i.getString(1), DatasetRef.Kind.valueOf(i.getString(2)), i.getString(3),
            i.isNullAt(4) ? null : i.getLong(4), i.getString(5), i.getString(6)));
      }
    }
    RunData data = new RunData(metrics, DeltaStore.javaMap(r.getAs("params")),
        DeltaStore.javaMap(r.getAs("tags")), inputs);
    return new Run(RunReader.toRunInfo(r), data);
  }

  private DeltaLog log(String table) {
    return DeltaLog.forTable(store.spark, store.path(table));
  }
}
