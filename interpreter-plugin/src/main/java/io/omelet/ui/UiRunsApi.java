package io.omelet.ui;

import static io.omelet.ui.UiLookups.finite;
import static io.omelet.ui.UiLookups.found;
import static io.omelet.ui.UiLookups.viewType;

import io.omelet.http.HttpError;
import io.omelet.http.HttpService;
import io.omelet.http.Request;
import io.omelet.http.Response;
import io.omelet.registry.DatasetRef;
import io.omelet.registry.Experiment;
import io.omelet.registry.Metric;
import io.omelet.registry.NotFoundException;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RegistryException;
import io.omelet.registry.Run;
import io.omelet.registry.RunInfo;
import io.omelet.registry.RunPage;
import io.omelet.registry.SearchRunsRequest;
import io.omelet.registry.ViewType;
import io.omelet.registry.search.FilterSyntaxException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The runs part of the UI's JSON API: run lists from the registry's search index (paged and
 * sorted there), one run with its children and inputs, metric histories downsampled for charts,
 * and runs compared side by side.
 */
final class UiRunsApi {
  /** Longest metric history served as is; longer ones are downsampled to the chart's width. */
  static final int MAX_POINTS = 5000;

  private final OmeletRegistry registry;

  UiRunsApi(OmeletRegistry registry) {
    this.registry = registry;
  }

  void mount(HttpService server) {
    server.route("GET", "/api/runs", this::runs)
        .route("GET", "/api/runs/{id}", r -> Response.json(run(r.path("id"))))
        .route("GET", "/api/metric-history", r -> Response.json(history(r)))
        .route("GET", "/api/compare", r -> Response.json(compare(r)));
  }

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

}
