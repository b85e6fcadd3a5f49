package io.omelet.ui;


import com.fasterxml.jackson.databind.JsonNode;
import io.omelet.registry.ArtifactInfo;
import io.omelet.registry.DatasetRef;
import io.omelet.registry.Experiment;
import io.omelet.registry.Metric;
import io.omelet.registry.ModelVersion;
import io.omelet.registry.NotFoundException;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletRegistry.ExperimentActivity;
import io.omelet.registry.RegisteredModel;
import io.omelet.registry.RegistryException;
import io.omelet.registry.Run;
import io.omelet.registry.RunInfo;
import io.omelet.registry.RunPage;
import io.omelet.registry.SearchRunsRequest;
import io.omelet.registry.ViewType;
import io.omelet.registry.search.FilterSyntaxException;
import io.omelet.ui.WebServer.HttpError;
import io.omelet.ui.WebServer.Request;
import io.omelet.ui.WebServer.Response;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The UI's JSON API under {@code /api/} (the pages use it; so can scripts). Reads go straight to
 * {@link OmeletRegistry}; run lists come from its search index, paged and sorted there. Writes
 * (moving or deleting an alias) exist only when the server was started with writes allowed, and
 * need the session token in {@code X-Omelet-Token}: a page on another site cannot send that
 * header without a CORS approval this server never gives, nor read the token.
 */
final class UiApi {
  static final String TOKEN_HEADER = "X-Omelet-Token";
  /** Longest metric history served as is; longer ones are downsampled to the chart's width. */
  static final int MAX_POINTS = 5000;

  private final OmeletRegistry registry;
  private final boolean writes;
  private final String token;

  UiApi(OmeletRegistry registry, boolean writes, String token) {
    this.registry = registry;
    this.writes = writes;
    this.token = token;
  }

  void mount(WebServer server) {
    server.route("GET", "/api/session", r -> Response.json(session()))
        .route("GET", "/api/experiments", r -> Response.json(experiments(r)))
        .route("GET", "/api/experiments/{id}", r -> Response.json(experiment(r.path("id"))))
        .route("GET", "/api/runs", this::runs)
        .route("GET", "/api/runs/{id}", r -> Response.json(run(r.path("id"))))
        .route("GET", "/api/metric-history", r -> Response.json(history(r)))
        .route("GET", "/api/artifacts", r -> Response.json(artifacts(r)))
        .route("GET", "/api/artifact", this::artifact)
        .route("GET", "/api/compare", r -> Response.json(compare(r)))
        .route("GET", "/api/models", r -> Response.json(models()))
        .route("GET", "/api/models/{name}", r -> Response.json(model(r.path("name"))))
        .route("PUT", "/api/models/{name}/aliases/{alias}", r -> Response.json(setAlias(r)))
        .route("DELETE", "/api/models/{name}/aliases/{alias}", r -> Response.json(deleteAlias(r)));
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

  // ---------------------------------------------------------------- runs

  private Response runs(Request r) {
    List<String> ids = new ArrayList<>(r.query().getOrDefault("experiment_id", List.of()));
    ids.removeIf(String::isBlank);
    if (ids.isEmpty()) ids = registry.listExperiments(ViewType.ACTIVE_ONLY).stream().map(Experiment::experimentId).toList();
    SearchRunsRequest req = SearchRunsRequest.in(ids).viewType(viewType(r.query("view")))
        .maxResults(r.queryInt("max_results", 50, 1, 1000));
    String filter = r.query("filter");
    if (filter != null && !filter.isBlank()) req.filter(filter);
    List<String> order = r.query().getOrDefault("order_by", List.of()).stream().filter(s -> !s.isBlank()).toList();
    if (!order.isEmpty()) req.orderBy(order.toArray(new String[0]));
    String page = r.query("page_token");
    if (page != null && !page.isBlank()) req.pageToken(page);
    RunPage result;
    try {
      result = registry.searchRuns(req);
    } catch (FilterSyntaxException e) {
      // for the filter box: the message, and where the error is
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("error", e.getMessage());
      m.put("error_code", "INVALID_PARAMETER_VALUE");
      m.put("position", e.position());
      m.put("expected", e.expected());
      return Response.json(400, m);
    } catch (RegistryException e) {
      if (e instanceof NotFoundException) throw HttpError.notFound(e.getMessage());
      throw HttpError.badRequest(e.getMessage());
    }
    // an unknown experiment is told from an empty one only when nothing matched (a lookup is a job)
    if (result.runs().isEmpty()) for (String id : ids) found(() -> registry.getExperiment(id), "experiment", id);
    TreeSet<String> metrics = new TreeSet<>(), params = new TreeSet<>(), tags = new TreeSet<>();
    List<Map<String, Object>> runs = new ArrayList<>();
    for (Run run : result.runs()) {
      runs.add(runJson(run));
      metrics.addAll(run.data().metrics().keySet());
      params.addAll(run.data().params().keySet());
      tags.addAll(run.data().tags().keySet());
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runs", runs);
    m.put("next_page_token", result.nextPageToken());
    m.put("columns", Map.of("metrics", metrics, "params", params, "tags", tags));
    return Response.json(m);
  }

  private Map<String, Object> run(String id) {
    Run run = found(() -> registry.getRun(id), "run", id);
    Map<String, Object> m = runJson(run);
    List<Map<String, Object>> children = new ArrayList<>();
    for (RunInfo c : registry.listChildRuns(id)) children.add(infoJson(c));
    m.put("children", children);
    String parent = run.info().parentRunId();
    if (parent != null) {
      try {
        m.put("parent", infoJson(registry.getRunInfo(parent)));
      } catch (NotFoundException e) {
        m.put("parent", Map.of("run_id", parent, "missing", true));
      }
    }
    Experiment e = registry.getExperiment(run.info().experimentId());
    m.put("experiment_name", e.name());
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (DatasetRef d : run.data().inputs()) {
      Map<String, Object> in = new LinkedHashMap<>();
      in.put("name", d.name());
      in.put("kind", d.kind().name());
      in.put("path", d.path());
      in.put("version", d.version());
      in.put("digest", d.digest());
      in.put("context", d.context());
      in.put("reproduce", reproduce(d));
      inputs.add(in);
    }
    m.put("inputs", inputs);
    return m;
  }

  /** A snippet that reads exactly the rows the run read. */
  static String reproduce(DatasetRef d) {
    if (d.kind() == DatasetRef.Kind.DELTA && d.version() != null) {
      return "spark.read.format(\"delta\").option(\"versionAsOf\", " + d.version() + ").load(\"" + d.path() + "\")";
    }
    return "spark.read.option(\"header\", \"true\").csv(\"" + d.path() + "\")  // SHA-256 " + d.digest();
  }

  static Map<String, Object> runJson(Run run) {
    Map<String, Object> m = infoJson(run.info());
    Map<String, Object> metrics = new LinkedHashMap<>();
    for (Metric x : run.data().metrics().values()) metrics.put(x.key(), finite(x.value()));
    m.put("metrics", metrics);
    m.put("params", run.data().params());
    m.put("tags", run.data().tags());
    // what it was trained on, for the runs table: the inputs' names (a Delta table with its version)
    m.put("dataset", String.join(", ", run.data().inputs().stream()
        .map(d -> d.version() != null ? d.name() + " v" + d.version() : d.name()).toList()));
    return m;
  }

  static Map<String, Object> infoJson(RunInfo i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", i.runId());
    m.put("experiment_id", i.experimentId());
    m.put("run_name", i.runName());
    m.put("user_id", i.userId());
    m.put("source", i.source());
    m.put("status", i.status().name());
    m.put("start_time", i.startTime());
    m.put("end_time", i.endTime());
    m.put("duration_ms", i.endTime() == null ? null : i.endTime() - i.startTime());
    m.put("parent_run_id", i.parentRunId());
    m.put("lifecycle_stage", i.lifecycleStage());
    return m;
  }

  /** JSON has no NaN or infinities: those go out as strings, as MLflow's UI shows them. */
  private static Object finite(double v) {
    return Double.isFinite(v) ? (Object) v : Double.toString(v);
  }

  // ---------------------------------------------------------------- metric history

  private Map<String, Object> history(Request r) {
    List<String> runIds = r.query().getOrDefault("run_id", List.of());
    String key = r.query("key");
    if (runIds.isEmpty() || key == null || key.isBlank()) throw HttpError.badRequest("run_id and key are required");
    String axis = r.query("x", "step").toLowerCase(Locale.ROOT);
    if (!List.of("step", "time", "relative").contains(axis)) {
      throw HttpError.badRequest("x must be step, time or relative, got '" + axis + "'");
    }
    int points = r.queryInt("points", 1000, 3, MAX_POINTS);
    List<Map<String, Object>> series = new ArrayList<>();
    for (String id : runIds) {
      // the registry says when the run does not exist; the page knows the run's name already
      List<Metric> h = new ArrayList<>(found(() -> registry.getMetricHistory(id, key), "run", id));
      Comparator<Metric> order = axis.equals("step") ? Comparator.comparingLong(Metric::step).thenComparingLong(Metric::timestamp)
          : Comparator.comparingLong(Metric::timestamp).thenComparingLong(Metric::step);
      h.sort(order);
      int n = h.size();
      double[] x = new double[n], y = new double[n];
      long t0 = n == 0 ? 0 : h.get(0).timestamp();
      for (int i = 0; i < n; i++) {
        Metric p = h.get(i);
        x[i] = switch (axis) {
          case "step" -> p.step();
          case "time" -> p.timestamp();
          default -> (p.timestamp() - t0) / 1000.0;
        };
        y[i] = p.value();
      }
      int[] kept = Lttb.downsample(x, y, points);
      List<Object> xs = new ArrayList<>(kept.length), ys = new ArrayList<>(kept.length);
      for (int i : kept) {
        xs.add(x[i]);
        ys.add(finite(y[i]));
      }
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("run_id", id);
      s.put("points", n);
      s.put("x", xs);
      s.put("y", ys);
      series.add(s);
    }
    return Map.of("key", key, "x", axis, "series", series);
  }

  // ---------------------------------------------------------------- artifacts

  private List<Map<String, Object>> artifacts(Request r) {
    String id = requiredQuery(r, "run_id");
    String path = r.query("path", "");
    RunInfo info = found(() -> registry.getRunInfo(id), "run", id);
    confined(info, path);
    List<ArtifactInfo> list;
    try {
      list = registry.listArtifacts(id, path.isEmpty() ? null : path);
    } catch (RegistryException e) {
      throw HttpError.notFound("no artifact folder '" + path + "' in run " + id);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (ArtifactInfo a : list) {
      if (a.isDir() || confinedQuietly(info, a.path())) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", a.path());
        m.put("is_dir", a.isDir());
        m.put("file_size", a.fileSize());
        out.add(m);
      }
    }
    return out;
  }

  private Response artifact(Request r) {
    String id = requiredQuery(r, "run_id");
    String path = requiredQuery(r, "path");
    RunInfo info = found(() -> registry.getRunInfo(id), "run", id);
    confined(info, path);
    byte[] bytes;
    try {
      bytes = registry.readArtifact(id, path);
    } catch (RegistryException | java.io.UncheckedIOException e) {
      throw HttpError.notFound("no artifact '" + path + "' in run " + id);
    }
    String type = ArtifactTypes.contentType(path);
    Response resp = new Response(200, type, bytes, Map.of())
        // a user's HTML or SVG runs in a sandbox: no scripts, no same-origin access to this UI
        .withHeader("Content-Security-Policy", "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    String name = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
    if ("1".equals(r.query("download"))) resp = resp.withHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
    return resp;
  }

  /** Refuses artifact paths that leave the run's folder, symbolic links included: 404, as for a missing file. */
  private static void confined(RunInfo info, String path) {
    if (!confinedQuietly(info, path)) throw HttpError.notFound("no artifact '" + path + "' in run " + info.runId());
  }

  private static boolean confinedQuietly(RunInfo info, String path) {
    if (path == null || path.isEmpty()) return true;
    if (path.startsWith("/") || path.startsWith("\\") || path.contains("\0") || path.contains(":")) return false;
    for (String part : path.split("[/\\\\]")) if (part.equals("..")) return false;
    URI root = URI.create(info.artifactUri());
    if (!"file".equals(root.getScheme())) return true; // HDFS, S3: no symbolic links to follow out
    try {
      Path base = Path.of(root).toRealPath();
      Path target = Path.of(root).resolve(path);
      if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return true; // the registry says 404
      return target.toRealPath().startsWith(base);
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- compare

  private Map<String, Object> compare(Request r) {
    List<String> ids = r.query().getOrDefault("run_id", List.of());
    if (ids.size() < 2) throw HttpError.badRequest("compare needs two or more run_id parameters");
    if (ids.size() > 50) throw HttpError.badRequest("compare takes at most 50 runs, got " + ids.size());
    List<Run> runs = new ArrayList<>();
    for (String id : ids) runs.add(found(() -> registry.getRun(id), "run", id));
    TreeSet<String> paramKeys = new TreeSet<>(), metricKeys = new TreeSet<>();
    for (Run run : runs) {
      paramKeys.addAll(run.data().params().keySet());
      metricKeys.addAll(run.data().metrics().keySet());
    }
    List<Map<String, Object>> params = new ArrayList<>(), metrics = new ArrayList<>();
    for (String k : paramKeys) {
      List<Object> values = new ArrayList<>();
      for (Run run : runs) values.add(run.data().params().get(k));
      params.add(Map.of("key", k, "values", values, "differs", values.stream().distinct().count() > 1));
    }
    for (String k : metricKeys) {
      List<Object> values = new ArrayList<>();
      for (Run run : runs) {
        Metric m = run.data().metrics().get(k);
        values.add(m == null ? null : finite(m.value()));
      }
      metrics.add(Map.of("key", k, "values", values, "differs", values.stream().distinct().count() > 1));
    }
    List<Map<String, Object>> infos = new ArrayList<>();
    for (Run run : runs) infos.add(runJson(run));
    return Map.of("runs", infos, "params", params, "metrics", metrics);
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

  // ---------------------------------------------------------------- helpers

  private static ViewType viewType(String v) {
    if (v == null || v.isBlank() || v.equalsIgnoreCase("active")) return ViewType.ACTIVE_ONLY;
    if (v.equalsIgnoreCase("deleted")) return ViewType.DELETED_ONLY;
    if (v.equalsIgnoreCase("all")) return ViewType.ALL;
    throw HttpError.badRequest("view must be active, deleted or all, got '" + v + "'");
  }

  private static String requiredQuery(Request r, String name) {
    String v = r.query(name);
    if (v == null || v.isBlank()) throw HttpError.badRequest(name + " is required");
    return v;
  }

  /** The thing, or a 404 that names it. */
  private static <T> T found(Supplier<T> get, String what, String id) {
    T t;
    try {
      t = get.get();
    } catch (RegistryException e) {
      // not found, or an id no run, experiment or model could have: either way there is none
      throw HttpError.notFound("no " + what + " '" + id + "'");
    }
    if (t == null) throw HttpError.notFound("no " + what + " '" + id + "'");
    return Objects.requireNonNull(t);
  }
}
