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
  private final String path;
  private final InferenceSchema schema;

  private InferenceTable(SparkSession spark, String path, InferenceSchema schema) {
    this.spark = spark;
    this.path = path;
    this.schema = schema;
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
    InferenceTable t = new InferenceTable(spark, location(qualifiedRoot, modelName), InferenceSchema.of(codec, classifier));
    t.createOrCheck();
    return t;
  }

  public String path() {
    return path;
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
    addMissingColumns(missingColumns(DeltaTable.forPath(spark, path).toDF().schema()));
  }

  /** The columns this model writes that the table lacks; fails on one it has with another type. */
  private List<StructField> missingColumns(StructType existing) {
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
            + wanted.dataType().simpleString() + describe(wanted.name()));
      }
    }
    return missing;
  }

  private String describe(String column) {
    return switch (column) {
      case InferenceSchema.PREDICTION, InferenceSchema.LABEL ->
          " (the table was made for a " + (schema.classifier() ? "regression model" : "classifier") + ")";
      default -> InferenceSchema.fixedColumn(column) ? "" : " (a feature's type changed between versions)";
    };
  }

  private void addMissingColumns(List<StructField> missing) {
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
