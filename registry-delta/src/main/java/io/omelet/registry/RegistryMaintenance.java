package io.omelet.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** Work on the tables as a whole: bulk imports of runs and compaction of small files. */
final class RegistryMaintenance {
  private final DeltaStore store;

  RegistryMaintenance(DeltaStore store) {
    this.store = store;
  }

  /** Appends frames conformed to their tables' schemas (null: none), one commit per table. */
  void importRuns(Dataset<Row> runs, Dataset<Row> metrics, Dataset<Row> params, Dataset<Row> tags) {
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

  /** OPTIMIZE on every table. */
  void compact() {
    for (String t : RegistryTables.all().keySet()) {
      store.retry("compact " + t, () -> store.table(t).optimize().executeCompaction());
    }
  }

  /** The Delta table path of one of the {@link RegistryTables}. */
  String tablePath(String table) {
    if (!RegistryTables.all().containsKey(table)) {
      throw new RegistryException("unknown registry table '" + table + "'; tables: " + RegistryTables.all().keySet());
    }
    return store.path(table);
  }

  /** Each table, and the latest metrics, as a temporary view named {@code prefix + table}. */
  void createTempViews(String prefix) {
    for (String t : RegistryTables.all().keySet()) store.read(t).createOrReplaceTempView(prefix + t);
    RunReader.latestMetrics(store.read(RegistryTables.METRICS)).createOrReplaceTempView(prefix + "latest_metrics");
  }
}
