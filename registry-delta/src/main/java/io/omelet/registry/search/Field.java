package io.omelet.registry.search;

import io.omelet.registry.Tags;
import java.util.Locale;
import java.util.Map;

/** What a filter or order-by names: {@code metrics.auc}, {@code params.algo}, {@code attributes.status}. */
public record Field(Entity entity, String key) {

  public enum Entity {
    METRIC("metrics"),
    PARAM("params"),
    TAG("tags"),
    ATTRIBUTE("attributes"),
    DATASET("datasets");

    final String prefix;

    Entity(String prefix) {
      this.prefix = prefix;
    }
  }

  /** Run attributes that can be searched, with MLflow's aliases; the value is the runs-table column. */
  static final Map<String, String> ATTRIBUTES = Map.ofEntries(
      Map.entry("run_id", "run_id"),
      Map.entry("run_name", "run_name"),
      Map.entry("status", "status"),
      Map.entry("user_id", "user_id"),
      Map.entry("source", "source"),
      Map.entry("start_time", "start_time"),
      Map.entry("created", "start_time"),
      Map.entry("end_time", "end_time"),
      Map.entry("artifact_uri", "artifact_uri"),
      Map.entry("experiment_id", "experiment_id"),
      Map.entry("parent_run_id", "parent_run_id"),
      Map.entry("lifecycle_stage", "lifecycle_stage"));

  /** Attributes holding epoch milliseconds, of runs and of the other searchable entities. */
  static final java.util.Set<String> NUMERIC_ATTRIBUTES = java.util.Set.of(
      "start_time", "end_time", "creation_time", "last_update_time", "creation_timestamp", "last_updated_timestamp");

  /** MLflow's system tags that Omelet keeps as run attributes: a filter on the tag reads the attribute. */
  static final Map<String, String> MLFLOW_SYSTEM_TAGS = Map.of(
      Tags.MLFLOW_RUN_NAME, "run_name",
      Tags.MLFLOW_PARENT_RUN_ID, "parent_run_id",
      Tags.MLFLOW_USER, "user_id",
      Tags.MLFLOW_SOURCE_NAME, "source");

  /** Dataset fields; a dataset condition holds when any input of the run satisfies it. */
  static final Map<String, String> DATASET_FIELDS = Map.of(
      "name", "name", "kind", "kind", "path", "path", "version", "version", "digest", "digest",
      "context", "context");

  static Entity entityOf(String prefix) {
    return switch (prefix.toLowerCase(Locale.ROOT)) {
      case "metrics", "metric" -> Entity.METRIC;
      case "params", "param", "parameters", "parameter" -> Entity.PARAM;
      case "tags", "tag" -> Entity.TAG;
      case "attributes", "attribute", "attr", "run" -> Entity.ATTRIBUTE;
      case "datasets", "dataset" -> Entity.DATASET;
      default -> null;
    };
  }

  /** True when values compared with this field are numbers. */
  public boolean isNumeric() {
    return switch (entity) {
      case METRIC -> true;
      case ATTRIBUTE -> NUMERIC_ATTRIBUTES.contains(key);
      case DATASET -> key.equals("version");
      default -> false;
    };
  }

  @Override
  public String toString() {
    return entity.prefix + "." + key;
  }
}
