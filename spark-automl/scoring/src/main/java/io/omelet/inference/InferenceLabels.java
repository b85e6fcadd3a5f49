package io.omelet.inference;

import static io.omelet.inference.LabelInput.ID;
import static io.omelet.inference.LabelInput.LABEL;
import static io.omelet.inference.LabelInput.ROW;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_keys;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.omelet.registry.Names;
import io.omelet.registry.RegistryException;

import io.delta.exceptions.DeltaConcurrentModificationException;
import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Late labels: the ground truth of served requests, known days later, merged into the model's
 * {@link InferenceTable} by request id so that served predictions can be scored against it.
 *
 * <p>Everything is checked before anything is written: the table exists, the labels' id and label
 * columns are there with types that fit the table, no id is given twice (which label would be
 * meant?), and for a classifier every label is one of the model's classes. Any failure is one
 * line naming what is wrong, and the table is left as it was.
 *
 * <p>Then one Delta MERGE writes the labels: only rows whose label differs are updated, so a
 * re-run of the same labels writes nothing (and commits nothing), and a label that differs from
 * one merged earlier replaces it and is counted as replaced. Labels for ids the table does not
 * have are counted and a few are named; the usual reasons are sampling (the request was not
 * logged) and labels that arrive before the server flushed its rows (run it again later).
 *
 * <p>Rows are matched by request id alone unless a row column is given: a label then applies to
 * every row of its request (single-row requests are the common case; for a batch request all of
 * its rows, failed ones included, get the same label). With a row column, a label goes to the row
 * of its request at that {@code row_index}.
 */
public final class InferenceLabels {
  /** How many unknown ids and replacements a result names. */
  static final int EXAMPLES = 5;

  private InferenceLabels() {}

  /** Merges {@code labels} by request id: each label applies to all rows of its request. */
  public static LabelMerge merge(SparkSession spark, String registryRoot, String modelName, Dataset<Row> labels,
      String idCol, String labelCol) {
    return merge(spark, registryRoot, modelName, labels, idCol, labelCol, null);
  }

  /**
   * Merges {@code labels} into {@code modelName}'s inference table under {@code registryRoot}.
   *
   * @param idCol the labels' request id column (text or whole numbers)
   * @param labelCol the labels' ground truth: a class (text, whole numbers, booleans) for a
   *     classifier, a number for regression; null labels are ignored and counted
   * @param rowCol the labels' row index column, or null to label every row of a request
   * @throws RegistryException when the model has no inference table, or the table changed under
   *     the merge (a compaction): nothing was merged then, and a re-run is safe
   * @throws IllegalArgumentException naming what is wrong with the labels; nothing merged
   */
  public static LabelMerge merge(SparkSession spark, String registryRoot, String modelName, Dataset<Row> labels,
      String idCol, String labelCol, String rowCol) {
    Names.requireModelName(modelName);
    String path = InferenceTable.location(InferenceTable.qualify(spark, registryRoot), modelName);
    if (!DeltaTable.isDeltaTable(spark, path)) {
      throw new RegistryException("no inference table for model '" + modelName + "' at " + path
          + ": serve the model with inference logging first");
    }
    DeltaTable table = DeltaTable.forPath(spark, path);
    StructType schema = table.toDF().schema();
    DataType labelType = labelType(schema, path);
    Dataset<Row> normalized = LabelInput.normalize(labels, idCol, labelCol, rowCol, labelType, modelName);
    boolean byRow = rowCol != null;

    Dataset<Row> source = normalized.persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> perLabel = null;
    try {
      Column missingId = col(ID).isNull().or(byRow ? col(ROW).isNull() : lit(false));
      Column missingLabel = col(LABEL).isNull().or(labelType instanceof DoubleType ? isnan(col(LABEL)) : lit(false));
      Row read = source.agg(count(lit(1)), count(when(missingId, 1)), count(when(not(missingId).and(missingLabel), 1)))
          .head();
      Dataset<Row> usable = source.where(not(missingId).and(not(missingLabel)));
      refuseDuplicates(usable, byRow);
      if (labelType instanceof StringType) refuseUnknownClasses(usable, table.toDF(), modelName);

      long before = version(table);
      perLabel = perLabel(usable, table.toDF(), byRow).persist(StorageLevel.MEMORY_AND_DISK());
      Row f = perLabel.agg(
          count(when(col("rows").gt(0), 1)),
          count(when(col("rows").equalTo(0), 1)),
          count(when(col("differing").gt(0), 1)),
          count(when(col("differing").equalTo(0).and(col("empty").gt(0)), 1)),
          count(when(col("rows").gt(0).and(col("differing").equalTo(0)).and(col("empty").equalTo(0)), 1)),
          sum("rows"),
          sum(col("empty").plus(col("differing")))).head();
      long toUpdate = f.isNullAt(6) ? 0 : f.getLong(6);
      List<String> unknown = perLabel.where(col("rows").equalTo(0)).select(ID).orderBy(ID).limit(EXAMPLES)
          .collectAsList().stream().map(r -> r.getString(0)).toList();
      List<String> replaced = perLabel.where(col("differing").gt(0)).orderBy(ID).limit(EXAMPLES).collectAsList()
          .stream().map(r -> r.getString(r.fieldIndex(ID)) + ": " + r.get(r.fieldIndex("old")) + " -> "
              + r.get(r.fieldIndex(LABEL))).toList();

      long updated = 0;
      long after = before;
      if (toUpdate > 0) {
        merge(table, usable, byRow, path);
        Row commit = mergeCommit(table, before);
        after = commit.getLong(0);
        Object n = commit.<String, String>getJavaMap(1).get("numTargetRowsUpdated");
        updated = n == null ? 0 : Long.parseLong(n.toString());
      }
      return new LabelMerge(path, after, read.getLong(0), read.getLong(1), read.getLong(2),
          f.getLong(0), f.getLong(3), f.getLong(2), f.getLong(4), f.getLong(1), unknown, replaced,
          f.isNullAt(5) ? 0 : f.getLong(5), updated);
    } finally {
      if (perLabel != null) perLabel.unpersist(false);
      source.unpersist(false);
    }
  }

  /** The table's label type (string: a classifier; double: regression), checking it is an inference table. */
  private static DataType labelType(StructType schema, String path) {
    List<String> names = Arrays.asList(schema.fieldNames());
    for (String c : List.of(ID, ROW, LABEL, InferenceSchema.PROBABILITIES)) {
      if (!names.contains(c)) {
        throw new RegistryException("the table at " + path + " is not an inference table: it has no column '" + c + "'");
      }
    }
    return schema.apply(LABEL).dataType();
  }

  /** Two labels for one id (or one id and row): MERGE would refuse them too, with a message naming neither. */
  private static void refuseDuplicates(Dataset<Row> labels, boolean byRow) {
    Column[] key = byRow ? new Column[] {col(ID), col(ROW)} : new Column[] {col(ID)};
    Dataset<Row> repeated = labels.groupBy(key).count().where(col("count").gt(1));
    Row r = repeated.agg(count(lit(1)), first(ID), first(byRow ? col(ROW) : lit(null)), first("count")).head();
    long ids = r.getLong(0);
    if (ids == 0) return;
    throw new IllegalArgumentException("the labels give request id '" + r.getString(1) + "'"
        + (byRow ? " row " + r.get(2) : "") + " " + r.getLong(3) + " labels"
        + (ids > 1 ? " (and " + (ids - 1) + " more " + (byRow ? "rows" : "ids") + " more than one)" : "")
        + ": give one label per " + (byRow ? "request id and row" : "request id") + "; nothing merged");
  }

  /**
   * A classifier's labels must be its classes: the keys of the {@code probabilities} the table
   * holds (every version's that served). A table with no scored row yet has no classes to check.
   */
  private static void refuseUnknownClasses(Dataset<Row> labels, Dataset<Row> table, String modelName) {
    List<String> classes = table.where(col(InferenceSchema.PROBABILITIES).isNotNull())
        .select(explode(map_keys(col(InferenceSchema.PROBABILITIES)))).distinct().orderBy(col("col"))
        .collectAsList().stream().map(r -> r.getString(0)).toList();
    if (classes.isEmpty()) return;
    Dataset<Row> foreign = labels.select(LABEL).distinct().where(not(col(LABEL).isin(classes.toArray())));
    List<String> shown = foreign.orderBy(LABEL).limit(EXAMPLES).collectAsList().stream().map(r -> "'" + r.getString(0) + "'")
        .toList();
    if (shown.isEmpty()) return;
    long n = shown.size() < EXAMPLES ? shown.size() : foreign.count();
    throw new IllegalArgumentException((n == 1 ? "label " + shown.get(0) + " is not a class" : n + " labels are not classes")
        + " of model '" + modelName + "'" + (n == 1 ? "" : " (" + String.join(", ", shown) + (n > shown.size() ? ", ..." : "") + ")")
        + "; its classes: " + String.join(", ", classes) + "; nothing merged");
  }

  /**
   * One row per label: how many table rows it points at ({@code rows}), how many of them have no
   * label yet ({@code empty}), how many hold a different one ({@code differing}, with one such
   * {@code old} label). Computed on the version read before the merge.
   */
  private static Dataset<Row> perLabel(Dataset<Row> labels, Dataset<Row> table, boolean byRow) {
    Dataset<Row> target = table.select(col(ID).as("t_id"), col(ROW).as("t_row"), col(LABEL).as("old"));
    Column on = col(ID).equalTo(col("t_id"));
    if (byRow) on = on.and(col(ROW).equalTo(col("t_row")));
    Column found = col("t_id").isNotNull();
    Column differs = found.and(col("old").isNotNull()).and(not(col("old").equalTo(col(LABEL))));
    Column[] key = byRow ? new Column[] {col(ID), col(ROW), col(LABEL)} : new Column[] {col(ID), col(LABEL)};
    return labels.join(target, on, "left").groupBy(key).agg(
        count(when(found, 1)).as("rows"),
        count(when(found.and(col("old").isNull()), 1)).as("empty"),
        count(when(differs, 1)).as("differing"),
        first(when(differs, col("old")), true).as("old"));
  }

  /** The MERGE: rows whose label already equals the given one are not rewritten. */
  private static void merge(DeltaTable table, Dataset<Row> labels, boolean byRow, String path) {
    String on = "t." + ID + " = s." + ID + (byRow ? " AND t." + ROW + " = s." + ROW : "");
    try {
      table.as("t").merge(labels.as("s"), on)
          .whenMatched("NOT (t." + LABEL + " <=> s." + LABEL + ")")
          .updateExpr(Map.of(LABEL, "s." + LABEL))
          .execute();
    } catch (DeltaConcurrentModificationException e) {
      // the server's appends never conflict (blind appends); a compaction rewriting files does
      throw new RegistryException("the inference table at " + path + " changed while the labels were merged ("
          + e.getClass().getSimpleName() + "): nothing was merged; run it again, a re-run is safe", e);
    }
  }

  private static long version(DeltaTable table) {
    return table.history(1).select("version").head().getLong(0);
  }

  /** The version and operation metrics of the MERGE committed after {@code before}. */
  private static Row mergeCommit(DeltaTable table, long before) {
    List<Row> merges = new ArrayList<>(table.history(10).where(col("version").gt(before).and(col("operation").equalTo("MERGE")))
        .orderBy(col("version").desc()).select("version", "operationMetrics").collectAsList());
    if (merges.isEmpty()) throw new IllegalStateException("the MERGE's commit is not in the table's history");
    return merges.get(0);
  }
}
