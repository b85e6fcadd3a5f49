package io.omelet.mlflow;

import static io.omelet.mlflow.MlflowApi.empty;
import static io.omelet.mlflow.MlflowApi.ok;
import static io.omelet.mlflow.MlflowRequest.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import io.omelet.registry.Tags;
import io.omelet.registry.ArtifactInfo;
import io.omelet.registry.DatasetRef;
import io.omelet.registry.Experiment;
import io.omelet.registry.Metric;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Run;
import io.omelet.registry.RunData;
import io.omelet.registry.RunInfo;
import io.omelet.registry.RunPage;
import io.omelet.registry.RunStatus;
import io.omelet.registry.SearchRunsRequest;
import io.omelet.registry.ViewType;
import io.omelet.registry.search.Field;
import io.omelet.registry.search.FilterParser.Vocabulary;
import io.omelet.http.Request;
import io.omelet.http.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** MLflow's tracking calls (experiments, runs, metric history, artifact listing) on the registry. */
final class MlflowTracking {
  /** MLflow's log-batch limits. */
  static final int MAX_BATCH_METRICS = 1000;
  static final int MAX_BATCH_PARAMS = 100;
  static final int MAX_BATCH_TAGS = 100;
  static final int MAX_BATCH_ENTITIES = 1000;
  /** Page bounds of MLflow's searches. */
  static final int MAX_EXPERIMENTS_PAGE = 50_000;
  static final int MAX_HISTORY_PAGE = 25_000;

  static final Vocabulary EXPERIMENTS = Vocabulary.of("experiments", "name", "experiment_id", "creation_time",
      "last_update_time", "lifecycle_stage");

  private final MlflowApi api;
  private final OmeletRegistry registry;

  MlflowTracking(MlflowApi api) {
    this.api = api;
    this.registry = api.registry;
  }

  void mount() {
    api.write("POST", "/experiments/create", this::createExperiment);
    api.read("GET", "/experiments/get", r -> ok(Map.of("experiment",
        MlflowJson.experiment(registry.getExperiment(new MlflowRequest(r).required("experiment_id"))))));
    api.read("GET", "/experiments/get-by-name", r -> ok(Map.of("experiment",
        MlflowJson.experiment(registry.getExperimentByName(new MlflowRequest(r).required("experiment_name"))))));
    api.read("POST", "/experiments/search", this::searchExperiments);
    api.read("GET", "/experiments/search", this::searchExperiments);
    api.write("POST", "/experiments/update", r -> {
      MlflowRequest q = new MlflowRequest(r);
      String id = q.required("experiment_id");
      String newName = q.string("new_name");
      if (newName != null && !newName.isEmpty()) registry.renameExperiment(id, newName);
      else registry.getExperiment(id);
      return empty();
    });
    api.write("POST", "/experiments/delete", r -> {
      registry.deleteExperiment(new MlflowRequest(r).required("experiment_id"));
      return empty();
    });
    api.write("POST", "/experiments/restore", r -> {
      registry.restoreExperiment(new MlflowRequest(r).required("experiment_id"));
      return empty();
    });
    api.write("POST", "/experiments/set-experiment-tag", r -> {
      MlflowRequest q = new MlflowRequest(r);
      registry.setExperimentTag(q.required("experiment_id"), q.required("key"), valueOf(q));
      return empty();
    });

    api.write("POST", "/runs/create", this::createRun);
    api.read("GET", "/runs/get", r -> ok(Map.of("run", MlflowJson.run(registry.getRun(runId(new MlflowRequest(r)))))));
    api.write("POST", "/runs/update", this::updateRun);
    api.write("POST", "/runs/delete", r -> {
      registry.deleteRun(runId(new MlflowRequest(r)));
      return empty();
    });
    api.write("POST", "/runs/restore", r -> {
      registry.restoreRun(runId(new MlflowRequest(r)));
      return empty();
    });
    api.write("POST", "/runs/log-metric", r -> {
      MlflowRequest q = new MlflowRequest(r);
      registry.logBatch(runId(q), List.of(metric(q.required("key"), q.doubleValue("value"),
          q.longValue("timestamp"), q.longValue("step"))), Map.of(), Map.of());
      return empty();
    });
    api.write("POST", "/runs/log-parameter", r -> {
      MlflowRequest q = new MlflowRequest(r);
      registry.logBatch(runId(q), List.of(), Map.of(q.required("key"), valueOf(q)), Map.of());
      return empty();
    });
    api.write("POST", "/runs/set-tag", r -> {
      MlflowRequest q = new MlflowRequest(r);
      setTags(runId(q), Map.of(q.required("key"), valueOf(q)));
      return empty();
    });
    api.write("POST", "/runs/delete-tag", r -> {
      MlflowRequest q = new MlflowRequest(r);
      registry.deleteTag(runId(q), q.required("key"));
      return empty();
    });
    api.write("POST", "/runs/log-batch", this::logBatch);
    api.write("POST", "/runs/log-inputs", this::logInputs);
    api.read("POST", "/runs/search", this::searchRuns);
    api.read("GET", "/metrics/get-history", this::metricHistory);
    api.read("GET", "/artifacts/list", this::listArtifacts);
  }

  // ---------------------------------------------------------------- experiments

  private Response createExperiment(Request r) {
    MlflowRequest q = new MlflowRequest(r);
    String location = q.string("artifact_location");
    String id = registry.createExperiment(q.required("name"), location == null || location.isEmpty() ? null : location,
        q.keyValues("tags"));
    return ok(Map.of("experiment_id", id));
  }

  private static final EntitySearch<Experiment> EXPERIMENT_SEARCH = new EntitySearch<>("experiments", EXPERIMENTS,
      MlflowTracking::experimentField, List.of(EntitySearch.attribute("last_update_time", false)),
      List.of(EntitySearch.attribute("experiment_id", true)), 1000, MAX_EXPERIMENTS_PAGE);

  private Response searchExperiments(Request r) {
    MlflowRequest q = new MlflowRequest(r);
    ViewType view = viewType(q.string("view_type"));
    return ok(EXPERIMENT_SEARCH.page(q, registry.listExperiments(view), view.name(), MlflowJson::experiment));
  }

  private static Object experimentField(Experiment e, Field f) {
    if (f.entity() == Field.Entity.TAG) return e.tags().get(f.key());
    return switch (f.key()) {
      case "name" -> e.name();
      case "experiment_id" -> e.experimentId();
      case "creation_time" -> e.creationTime();
      case "last_update_time" -> e.lastUpdateTime();
      default -> e.lifecycleStage();
    };
  }

  static ViewType viewType(String text) {
    if (text == null || text.isEmpty()) return ViewType.ACTIVE_ONLY;
    return switch (text.trim().toUpperCase(Locale.ROOT)) {
      case "ACTIVE_ONLY", "1" -> ViewType.ACTIVE_ONLY;
      case "DELETED_ONLY", "2" -> ViewType.DELETED_ONLY;
      case "ALL", "3" -> ViewType.ALL;
      default -> throw invalid("Invalid view type '" + text + "': use ACTIVE_ONLY, DELETED_ONLY or ALL");
    };
  }

  // ---------------------------------------------------------------- runs

  private static String runId(MlflowRequest q) {
    return q.required("run_id", "run_uuid");
  }

  /** A tag or param value; MLflow allows an empty string but not a missing one. */
  private static String valueOf(MlflowRequest q) {
    String v = q.string("value");
    if (v == null) throw MlflowRequest.missing("value");
    return v;
  }

  private Response createRun(Request r) {
    MlflowRequest q = new MlflowRequest(r);
    String experimentId = q.string("experiment_id");
    if (experimentId == null || experimentId.isEmpty()) experimentId = OmeletRegistry.DEFAULT_EXPERIMENT_ID;
    Map<String, String> tags = q.keyValues("tags");
    String runName = q.string("run_name");
    if (runName == null || runName.isEmpty()) runName = tags.get(Tags.MLFLOW_RUN_NAME);
    if (runName != null && runName.isEmpty()) runName = null;
    String user = q.string("user_id");
    if (user == null || user.isEmpty()) user = tags.get(Tags.MLFLOW_USER);
    String parent = tags.get(Tags.MLFLOW_PARENT_RUN_ID);
    long start = q.longValue("start_time", System.currentTimeMillis());
    RunInfo info = registry.createRun(experimentId, runName, parent == null || parent.isEmpty() ? null : parent, tags,
        user, tags.getOrDefault(Tags.MLFLOW_SOURCE_NAME, "mlflow-client"), start);
    return ok(Map.of("run", MlflowJson.run(new Run(info, new RunData(Map.of(), Map.of(), tags, List.of())))));
  }

  private Response updateRun(Request r) {
    MlflowRequest q = new MlflowRequest(r);
    String runId = runId(q);
    String name = q.string("run_name");
    if (name != null && !name.isEmpty()) registry.setRunName(runId, name);
    String status = q.string("status");
    Long end = q.longValue("end_time");
    if (status != null && !status.isEmpty()) {
      registry.setRunStatus(runId, runStatus(status), end);
    } else if (end != null) {
      throw invalid("end_time is set with a status (FINISHED, FAILED or KILLED)");
    }
    return ok(Map.of("run_info", MlflowJson.runInfo(registry.getRunInfo(runId))));
  }

  static RunStatus runStatus(String text) {
    return switch (text.trim().toUpperCase(Locale.ROOT)) {
      case "RUNNING", "1" -> RunStatus.RUNNING;
      case "SCHEDULED", "2" -> RunStatus.SCHEDULED;
      case "FINISHED", "3" -> RunStatus.FINISHED;
      case "FAILED", "4" -> RunStatus.FAILED;
      case "KILLED", "5" -> RunStatus.KILLED;
      default -> throw invalid("Invalid run status '" + text + "': use RUNNING, SCHEDULED, FINISHED, FAILED or KILLED");
    };
  }

  private static Metric metric(String key, Double value, Long timestamp, Long step) {
    if (key == null || key.isEmpty()) throw MlflowRequest.missing("key");
    if (value == null) throw MlflowRequest.missing("value");
    if (timestamp == null) throw MlflowRequest.missing("timestamp");
    return new Metric(key, value, timestamp, step == null ? 0 : step);
  }

  /** Tags; {@code mlflow.runName} also renames the run, as MLflow's stores do. */
  private void setTags(String runId, Map<String, String> tags) {
    registry.logBatch(runId, List.of(), Map.of(), tags);
    String name = tags.get(Tags.MLFLOW_RUN_NAME);
    if (name != null && !name.isEmpty()) registry.setRunName(runId, name);
  }

  private Response logBatch(Request r) {
    MlflowRequest q = new MlflowRequest(r);
    String runId = runId(q);
    List<JsonNode> metrics = q.objects("metrics");
    List<JsonNode> params = q.objects("params");
    List<JsonNode> tags = q.objects("tags");
    limit(metrics.size(), MAX_BATCH_METRICS, "metrics");
    limit(params.size(), MAX_BATCH_PARAMS, "params");
    limit(tags.size(), MAX_BATCH_TAGS, "tags");
    int total = metrics.size() + params.size() + tags.size();
    if (total > MAX_BATCH_ENTITIES) {
      throw invalid("A batch logging request can contain at most " + MAX_BATCH_ENTITIES
          + " metrics, params, and tags in total. Got " + total + ". Please split up across multiple requests and try again.");
    }
    List<Metric> points = new ArrayList<>(metrics.size());
    for (JsonNode m : metrics) {
      JsonNode value = m.get("value");
      Double v = value == null || value.isNull() ? null : value.isNumber() ? value.asDouble() : parseDouble(value.asText());
      JsonNode ts = m.get("timestamp");
      JsonNode step = m.get("step");
      points.add(metric(MlflowRequest.text(m, "key"), v, ts == null || ts.isNull() ? null : ts.asLong(),
          step == null || step.isNull() ? null : step.asLong()));
    }
    Map<String, String> paramMap = new LinkedHashMap<>();
    for (JsonNode p : params) {
      String key = MlflowRequest.keyOf(p, "params");
      String value = MlflowRequest.text(p, "value");
      String earlier = paramMap.putIfAbsent(key, value == null ? "" : value);
      if (earlier != null && !earlier.equals(value)) {
        throw invalid("Duplicate parameter keys with different values in one batch: '" + key + "'");
      }
    }
    Map<String, String> tagMap = new LinkedHashMap<>();
    for (JsonNode t : tags) tagMap.put(MlflowRequest.keyOf(t, "tags"), MlflowRequest.text(t, "value"));
    registry.logBatch(runId, points, paramMap, tagMap);
    String name = tagMap.get(Tags.MLFLOW_RUN_NAME);
    if (name != null && !name.isEmpty()) registry.setRunName(runId, name);
    return empty();
  }

  private static double parseDouble(String text) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw invalid("Invalid metric value '" + text + "': expected a number");
    }
  }

  private static void limit(int got, int max, String what) {
    if (got > max) {
      throw invalid("A batch logging request can contain at most " + max + " " + what + ". Got " + got + " " + what
          + ". Please split up " + what + " across multiple requests and try again.");
    }
  }

  /** MLflow's DatasetInput: a dataset (name, digest, source type, source) with a context tag. */
  private Response logInputs(Request r) {
    MlflowRequest q = new MlflowRequest(r);
    String runId = runId(q);
    List<DatasetRef> refs = new ArrayList<>();
    for (JsonNode input : q.objects("datasets")) {
      JsonNode dataset = input.get("dataset");
      if (dataset == null || !dataset.isObject()) throw invalid("every dataset input needs a 'dataset'");
      String name = MlflowRequest.text(dataset, "name");
      if (name == null || name.isEmpty()) throw MlflowRequest.missing("dataset.name");
      String context = null;
      JsonNode tags = input.get("tags");
      if (tags != null && tags.isArray()) {
        for (JsonNode t : tags) {
          if (Tags.MLFLOW_DATASET_CONTEXT.equals(MlflowRequest.text(t, "key"))) context = MlflowRequest.text(t, "value");
        }
      }
      refs.add(datasetRef(name, MlflowRequest.text(dataset, "digest"), MlflowRequest.text(dataset, "source_type"),
          MlflowRequest.text(dataset, "source"), context));
    }
    for (DatasetRef ref : refs) registry.logInput(runId, ref);
    return empty();
  }

  /** A Delta table source (its path and version in the source JSON) or any other source as a file-like reference. */
  static DatasetRef datasetRef(String name, String digest, String sourceType, String source, String context) {
    String path = source;
    Long version = null;
    if (source != null && source.trim().startsWith("{")) {
      try {
        JsonNode s = new com.fasterxml.jackson.databind.ObjectMapper().readTree(source);
        for (String k : List.of("path", "uri", "url", "delta_table_name", "table_name")) {
          if (s.hasNonNull(k)) {
            path = s.get(k).asText();
            break;
          }
        }
        if (s.hasNonNull("delta_table_version")) version = s.get("delta_table_version").asLong();
      } catch (java.io.IOException e) {
        throw invalid("dataset '" + name + "': its source is not JSON: " + e.getMessage());
      }
    }
    if (path == null || path.isEmpty()) path = name;
    boolean delta = sourceType != null && sourceType.toLowerCase(Locale.ROOT).contains("delta") && version != null;
    return delta ? DatasetRef.delta(name, path, version, context) : DatasetRef.file(name, path, digest, context);
  }

  private Response searchRuns(Request r) {
    MlflowRequest q = new MlflowRequest(r);
    SearchRunsRequest s = SearchRunsRequest.in(q.strings("experiment_ids"))
        .filter(q.string("filter"))
        .orderBy(q.strings("order_by").toArray(String[]::new))
        .maxResults(q.intValue("max_results", SearchRunsRequest.DEFAULT_MAX_RESULTS, SearchRunsRequest.MAX_MAX_RESULTS))
        .viewType(viewType(q.string("run_view_type")));
    String token = q.string("page_token");
    if (token != null && !token.isEmpty()) s.pageToken(token);
    RunPage page = registry.searchRuns(s);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runs", page.runs().stream().map(MlflowJson::run).toList());
    if (page.nextPageToken() != null) out.put("next_page_token", page.nextPageToken());
    return ok(out);
  }

  /**
   * A metric's history by step then time. Without max_results it is whole, as MLflow's own stores
   * answer; with it, pages of that many points and a next_page_token. MLflow's Java client (2.17)
   * always sends max_results=25000 yet fails on a second page (it appends to the immutable list of
   * the first), and MLflow's own server never pages this call: that client gets the history whole.
   */
  private Response metricHistory(Request r) {
    MlflowRequest q = new MlflowRequest(r);
    String runId = runId(q);
    String key = q.required("metric_key");
    List<Metric> all = registry.getMetricHistory(runId, key);
    String agent = r.header("User-Agent");
    boolean javaClient = agent != null && agent.startsWith("mlflow-java-client");
    Long max = javaClient ? null : q.longValue("max_results");
    if (max == null) return ok(Map.of("metrics", all.stream().map(MlflowJson::metric).toList()));
    int size = q.intValue("max_results", MAX_HISTORY_PAGE, MAX_HISTORY_PAGE);
    return ok(MlflowApi.page(all, q.string("page_token"), "history|" + runId + "|" + key, size, "metrics",
        MlflowJson::metric));
  }

  private Response listArtifacts(Request r) {
    MlflowRequest q = new MlflowRequest(r);
    RunInfo info = registry.getRunInfo(runId(q));
    String path = q.string("path");
    List<Object> files = new ArrayList<>();
    for (ArtifactInfo a : registry.listArtifacts(info.runId(), path)) files.add(MlflowJson.fileInfo(a, a.path()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("root_uri", MlflowJson.runArtifactUri(info));
    out.put("files", files);
    return ok(out);
  }
}
