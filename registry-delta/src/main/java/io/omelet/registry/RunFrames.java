package io.omelet.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Runs laid out as DataFrames: MLflow's search_runs table and its compare view. */
final class RunFrames {
  private RunFrames() {}

  static Dataset<Row> wide(DeltaStore store, RunSearch.Plan plan, int maxResults) {
    String[] runCols = RegistryTables.RUNS_SCHEMA.fieldNames();
    Dataset<Row> page = plan.frame()
        .withColumn("__rank", row_number().over(Window.orderBy(plan.sort().toArray(new Column[0]))))
        .where(col("__rank").leq(maxResults))
        .select(concat(cols(runCols), col("__rank")))
        .cache();
    List<String> ids = page.select("run_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    Dataset<Row> out = page;
    if (!ids.isEmpty()) {
      Column inPage = RunReader.idFilter(ids);
      out = widen(out, store.read(RegistryTables.METRICS).where(inPage), "metrics.", (k) ->
          max_by(col("value"), when(col("key").equalTo(k), struct(col("step"), col("timestamp"), col("value")))));
      out = widen(out, store.read(RegistryTables.PARAMS).where(inPage), "params.", (k) ->
          min_by(col("value"), when(col("key").equalTo(k), col("logged_at_us"))));
      out = widen(out, store.read(RegistryTables.TAGS).where(inPage), "tags.", (k) ->
          max_by(when(not(col("deleted")), col("value")), when(col("key").equalTo(k), col("logged_at_us"))));
    }
    return out.orderBy("__rank").drop("__rank");
  }

  private static Dataset<Row> widen(Dataset<Row> runs, Dataset<Row> kv, String prefix,
      java.util.function.Function<String, Column> fold) {
    List<String> keys = kv.select("key").distinct().orderBy("key").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    if (keys.isEmpty()) return runs;
    List<Column> aggs = new ArrayList<>();
    for (String k : keys) aggs.add(fold.apply(k).as(prefix + k));
    Dataset<Row> folded = kv.groupBy("run_id").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
    return runs.join(folded, runs.col("run_id").equalTo(folded.col("run_id")), "left").drop(folded.col("run_id"));
  }

  static Dataset<Row> compare(SparkSession spark, List<Run> runs) {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("section", DataTypes.StringType, false));
    fields.add(DataTypes.createStructField("key", DataTypes.StringType, false));
    for (Run r : runs) fields.add(DataTypes.createStructField(r.runId(), DataTypes.StringType, true));
    fields.add(DataTypes.createStructField("differs", DataTypes.BooleanType, false));
    StructType schema = DataTypes.createStructType(fields);

    List<Row> rows = new ArrayList<>();
    rows.add(row("attribute", "run_name", runs.stream().map(r -> r.info().runName()).toList()));
    rows.add(row("attribute", "status", runs.stream().map(r -> r.info().status().name()).toList()));
    rows.add(row("attribute", "start_time", runs.stream()
        .map(r -> Instant.ofEpochMilli(r.info().startTime()).toString()).toList()));
    rows.add(row("attribute", "duration_s", runs.stream().map(r -> r.info().endTime() == null ? null
        : String.valueOf((r.info().endTime() - r.info().startTime()) / 1000.0)).toList()));
    rows.add(row("attribute", "parent_run_id", runs.stream().map(r -> r.info().parentRunId()).toList()));
    Set<String> paramKeys = new TreeSet<>();
    Set<String> metricKeys = new TreeSet<>();
    for (Run r : runs) {
      paramKeys.addAll(r.data().params().keySet());
      metricKeys.addAll(r.data().metrics().keySet());
    }
    for (String k : paramKeys) rows.add(row("param", k, runs.stream().map(r -> r.data().params().get(k)).toList()));
    for (String k : metricKeys) {
      rows.add(row("metric", k, runs.stream().map(r -> {
        Metric m = r.data().metrics().get(k);
        return m == null ? null : Double.toString(m.value());
      }).toList()));
    }
    return spark.createDataFrame(rows, schema);
  }

  private static Row row(String section, String key, List<String> values) {
    Object[] cells = new Object[values.size() + 3];
    cells[0] = section;
    cells[1] = key;
    for (int i = 0; i < values.size(); i++) cells[i + 2] = values.get(i);
    cells[cells.length - 1] = new LinkedHashSet<>(values.stream().map(v -> Objects.toString(v, "\u0000")).toList()).size() > 1;
    return RowFactory.create(cells);
  }

  private static Column[] cols(String[] names) {
    Column[] out = new Column[names.length];
    for (int i = 0; i < names.length; i++) out[i] = col(names[i]);
    return out;
  }

  private static Column[] concat(Column[] a, Column b) {
    Column[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
