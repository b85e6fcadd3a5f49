package io.omelet.mlflow;

import io.omelet.registry.Tags;
import io.omelet.registry.ArtifactInfo;
import io.omelet.registry.DatasetRef;
import io.omelet.registry.Experiment;
import io.omelet.registry.Metric;
import io.omelet.registry.ModelVersion;
import io.omelet.registry.RegisteredModel;
import io.omelet.registry.Run;
import io.omelet.registry.RunInfo;
import io.omelet.registry.RunStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Omelet's registry objects in MLflow's JSON: the field names and shapes of MLflow's protos
 * (snake_case, tags as key/value lists, versions as strings, enums by name). Artifact locations
 * are {@code mlflow-artifacts:} URIs, so clients up- and download through this server's artifact
 * proxy and need no access to the registry's file system.
 */
final class MlflowJson {
  /** Model versions have no stages here (MLflow deprecates them for aliases): every version is in "None". */
  static final String NO_STAGE = "None";

  private MlflowJson() {}

  static String experimentArtifactUri(String experimentId) {
    return "mlflow-artifacts:/" + experimentId;
  }

  static String runArtifactUri(RunInfo info) {
    return experimentArtifactUri(info.experimentId()) + "/" + info.runId() + "/artifacts";
  }

  static Map<String, Object> experiment(Experiment e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("experiment_id", e.experimentId());
    m.put("name", e.name());
    m.put("artifact_location", experimentArtifactUri(e.experimentId()));
    m.put("lifecycle_stage", e.lifecycleStage());
    m.put("last_update_time", e.lastUpdateTime());
    m.put("creation_time", e.creationTime());
    m.put("tags", keyValues(e.tags()));
    return m;
  }

  static Map<String, Object> runInfo(RunInfo i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", i.runId());
    m.put("run_uuid", i.runId());
    m.put("run_name", i.runName());
    m.put("experiment_id", i.experimentId());
    if (i.userId() != null) m.put("user_id", i.userId());
    m.put("status", status(i.status()));
    m.put("start_time", i.startTime());
    if (i.endTime() != null) m.put("end_time", i.endTime());
    m.put("artifact_uri", runArtifactUri(i));
    m.put("lifecycle_stage", i.lifecycleStage());
    return m;
  }

  /** STALE (a RUNNING run whose process died) is not an MLflow status: MLflow clients see it FAILED. */
  static String status(RunStatus s) {
    return s == RunStatus.STALE ? RunStatus.FAILED.name() : s.name();
  }

  static Map<String, Object> run(Run run) {
    RunInfo info = run.info();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("metrics", run.data().metrics().values().stream().map(MlflowJson::metric).toList());
    data.put("params", keyValues(run.data().params()));
    // MLflow's own tags for what Omelet keeps as attributes, so MLflow's tools find them where they look
    Map<String, String> tags = new LinkedHashMap<>(run.data().tags());
    tags.putIfAbsent(Tags.MLFLOW_RUN_NAME, info.runName());
    if (info.userId() != null) tags.putIfAbsent(Tags.MLFLOW_USER, info.userId());
    if (info.parentRunId() != null) tags.putIfAbsent(Tags.MLFLOW_PARENT_RUN_ID, info.parentRunId());
    if (info.source() != null) tags.putIfAbsent(Tags.MLFLOW_SOURCE_NAME, info.source());
    data.put("tags", keyValues(tags));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("info", runInfo(info));
    m.put("data", data);
    List<Object> inputs = new ArrayList<>();
    for (DatasetRef d : run.data().inputs()) inputs.add(datasetInput(d));
    m.put("inputs", Map.of("dataset_inputs", inputs));
    return m;
  }

  static Map<String, Object> metric(Metric x) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", x.key());
    m.put("value", x.value());
    m.put("timestamp", x.timestamp());
    m.put("step", x.step());
    return m;
  }

  /** A dataset input as MLflow's DatasetInput: its source a JSON document naming the path (and the Delta version). */
  static Map<String, Object> datasetInput(DatasetRef d) {
    Map<String, Object> source = new LinkedHashMap<>();
    if (d.kind() == DatasetRef.Kind.DELTA) {
      source.put("path", d.path());
      source.put("delta_table_version", d.version());
    } else {
      source.put("uri", d.path());
    }
    Map<String, Object> dataset = new LinkedHashMap<>();
    dataset.put("name", d.name());
    dataset.put("digest", d.digest() != null ? d.digest() : d.kind() == DatasetRef.Kind.DELTA ? "v" + d.version() : "");
    dataset.put("source_type", d.kind() == DatasetRef.Kind.DELTA ? "delta_table" : "local");
    dataset.put("source", MlflowApi.toJson(source));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tags", d.context() == null ? List.of() : keyValues(Map.of(Tags.MLFLOW_DATASET_CONTEXT, d.context())));
    m.put("dataset", dataset);
    return m;
  }

  static Map<String, Object> registeredModel(RegisteredModel r, List<ModelVersion> versions) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.name());
    m.put("creation_timestamp", r.creationTime());
    m.put("last_updated_timestamp", r.lastUpdatedTime());
    if (r.description() != null) m.put("description", r.description());
    // latest per stage; with one stage ("None") that is the newest version
    if (!versions.isEmpty()) m.put("latest_versions", List.of(modelVersion(versions.get(versions.size() - 1))));
    m.put("tags", keyValues(r.tags()));
    List<Object> aliases = new ArrayList<>();
    r.aliases().forEach((alias, version) -> aliases.add(Map.of("alias", alias, "version", Integer.toString(version))));
    m.put("aliases", aliases);
    return m;
  }

  static Map<String, Object> modelVersion(ModelVersion v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.name());
    m.put("version", Integer.toString(v.version()));
    m.put("creation_timestamp", v.creationTime());
    m.put("last_updated_timestamp", v.lastUpdatedTime());
    m.put("current_stage", NO_STAGE);
    if (v.description() != null) m.put("description", v.description());
    m.put("source", v.source());
    if (v.runId() != null) m.put("run_id", v.runId());
    m.put("status", v.status() == null ? "READY" : v.status());
    m.put("tags", keyValues(v.tags()));
    m.put("aliases", v.aliases());
    return m;
  }

  static Map<String, Object> fileInfo(ArtifactInfo a, String path) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", path);
    m.put("is_dir", a.isDir());
    if (!a.isDir()) m.put("file_size", a.fileSize());
    return m;
  }

  static List<Object> keyValues(Map<String, String> map) {
    List<Object> out = new ArrayList<>();
    map.forEach((k, v) -> {
      Map<String, Object> kv = new LinkedHashMap<>();
      kv.put("key", k);
      kv.put("value", v);
      out.add(kv);
    });
    return out;
  }
}
