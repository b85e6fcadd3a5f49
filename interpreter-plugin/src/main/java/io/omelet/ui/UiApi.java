package io.omelet.ui;

import static io.omelet.ui.UiLookups.found;
import static io.omelet.ui.UiLookups.viewType;

import com.fasterxml.jackson.databind.JsonNode;
import io.omelet.http.HttpError;
import io.omelet.http.HttpService;
import io.omelet.http.Request;
import io.omelet.http.Response;
import io.omelet.registry.Experiment;
import io.omelet.registry.ModelVersion;
import io.omelet.registry.NotFoundException;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletRegistry.ExperimentActivity;
import io.omelet.registry.RegisteredModel;
import io.omelet.registry.RegistryException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The UI's JSON API under {@code /api/} (the pages use it; so can scripts): the session,
 * experiments and registered models here, runs in {@link UiRunsApi}, artifacts in
 * {@link UiArtifactsApi}. Reads go straight to {@link OmeletRegistry}. Writes
 * (moving or deleting an alias) exist only when the server was started with writes allowed, and
 * need the session token in {@code X-Omelet-Token}: a page on another site cannot send that
 * header without a CORS approval this server never gives, nor read the token.
 */
final class UiApi {
  static final String TOKEN_HEADER = "X-Omelet-Token";

  private final OmeletRegistry registry;
  private final boolean writes;
  private final String token;

  UiApi(OmeletRegistry registry, boolean writes, String token) {
    this.registry = registry;
    this.writes = writes;
    this.token = token;
  }

  void mount(HttpService server) {
    server.route("GET", "/api/session", r -> Response.json(session()))
        .route("GET", "/api/experiments", r -> Response.json(experiments(r)))
        .route("GET", "/api/experiments/{id}", r -> Response.json(experiment(r.path("id"))))
        .route("GET", "/api/models", r -> Response.json(models()))
        .route("GET", "/api/models/{name}", r -> Response.json(model(r.path("name"))))
        .route("PUT", "/api/models/{name}/aliases/{alias}", r -> Response.json(setAlias(r)))
        .route("DELETE", "/api/models/{name}/aliases/{alias}", r -> Response.json(deleteAlias(r)));
    new UiRunsApi(registry).mount(server);
    new UiArtifactsApi(registry).mount(server);
  }

  // ---------------------------------------------------------------- session

  private Map<String, Object> session() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("writes", writes);
    m.put("token", writes ? token : null);
    m.put("registry", registry.root());
    return m;
  }

  private void requireWrite(Request r) {
    if (!writes) {
      throw new HttpError(403, "PERMISSION_DENIED", "this server is read-only; start it with --allow-writes to change aliases");
    }
    String sent = r.header(TOKEN_HEADER);
    if (sent == null || !MessageDigest.isEqual(sent.getBytes(), token.getBytes())) {
      throw new HttpError(403, "PERMISSION_DENIED", "a write needs this session's token in " + TOKEN_HEADER);
    }
  }

  // ---------------------------------------------------------------- experiments

  private List<Map<String, Object>> experiments(Request r) {
    List<Experiment> all = registry.listExperiments(viewType(r.query("view")));
    Map<String, ExperimentActivity> activity = registry.experimentActivity(all.stream().map(Experiment::experimentId).toList());
    List<Map<String, Object>> out = new ArrayList<>();
    for (Experiment e : all) out.add(experimentJson(e, activity.get(e.experimentId())));
    out.sort(Comparator.comparing((Map<String, Object> m) -> (Long) m.get("last_activity")).reversed());
    return out;
  }

  private Map<String, Object> experiment(String id) {
    Experiment e = found(() -> registry.getExperiment(id), "experiment", id);
    return experimentJson(e, registry.experimentActivity(List.of(id)).get(id));
  }

  /** An experiment with its run count and last activity ({@code activity} null: no runs). */
  private static Map<String, Object> experimentJson(Experiment e, ExperimentActivity activity) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("experiment_id", e.experimentId());
    m.put("name", e.name());
    m.put("lifecycle_stage", e.lifecycleStage());
    m.put("artifact_location", e.artifactLocation());
    m.put("creation_time", e.creationTime());
    m.put("last_update_time", e.lastUpdateTime());
    m.put("tags", e.tags());
    m.put("run_count", activity == null ? 0L : activity.runs());
    m.put("last_activity", Math.max(e.lastUpdateTime(), activity == null ? 0L : activity.lastActivity()));
    return m;
  }

  // ---------------------------------------------------------------- models

  private List<Map<String, Object>> models() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (RegisteredModel m : registry.listRegisteredModels()) {
      Map<String, Object> j = modelJson(m);
      List<ModelVersion> versions = registry.listModelVersions(m.name());
      j.put("latest_version", versions.stream().mapToInt(ModelVersion::version).max().orElse(0));
      j.put("version_count", versions.size());
      out.add(j);
    }
    return out;
  }

  private Map<String, Object> model(String name) {
    RegisteredModel m = found(() -> registry.getRegisteredModel(name), "registered model", name);
    Map<String, Object> j = modelJson(m);
    List<Map<String, Object>> versions = new ArrayList<>();
    List<ModelVersion> all = new ArrayList<>(registry.listModelVersions(name));
    all.sort(Comparator.comparingInt(ModelVersion::version).reversed());
    for (ModelVersion v : all) {
      Map<String, Object> vj = new LinkedHashMap<>();
      vj.put("version", v.version());
      vj.put("run_id", v.runId());
      vj.put("source", v.source());
      vj.put("status", v.status());
      vj.put("description", v.description());
      vj.put("creation_time", v.creationTime());
      vj.put("aliases", v.aliases());
      vj.put("tags", v.tags());
      versions.add(vj);
    }
    j.put("versions", versions);
    return j;
  }

  private static Map<String, Object> modelJson(RegisteredModel m) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("name", m.name());
    j.put("description", m.description());
    j.put("creation_time", m.creationTime());
    j.put("last_updated_time", m.lastUpdatedTime());
    j.put("tags", m.tags());
    j.put("aliases", m.aliases());
    return j;
  }

  private Map<String, Object> setAlias(Request r) {
    requireWrite(r);
    String name = r.path("name"), alias = r.path("alias");
    found(() -> registry.getRegisteredModel(name), "registered model", name);
    JsonNode body = r.json();
    JsonNode v = body.get("version");
    if (v == null || !v.canConvertToInt() || v.asInt() < 1) throw HttpError.badRequest("the body must be {\"version\": N} with N >= 1");
    int version = v.asInt();
    found(() -> registry.getModelVersion(name, version), "version", name + "/" + version);
    try {
      registry.setRegisteredModelAlias(name, alias, version);
    } catch (NotFoundException e) {
      throw HttpError.notFound(e.getMessage());
    } catch (RegistryException e) {
      throw HttpError.badRequest(e.getMessage());
    }
    return model(name);
  }

  private Map<String, Object> deleteAlias(Request r) {
    requireWrite(r);
    String name = r.path("name"), alias = r.path("alias");
    RegisteredModel m = found(() -> registry.getRegisteredModel(name), "registered model", name);
    if (!m.aliases().containsKey(alias)) throw HttpError.notFound("model " + name + " has no alias '" + alias + "'");
    registry.deleteRegisteredModelAlias(name, alias);
    return model(name);
  }
}
