package io.omelet.registry;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createMapType;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The registry's Delta tables, one folder each under the registry root. Times are epoch
 * milliseconds, as in MLflow. Tables written concurrently by many runs (metrics, params, tags,
 * inputs) are append-only, because Delta never lets two blind appends conflict; their current
 * state is folded at read time (README: "The registry's tables").
 */
public final class RegistryTables {
  public static final String EXPERIMENTS = "experiments";
  public static final String RUNS = "runs";
  public static final String METRICS = "metrics";
  public static final String PARAMS = "params";
  public static final String TAGS = "tags";
  public static final String INPUTS = "inputs";
  public static final String REGISTERED_MODELS = "registered_models";
  public static final String MODEL_VERSIONS = "model_versions";
  public static final String MODEL_ALIASES = "model_aliases";
  public static final String PRESETS = "presets";

  static final DataType STRING_MAP = createMapType(StringType, StringType);

  static final StructType EXPERIMENTS_SCHEMA = schema(
      field("experiment_id", StringType, false),
      field("name", StringType, false),
      field("artifact_location", StringType, true),
      field("lifecycle_stage", StringType, false),
      field("creation_time", LongType, false),
      field("last_update_time", LongType, false),
      field("tags", STRING_MAP, true));

  static final StructType RUNS_SCHEMA = schema(
      field("run_id", StringType, false),
      field("experiment_id", StringType, false),
      field("run_name", StringType, true),
      field("user_id", StringType, true),
      field("source", StringType, true),
      field("status", StringType, false),
      field("start_time", LongType, false),
      field("end_time", LongType, true),
      field("parent_run_id", StringType, true),
      field("lifecycle_stage", StringType, false),
      field("artifact_uri", StringType, true));

  static final StructType METRICS_SCHEMA = schema(
      field("run_id", StringType, false),
      field("key", StringType, false),
      field("value", DoubleType, false),
      field("timestamp", LongType, false),
      field("step", LongType, false));

  /** logged_at_us orders writes within a JVM (a strictly increasing microsecond clock). */
  static final StructType PARAMS_SCHEMA = schema(
      field("run_id", StringType, false),
      field("key", StringType, false),
      field("value", StringType, true),
      field("logged_at_us", LongType, false));

  /** A delete is a row with deleted = true; the latest row of a key wins. */
  static final StructType TAGS_SCHEMA = schema(
      field("run_id", StringType, false),
      field("key", StringType, false),
      field("value", StringType, true),
      field("deleted", BooleanType, false),
      field("logged_at_us", LongType, false));

  static final StructType INPUTS_SCHEMA = schema(
      field("run_id", StringType, false),
      field("name", StringType, true),
      field("kind", StringType, false),
      field("path", StringType, false),
      field("version", LongType, true),
      field("digest", StringType, true),
      field("context", StringType, true),
      field("logged_at_us", LongType, false));

  static final StructType REGISTERED_MODELS_SCHEMA = schema(
      field("name", StringType, false),
      field("description", StringType, true),
      field("creation_time", LongType, false),
      field("last_updated_time", LongType, false),
      field("tags", STRING_MAP, true));

  static final StructType MODEL_VERSIONS_SCHEMA = schema(
      field("name", StringType, false),
      field("version", IntegerType, false),
      field("run_id", StringType, true),
      field("source", StringType, true),
      field("storage_location", StringType, true),
      field("description", StringType, true),
      field("status", StringType, false),
      field("creation_time", LongType, false),
      field("last_updated_time", LongType, false),
      field("tags", STRING_MAP, true));

  static final StructType MODEL_ALIASES_SCHEMA = schema(
      field("name", StringType, false),
      field("alias", StringType, false),
      field("version", IntegerType, false),
      field("updated_time", LongType, false));

  static final StructType PRESETS_SCHEMA = schema(
      field("kind", StringType, false),
      field("name", StringType, false),
      field("settings", STRING_MAP, false),
      field("description", StringType, true),
      field("owner", StringType, true),
      field("updated_time", LongType, false));

  /** Every table with its schema, in creation order. */
  public static Map<String, StructType> all() {
    Map<String, StructType> m = new LinkedHashMap<>();
    m.put(EXPERIMENTS, EXPERIMENTS_SCHEMA);
    m.put(RUNS, RUNS_SCHEMA);
    m.put(METRICS, METRICS_SCHEMA);
    m.put(PARAMS, PARAMS_SCHEMA);
    m.put(TAGS, TAGS_SCHEMA);
    m.put(INPUTS, INPUTS_SCHEMA);
    m.put(REGISTERED_MODELS, REGISTERED_MODELS_SCHEMA);
    m.put(MODEL_VERSIONS, MODEL_VERSIONS_SCHEMA);
    m.put(MODEL_ALIASES, MODEL_ALIASES_SCHEMA);
    m.put(PRESETS, PRESETS_SCHEMA);
    return m;
  }

  private RegistryTables() {}

  private static StructField field(String name, DataType type, boolean nullable) {
    return new StructField(name, type, nullable, Metadata.empty());
  }

  private static StructType schema(StructField... fields) {
    return new StructType(fields);
  }
}
