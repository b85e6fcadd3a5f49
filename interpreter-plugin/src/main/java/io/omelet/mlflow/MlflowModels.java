package io.omelet.mlflow;

import static io.omelet.mlflow.MlflowApi.empty;
import static io.omelet.mlflow.MlflowApi.ok;
import static io.omelet.mlflow.MlflowRequest.invalid;

import io.omelet.registry.ModelVersion;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RegisteredModel;
import io.omelet.registry.RunInfo;
import io.omelet.registry.search.Field;
import io.omelet.registry.search.FilterParser.Vocabulary;
import io.omelet.http.Request;
import io.omelet.http.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** MLflow's model registry calls (registered models, versions, aliases) on the registry. */
final class MlflowModels {
  static final Vocabulary MODELS = Vocabulary.of("registered models", "name", "creation_timestamp",
      "last_updated_timestamp");
  static final Vocabulary VERSIONS = Vocabulary.of("model versions", "name", "version_number", "run_id", "source_path",
      "creation_timestamp", "last_updated_timestamp", "current_stage", "status");
  static final int MAX_MODELS_PAGE = 1000;
  static final int MAX_VERSIONS_PAGE = 200_000;

  private final MlflowApi api;
  private final OmeletRegistry registry;

  MlflowModels(MlflowApi api) {
    this.api = api;
    this.registry = api.registry;
  }

  void mount() {
    api.write("POST", "/registered-models/create", r -> {
      MlflowRequest q = new MlflowRequest(r);
      RegisteredModel m = registry.createRegisteredModel(q.required("name"), q.string("description"), q.keyValues("tags"));
      return ok(Map.of("registered_model", MlflowJson.registeredModel(m, List.of())));
    });
    api.read("GET", "/registered-models/get", r -> ok(Map.of("registered_model", model(new MlflowRequest(r).required("name")))));
    api.read("GET", "/registered-models/search", this::searchModels);
    api.write("POST", "/registered-models/rename", r -> {
      MlflowRequest q = new MlflowRequest(r);
      RegisteredModel m = registry.renameRegisteredModel(q.required("name"), q.required("new_name"));
      return ok(Map.of("registered_model", MlflowJson.registeredModel(m, registry.listModelVersions(m.name()))));
    });
    api.write("PATCH", "/registered-models/update", r -> {
      MlflowRequest q = new MlflowRequest(r);
      String name = q.required("name");
      registry.updateRegisteredModel(name, q.string("description"));
      return ok(Map.of("registered_model", model(name)));
    });
    api.write("DELETE", "/registered-models/delete", r -> {
      registry.deleteRegisteredModel(new MlflowRequest(r).required("name"));
      return empty();
    });
    api.write("POST", "/registered-models/set-tag", r -> {
      MlflowRequest q = new MlflowRequest(r);
      registry.setRegisteredModelTag(q.required("name"), q.required("key"), value(q));
      return empty();
    });
    api.write("POST", "/registered-models/alias", r -> {
      MlflowRequest q = new MlflowRequest(r);
      registry.setRegisteredModelAlias(q.required("name"), q.required("alias"), version(q.required("version")));
      return empty();
    });
    api.write("DELETE", "/registered-models/alias", r -> {
      MlflowRequest q = new MlflowRequest(r);
      registry.deleteRegisteredModelAlias(q.required("name"), q.required("alias"));
      return empty();
    });
    api.read("GET", "/registered-models/alias", r -> {
      MlflowRequest q = new MlflowRequest(r);
      return ok(Map.of("model_version",
          MlflowJson.modelVersion(registry.getModelVersionByAlias(q.required("name"), q.required("alias")))));
    });
    api.read("POST", "/registered-models/get-latest-versions", this::latestVersions);
    api.read("GET", "/registered-models/get-latest-versions", this::latestVersions);

    api.write("POST", "/model-versions/create", this::createVersion);
    api.read("GET", "/model-versions/get", r -> {
      MlflowRequest q = new MlflowRequest(r);
      return ok(Map.of("model_version",
          MlflowJson.modelVersion(registry.getModelVersion(q.required("name"), version(q.required("version"))))));
    });
    api.read("GET", "/model-versions/search", this::searchVersions);
    api.write("PATCH", "/model-versions/update", r -> {
      MlflowRequest q = new MlflowRequest(r);
      String name = q.required("name");
      int version = version(q.required("version"));
      registry.updateModelVersion(name, version, q.string("description"));
      return ok(Map.of("model_version", MlflowJson.modelVersion(registry.getModelVersion(name, version))));
    });
    api.write("DELETE", "/model-versions/delete", r -> {
      MlflowRequest q = new MlflowRequest(r);
      registry.deleteModelVersion(q.required("name"), version(q.required("version")));
      return empty();
    });
    api.write("POST", "/model-versions/set-tag", r -> {
      MlflowRequest q = new MlflowRequest(r);
      registry.setModelVersionTag(q.required("name"), version(q.required("version")), q.required("key"), value(q));
      return empty();
    });
    api.read("GET", "/model-versions/get-download-uri", r -> {
      MlflowRequest q = new MlflowRequest(r);
      ModelVersion v = registry.getModelVersion(q.required("name"), version(q.required("version")));
      return ok(Map.of("artifact_uri", MlflowArtifacts.versionUri(v)));
    });
  }

  private static String value(MlflowRequest q) {
    String v = q.string("value");
    if (v == null) throw MlflowRequest.missing("value");
    return v;
  }

  static int version(String text) {
    try {
      int v = Integer.parseInt(text.trim());
      if (v >= 1) return v;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid("Invalid model version '" + text + "': versions are whole numbers from 1");
  }

  private Map<String, Object> model(String name) {
    return MlflowJson.registeredModel(registry.getRegisteredModel(name), registry.listModelVersions(name));
  }

  private static final EntitySearch<RegisteredModel> MODEL_SEARCH = new EntitySearch<>("registered_models", MODELS,
      MlflowModels::modelField, List.of(), List.of(EntitySearch.attribute("name", true)), 100, MAX_MODELS_PAGE);
  private static final EntitySearch<ModelVersion> VERSION_SEARCH = new EntitySearch<>("model_versions", VERSIONS,
      MlflowModels::versionField, List.of(EntitySearch.attribute("last_updated_timestamp", false)),
      List.of(EntitySearch.attribute("name", true), EntitySearch.attribute("version_number", false)), 10_000,
      MAX_VERSIONS_PAGE);

  private Response searchModels(Request r) {
    Map<String, List<ModelVersion>> versions = byModel(registry.listAllModelVersions());
    return ok(MODEL_SEARCH.page(new MlflowRequest(r), registry.listRegisteredModels(), "",
        m -> MlflowJson.registeredModel(m, versions.getOrDefault(m.name(), List.of()))));
  }

  private static Object modelField(RegisteredModel m, Field f) {
    if (f.entity() == Field.Entity.TAG) return m.tags().get(f.key());
    return switch (f.key()) {
      case "name" -> m.name();
      case "creation_timestamp" -> m.creationTime();
      default -> m.lastUpdatedTime();
    };
  }

  private static Map<String, List<ModelVersion>> byModel(List<ModelVersion> all) {
    Map<String, List<ModelVersion>> out = new TreeMap<>();
    for (ModelVersion v : all) out.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(v);
    return out;
  }

  private Response searchVersions(Request r) {
    return ok(VERSION_SEARCH.page(new MlflowRequest(r), registry.listAllModelVersions(), "", MlflowJson::modelVersion));
  }

  private static Object versionField(ModelVersion v, Field f) {
    if (f.entity() == Field.Entity.TAG) return v.tags().get(f.key());
    return switch (f.key()) {
      case "name" -> v.name();
      case "version_number" -> (long) v.version();
      case "run_id" -> v.runId();
      case "source_path" -> v.source();
      case "creation_timestamp" -> v.creationTime();
      case "last_updated_timestamp" -> v.lastUpdatedTime();
      case "current_stage" -> MlflowJson.NO_STAGE;
      default -> v.status();
    };
  }

  /** The newest version, the one "latest" there is with a single stage; a stage list without "None" finds none. */
  private Response latestVersions(Request r) {
    MlflowRequest q = new MlflowRequest(r);
    String name = q.required("name");
    List<String> stages = q.strings("stages");
    List<ModelVersion> versions = registry.listModelVersions(name);
    boolean none = stages.isEmpty() || stages.stream().anyMatch(s -> s.equalsIgnoreCase(MlflowJson.NO_STAGE));
    List<Object> out = new ArrayList<>();
    if (none && !versions.isEmpty()) out.add(MlflowJson.modelVersion(versions.get(versions.size() - 1)));
    return ok(Map.of("model_versions", out));
  }

  /**
   * Registers a run artifact. MLflow clients name it by URI: {@code runs:/<run_id>/<path>}, this
   * server's {@code mlflow-artifacts:/<experiment>/<run>/artifacts/<path>}, or the run's own
   * artifact location; anything outside a run's artifacts cannot be registered here.
   */
  private Response createVersion(Request r) {
    MlflowRequest q = new MlflowRequest(r);
    String name = q.required("name");
    String source = q.required("source");
    String runId = q.string("run_id");
    String[] runAndPath = runArtifact(source, runId == null || runId.isEmpty() ? null : runId);
    ModelVersion v = registry.createModelVersion(name, runAndPath[0], runAndPath[1], q.string("description"),
        q.keyValues("tags"));
    return ok(Map.of("model_version", MlflowJson.modelVersion(v)));
  }

  private String[] runArtifact(String source, String runId) {
    String s = source.trim();
    if (s.startsWith("runs:/")) {
      String rest = s.substring("runs:/".length());
      int slash = rest.indexOf('/');
      if (slash <= 0) throw invalid("source '" + source + "' names no artifact path: use runs:/<run_id>/<path>");
      return checkRun(rest.substring(0, slash), rest.substring(slash + 1), runId, source);
    }
    if (s.startsWith("mlflow-artifacts:")) {
      MlflowArtifacts.RunPath p = MlflowArtifacts.parse(MlflowArtifacts.stripScheme(s));
      if (p == null || p.runId() == null) {
        throw invalid("source '" + source + "' is not inside a run's artifacts (mlflow-artifacts:/<experiment>/<run>/artifacts/<path>)");
      }
      return checkRun(p.runId(), p.path(), runId, source);
    }
    if (runId != null) {
      RunInfo info = registry.getRunInfo(runId);
      String root = info.artifactUri();
      if (s.startsWith(root + "/")) return new String[] {runId, s.substring(root.length() + 1)};
    }
    throw invalid("source '" + source + "' is not a run artifact: register runs:/<run_id>/<path> or the run's "
        + "mlflow-artifacts:/ URI (models stored elsewhere cannot be registered here)");
  }

  private static String[] checkRun(String fromSource, String path, String runId, String source) {
    if (runId != null && !runId.equals(fromSource)) {
      throw invalid("source '" + source + "' belongs to run " + fromSource + ", not to run_id " + runId);
    }
    if (path == null || path.isEmpty()) throw invalid("source '" + source + "' names no artifact inside the run");
    return new String[] {fromSource, path};
  }
}
