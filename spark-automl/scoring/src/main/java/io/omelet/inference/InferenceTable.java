package io.omelet.inference;

import io.omelet.common.FeatureCodec;
import io.omelet.registry.Names;
import io.omelet.registry.RegistryException;
import io.omelet.scoring.LoadedModel;
import io.omelet.scoring.MojoModel;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A model's inference table: the Delta table at {@code <registry root>/inference/<model name>}
 * that every served row of the model goes to, readable by plain Spark SQL
 * ({@code SELECT * FROM delta.`<root>/inference/churn`}). One table per model name: versions
 * share it (the {@code model_version} column tells them apart), and a version with a new feature
 * adds its column.
 */
public final class InferenceTable {
  /** The folder under the registry root that holds the inference tables. */
  public static final String FOLDER = "inference";

  private final SparkSession spark;
  private final String modelName;
  private final String path;
  private final InferenceSchema schema;

  private InferenceTable(SparkSession spark, String modelName, String path, InferenceSchema schema) {
    this.spark = spark;
    this.modelName = modelName;
    this.path = path;
    this.schema = schema;
  }

  /**
   * What one append of scored rows did: the table, the job, and the commit (its Delta version and
   * the rows it added), or {@code version} -1 and no rows when Delta skipped the append because
   * its transaction ({@code txnAppId}, {@code txnVersion}) was committed before.
   */
  public record Appended(String path, String jobId, long version, long rows) {
    public boolean skipped() {
      return version < 0;
    }
  }

  /** Where {@code modelName}'s table lives under {@code root}. */
  public static String location(String root, String modelName) {
    String r = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    return r + "/" + FOLDER + "/" + modelName;
  }

  /** Opens the table of a registered model, as the scoring server loaded it. */
  public static InferenceTable open(SparkSession spark, String root, LoadedModel model) {
    if (model.resolved().name() == null) {
      throw new RegistryException("cannot log the inferences of " + model.resolved().uri()
          + ": inference tables are per registered model, and a run artifact has no model name");
    }
    MojoModel mojo = model.mojo();
    return open(spark, root, model.resolved().name(), mojo.codec(), mojo.isClassifier());
  }

  /**
   * Opens {@code modelName}'s table, creating it when missing: first checks that the registry
   * root can be written (so a server fails at start, not at its first request), then that an
   * existing table has every column this model writes, with the same type; columns of features
   * the table has not seen yet are added.
   *
   * @throws RegistryException naming the path when the root cannot be written, or naming the
   *     column when the existing table does not fit
   */
  public static InferenceTable open(SparkSession spark, String root, String modelName, FeatureCodec codec,
      boolean classifier) {
    Names.requireModelName(modelName);
    String qualifiedRoot = qualify(spark, root);
    checkWritable(spark, qualifiedRoot + "/" + FOLDER);
    InferenceTable t = new InferenceTable(spark, modelName, location(qualifiedRoot, modelName), InferenceSchema.of(codec, classifier));
    t.createOrCheck();
    return t;
  }

  public String path() {
    return path;
  }

  /** The registered model whose rows the table holds. */
  public String modelName() {
    return modelName;
  }

  public InferenceSchema schema() {
    return schema;
  }

  /** The table as it is now. */
  public Dataset<Row> read() {
    return spark.read().format("delta").load(path);
  }

  /**
   * Appends {@code rows} as one commit, at most once per ({@code appId}, {@code txnVersion}):
   * Delta records the pair in the commit and skips a later write whose version is not above the
   * last one it recorded for that app id. A flush retried after a failure that came after its
   * commit therefore adds nothing the second time.
   */
  void append(List<Row> rows, String appId, long txnVersion) {
    spark.createDataFrame(rows, schema.struct()).write().format("delta").mode("append")
        .option("txnAppId", appId)
        .option("txnVersion", txnVersion)
        .save(path);
  }

  /**
   * Appends rows scored by Spark ({@link InferenceRows}: a MojoScorer's output, {@code omelet
   * predict}, a query with {@code omelet_predict}) as one Delta commit: the job's rows appear all
   * together or not at all. This is the action that runs the scoring. Columns of features the
   * table has not seen (a new version's) are added first.
   *
   * @throws IllegalArgumentException when the rows are another model's
   */
  public Appended append(InferenceRows rows) {
    return append(rows, null, -1);
  }

  /**
   * As {@link #append(InferenceRows)}, at most once per ({@code txnAppId}, {@code txnVersion})
   * (Delta's idempotent writes): an append whose version is not above the last one the table
   * recorded for that app id adds nothing. A streaming query's id and batch id make each
   * micro-batch's rows land exactly once ({@link InferenceStream}). The table forgets an app id
   * a week after its last commit ({@code delta.setTransactionRetentionDuration}).
   *
   * @param txnAppId null for a plain append
   */
  public Appended append(InferenceRows rows, String txnAppId, long txnVersion) {
    String rowsModel = rows.model().resolved().name();
    if (!modelName.equals(rowsModel)) {
      throw new IllegalArgumentException("rows scored by " + rows.model().describe() + " cannot go to the inference table"
          + " of model '" + modelName + "' (" + path + ")");
    }
    addMissingColumns(missingColumns(DeltaTable.forPath(spark, path).toDF().schema(), rows.schema()), rows.schema());
    // the job's id in the commit: DESCRIBE HISTORY shows which commit holds which job
    String marker = JOB_MARKER + rows.jobId();
    DataFrameWriter<Row> w = rows.rows().write().format("delta").mode("append").option("userMetadata", marker);
    if (txnAppId != null) w = w.option("txnAppId", txnAppId).option("txnVersion", txnVersion);
    w.save(path);
    return committed(rows.jobId(), marker);
  }

  /** How the commit of a job's rows is marked in the table's history ({@code userMetadata}). */
  static final String JOB_MARKER = "omelet inference job ";

  /** The commit marked with {@code marker}, among the last ones (other writers may have committed since). */
  private Appended committed(String jobId, String marker) {
    List<Row> found = DeltaTable.forPath(spark, path).history(HISTORY_SEARCHED)
        .where(org.apache.spark.sql.functions.col("userMetadata").equalTo(marker))
        .select("version", "operationMetrics").collectAsList();
    if (found.isEmpty()) return new Appended(path, jobId, -1, 0);
    Row r = found.get(0);
    java.util.Map<String, String> metrics = r.getJavaMap(1);
    String rows = metrics == null ? null : metrics.get("numOutputRows");
    return new Appended(path, jobId, r.getLong(0), rows == null ? -1 : Long.parseLong(rows));
  }

  /** Commits searched for a job's own: the REST writer commits about once a second. */
  private static final int HISTORY_SEARCHED = 100;

  SparkSession spark() {
    return spark;
  }

  private void createOrCheck() {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      try {
        DeltaTable.createIfNotExists(spark).location(path).addColumns(schema.struct())
            // feature names come from the training data and may hold spaces, commas or '=':
            // column mapping by name lets any of them be a column
            .property("delta.columnMapping.mode", "name")
            // many small appends: let Delta fold small files together as it goes
            .property("delta.autoOptimize.autoCompact", "true")
            // every writer (each server start) leaves its txnAppId in the table's state: let the
            // ids of writers gone a week expire (a retry comes seconds after its flush, not days)
            .property("delta.setTransactionRetentionDuration", "interval 7 days")
            .execute();
        return;
      } catch (RuntimeException e) {
        // another server may have created it first: check the table it made
        if (!DeltaTable.isDeltaTable(spark, path)) {
          throw new RegistryException("cannot create the inference table at " + path + ": " + e.getMessage(), e);
        }
      }
    }
    addMissingColumns(missingColumns(DeltaTable.forPath(spark, path).toDF().schema(), schema), schema);
  }

  /** The columns a model of {@code schema} writes that the table lacks; fails on one it has with another type. */
  private List<StructField> missingColumns(StructType existing, InferenceSchema schema) {
    List<StructField> missing = new ArrayList<>();
    for (StructField wanted : schema.struct().fields()) {
      StructField have = find(existing, wanted.name());
      if (have == null) {
        if (InferenceSchema.fixedColumn(wanted.name())) {
          throw new RegistryException("the table at " + path + " is not an inference table: it has no column '"
              + wanted.name() + "'");
        }
        missing.add(wanted);
      } else if (!have.dataType().sameType(wanted.dataType())) {
        throw new RegistryException("the inference table at " + path + " does not fit this model: column '"
            + have.name() + "' is " + have.dataType().simpleString() + " there but the model writes "
            + wanted.dataType().simpleString() + describe(wanted.name(), schema));
      }
    }
    return missing;
  }

  private static String describe(String column, InferenceSchema schema) {
    return switch (column) {
      case InferenceSchema.PREDICTION, InferenceSchema.LABEL ->
          " (the table was made for a " + (schema.classifier() ? "regression model" : "classifier") + ")";
      default -> InferenceSchema.fixedColumn(column) ? "" : " (a feature's type changed between versions)";
    };
  }

  private void addMissingColumns(List<StructField> missing, InferenceSchema schema) {
    if (missing.isEmpty()) return;
    // an empty append of the whole schema with mergeSchema adds the columns in one commit, through
    // the path alone (the NOT NULL columns must be in it even with no rows)
    spark.createDataFrame(List.<Row>of(), schema.struct()).write().format("delta").mode("append")
        .option("mergeSchema", "true").save(path);
  }

  private static StructField find(StructType s, String name) {
    for (StructField f : s.fields()) {
      if (f.name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) return f;
    }
    return null;
  }

  /** {@code root} as a full URI ({@code file:/...} for a local folder), as the tables' paths are written. */
  static String qualify(SparkSession spark, String root) {
    Path p = new Path(root);
    try {
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
    } catch (IOException e) {
      throw new RegistryException("cannot reach the registry root " + root + ": " + e.getMessage(), e);
    }
  }

  /** Makes the folder and writes and deletes a file in it: the one way to know writes will work. */
  private static void checkWritable(SparkSession spark, String folder) {
    Path dir = new Path(folder);
    Path probe = new Path(dir, ".write-check-" + UUID.randomUUID());
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.mkdirs(dir) || !fs.getFileStatus(dir).isDirectory()) {
        throw new IOException("it is not a folder and cannot be made one");
      }
      fs.create(probe, false).close();
      fs.delete(probe, false);
    } catch (IOException | RuntimeException e) {
      throw new RegistryException("cannot write inference tables under " + folder + ": " + e.getMessage(), e);
    }
  }
}
