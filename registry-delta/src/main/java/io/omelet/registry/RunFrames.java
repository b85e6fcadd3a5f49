package io.omelet.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.map_keys;
import static org.apache.spark.sql.functions.row_number;

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

  static Dataset<Row> wide(RunSearch.Plan plan, int maxResults) {
    Dataset<Row> page = plan.frame()
        .withColumn("__rank", row_number().over(Window.orderBy(plan.sort().toArray(new Column[0]))))
        .where(col("__rank").leq(maxResults))
        .cache();
    List<Column> cols = new ArrayList<>();
    for (String c : RegistryTables.RUNS_SCHEMA.fieldNames()) cols.add(col(c));
    for (String k : keys(page, "metrics")) cols.add(col("metrics").getItem(k).getField("value").as("metrics." + k));
    for (String k : keys(page, "params")) cols.add(col("params").getItem(k).as("params." + k));
    for (String k : keys(page, "tags")) cols.add(col("tags").getItem(k).as("tags." + k));
    return page.orderBy("__rank").select(cols.toArray(new Column[0]));
  }

  private static List<String> keys(Dataset<Row> page, String mapColumn) {
    return page.select(explode(map_keys(col(mapColumn)))).distinct().orderBy(col("col"))
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
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
}
