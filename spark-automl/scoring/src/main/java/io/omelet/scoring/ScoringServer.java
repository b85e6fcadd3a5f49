package io.omelet.scoring;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omelet.http.HttpError;
import io.omelet.http.HttpService;
import io.omelet.http.Request;
import io.omelet.http.Response;
import io.omelet.http.Route;
import io.omelet.inference.InferenceLog;
import io.omelet.inference.RequestIds;
import io.omelet.registry.OmeletRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Serves one model URI over HTTP: {@code POST /predict} (one row, an array of rows or
 * {@code {"rows": [...]}}; {@code ?explain=true} adds SHAP contributions), {@code GET /model},
 * {@code GET /health}, {@code POST /reload} (from loopback only) and {@code GET /metrics}
 * (Prometheus's text format, {@link ServingMetrics}), on the {@link HttpService} core (deadlines,
 * connection bound, admission of /predict, body limit, JSON errors).
 *
 * <p>Each /predict request has an id: the client's {@code X-Request-Id} (400 when longer than 128
 * characters or holding a control character) or a generated one, answered in the same header.
 * When the config asks for it, every row served (failed ones too) goes to the model's inference
 * table through an {@link InferenceLog}: a queue the request never waits on.
 *
 * <p>Requests never start a Spark job: rows are scored by h2o-genmodel on the worker thread, with
 * one scorer per thread. Spark is only used to resolve the URI in the registry, at start and on
 * reload ({@link ModelReloads}).
 */
public final class ScoringServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  /** How long a POST /reload waits for its reload before answering 202. */
  static final long RELOAD_WAIT_MS = 30_000;

  private final ServerConfig config;
  private final ModelReloads model;
  private final PredictionLog log;
  private final HttpService http;
  private final ServingMetrics metrics;
  /** Requests scoring at once: one per configured thread; the rest of a request holds no permit. */
  private final Semaphore scoring;
  /** Fault injection for tests: runs before each request is routed; null in service. */
  volatile Consumer<Request> beforeRoute;

  private ScoringServer(OmeletRegistry registry, ServerConfig config, LoadedModel first, InferenceLog inferences)
      throws IOException {
    this.config = config;
    this.scoring = new Semaphore(config.threads());
    this.log = new PredictionLog(inferences);
    this.model = new ModelReloads(registry, config.modelUri(), first, config.reloadInterval(),
        next -> {
          if (inferences != null) inferences.modelChanged(next);
        });
    try {
      this.metrics = new ServingMetrics(model, () -> inferences);
      this.http = new HttpService("omelet-serve", config.host(), config.port(), config.threads(), config.maxBodyBytes())
          .guard(r -> {
            Consumer<Request> fault = beforeRoute;
            if (fault != null) fault.accept(r);
          })
          .route("POST", "/predict", this::predict)
          .route(Route.of("GET", "/model", r -> json(g -> ServingJson.model(g, model.current()))).withoutAdmission())
          .route(Route.of("GET", "/health", r -> json(this::health)).withoutAdmission())
          .route(Route.of("POST", "/reload", this::reloadRequested).withoutAdmission())
          .route(Route.of("GET", "/metrics", r -> metrics.scrape()).withoutAdmission())
          .observe(metrics)
          .start();
    } catch (IOException | RuntimeException e) {
      model.close();
      if (inferences != null) inferences.close();
      throw e;
    }
  }

  /**
   * Resolves and loads {@code config.modelUri()} through {@link ModelLoader} and starts serving it.
   * Fails before listening if the URI does not resolve (the message names the model, alias or
   * version) or the address cannot be bound, and, when the config asks for an inference log, if
   * the URI is not a registered model's or its table cannot be written (the message says which).
   */
  public static ScoringServer start(OmeletRegistry registry, ServerConfig config) throws IOException {
    Objects.requireNonNull(registry, "registry");
    LoadedModel first = ModelLoader.load(registry, config.modelUri());
    InferenceLog inferences = config.inferenceLog() == null ? null
        : InferenceLog.start(registry.spark(), registry.root(), first, config.inferenceLog());
    return new ScoringServer(registry, config, first, inferences);
  }

  /** The bound port (the chosen one when the config asked for 0). */
  public int port() {
    return http.port();
  }

  public String host() {
    return config.host();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:8080/}. */
  public URI uri() {
    return http.uri();
  }

  public ServerConfig config() {
    return config;
  }

  /** The model being served now. */
  public LoadedModel model() {
    return model.current().loaded;
  }

  /**
   * Resolves the URI again and, if it now points at another version (or location), swaps the
   * served model. Returns whether it changed. Fails (keeping the served model) if the URI no longer
   * resolves.
   */
  public boolean reload() {
    return model.reload();
  }

  /** The inference log, or null when this server does not keep one. */
  public InferenceLog inferenceLog() {
    return log.inferences();
  }

  /**
   * Stops listening (requests in progress get a second to finish), stops the threads, then writes
   * what the inference log still holds.
   */
  @Override
  public void close() {
    http.close();
    model.close();
    if (log.inferences() != null) log.inferences().close();
  }

  /** Admission places free now (for tests). */
  int admissionsFree() {
    return http.admission().free();
  }

  private static Response json(ServingJson.Fields fields) {
    return Response.jsonBytes(200, ServingJson.object(fields));
  }

  private Response predict(Request r) {
    long start = System.nanoTime();
    Instant at = Instant.now();
    ServedModel served = model.current();
    String id;
    try {
      id = RequestIds.fromHeader(r.header(RequestIds.HEADER));
    } catch (IllegalArgumentException e) {
      String fresh = RequestIds.generate();
      HttpError error = HttpError.badRequest(e.getMessage());
      log.failed(fresh, at, served, null, micros(start), error);
      throw error.withHeader(RequestIds.HEADER, fresh);
    }
    List<JsonNode> nodes = null;
    try {
      boolean explain = explainRequested(r);
      if (explain && !served.explainable) {
        throw HttpError.badRequest("explain=true: " + served.loaded.describe() + ": "
            + RowContributions.unsupportedReasonForClass(served.loaded.mojo()));
      }
      nodes = bodyRows(parse(r.body()));
      double[][] rows = modelRows(served, nodes);
      double[][] scores = new double[rows.length][];
      byte[] body;
      // Scored under a permit (CPU); written after it is released (a slow reader holds no permit).
      acquireScoring();
      try {
        ServedModel.Worker w = served.worker();
        for (int i = 0; i < rows.length; i++) scores[i] = w.scorer.score(rows[i]).clone();
        body = ServingJson.object(g -> ServingJson.predictions(g, served, rows, scores, explain));
      } finally {
        scoring.release();
      }
      metrics.rowsScored(rows.length);
      log.scored(id, at, served, nodes, scores, micros(start));
      return Response.jsonBytes(200, body).withHeader(RequestIds.HEADER, id);
    } catch (HttpError e) {
      log.failed(id, at, served, nodes, micros(start), e);
      throw e.withHeader(RequestIds.HEADER, id);
    } catch (RuntimeException e) {
      // answered as a 500 with an error id by the HTTP core, which logs the detail
      log.failed(id, at, served, nodes, micros(start),
          new HttpError(500, "INTERNAL_ERROR", "internal error: " + e.getClass().getSimpleName()));
      throw e;
    }
  }

  private static long micros(long startNanos) {
    return (System.nanoTime() - startNanos) / 1000;
  }

  private void acquireScoring() {
    try {
      scoring.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "TEMPORARILY_UNAVAILABLE", "the server is stopping");
    }
  }

  /** {@code explain=true} or {@code 1}; a bare {@code explain} counts as true. */
  private static boolean explainRequested(Request r) {
    List<String> v = r.query().get("explain");
    if (v == null || v.isEmpty()) return false;
    String first = v.get(0);
    return first.isEmpty() || first.equalsIgnoreCase("true") || first.equals("1");
  }

  private static JsonNode parse(byte[] body) {
    JsonNode node;
    try {
      node = body.length == 0 ? null : JSON.readTree(body);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw HttpError.badRequest("bad JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw HttpError.badRequest("the body cannot be read: " + e.getMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw HttpError.badRequest("empty body: expected one row (a JSON object), an array of rows or {\"rows\": [...]}");
    }
    return node;
  }

  /** The body's rows (one object, an array or {@code {"rows": [...]}}); 400 when it holds none. */
  private static List<JsonNode> bodyRows(JsonNode body) {
    try {
      return JsonRows.rows(body);
    } catch (JsonRows.RowException e) {
      throw rowError(e);
    }
  }

  /** The model's input rows; 400 or 422 naming the row and fields that do not fit. */
  private static double[][] modelRows(ServedModel served, List<JsonNode> nodes) {
    try {
      double[][] rows = new double[nodes.size()][];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = JsonRows.newRow(served);
        JsonRows.fill(served, nodes.get(i), i, rows[i]);
      }
      return rows;
    } catch (JsonRows.RowException e) {
      throw rowError(e);
    }
  }

  private static HttpError rowError(JsonRows.RowException e) {
    HttpError error = new HttpError(e.status, "INVALID_PARAMETER_VALUE", e.getMessage());
    if (e.row >= 0) error.withDetail("row", e.row);
    if (!e.fields.isEmpty()) error.withDetail("fields", e.fields);
    return error;
  }

  private void health(JsonGenerator g) throws IOException {
    ServedModel served = model.current();
    g.writeStringField("status", "ok");
    ServingJson.modelRef(g, served);
    g.writeStringField("loaded_at", served.loadedAt.toString());
    g.writeStringField("last_reload_check", model.lastCheck().toString());
    String error = model.lastError();
    if (error != null) g.writeStringField("last_reload_error", error);
    InferenceLog inferences = log.inferences();
    if (inferences != null) {
      g.writeObjectFieldStart("inference_log");
      g.writeStringField("table", inferences.tablePath());
      g.writeNumberField("sample_fraction", inferences.sampleFraction());
      g.writeNumberField("logged_rows", inferences.loggedRows());
      g.writeNumberField("dropped_rows", inferences.droppedRows());
      g.writeNumberField("sampled_out_rows", inferences.sampledOutRows());
      g.writeNumberField("queue_depth", inferences.queueDepth());
      g.writeNumberField("flushes", inferences.flushes());
      g.writeNumberField("failed_flushes", inferences.failedFlushes());
      g.writeEndObject();
    }
  }

  private Response reloadRequested(Request r) {
    if (!r.remote().getAddress().isLoopbackAddress()) {
      throw new HttpError(403, "PERMISSION_DENIED", "POST /reload is accepted from loopback only");
    }
    CompletableFuture<Boolean> pending = model.request();
    if (pending == null) {
      throw new HttpError(429, "TOO_MANY_REQUESTS", "a reload ran less than " + ModelReloads.MIN_RELOAD_INTERVAL_MS
          + " ms ago; try again in a second").withHeader("Retry-After", "1");
    }
    boolean changed;
    try {
      changed = pending.get(RELOAD_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      String why = e.getCause() == null ? String.valueOf(e) : e.getCause().getMessage();
      model.failed(why);
      throw new HttpError(409, "RELOAD_FAILED", "reload failed, still serving " + model().describe() + ": " + why);
    } catch (TimeoutException e) {
      return Response.jsonBytes(202, ServingJson.object(
          g -> g.writeStringField("status", "reloading: GET /health tells when it is done")));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "TEMPORARILY_UNAVAILABLE", "the server is stopping");
    }
    return json(g -> {
      g.writeBooleanField("changed", changed);
      ServingJson.modelRef(g, model.current());
    });
  }
}
