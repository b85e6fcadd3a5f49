package io.omelet.scoring;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.ResolvedModel;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one model URI over HTTP with the JDK's built-in server: {@code POST /predict} (one row,
 * an array of rows or {@code {"rows": [...]}}; {@code ?explain=true} adds SHAP contributions),
 * {@code GET /model}, {@code GET /health} and {@code POST /reload} (from loopback only).
 *
 * <p>Requests never start a Spark job: rows are scored by h2o-genmodel on the worker thread, with
 * one scorer per thread. Spark is only used to resolve the URI in the registry, at start and on
 * reload. The served model is one immutable generation behind an {@link AtomicReference}: a reload
 * that finds the URI pointing at another version swaps it, and requests in flight finish on the
 * generation they started with.
 */
public final class ScoringServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringServer.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Seconds a client has to send its request (line, headers and body) before the connection is closed. */
  static final int REQUEST_SECONDS = 5;
  /** Seconds from the end of the request to the end of the response; past that the connection is closed. */
  static final int RESPONSE_SECONDS = 30;
  /** Connections open at once; the JDK server closes new ones past this. */
  static final int MAX_CONNECTIONS = 512;
  /** Requests admitted per scoring thread (one scoring, the rest reading their body or waiting); more get 503. */
  static final int ADMITTED_PER_THREAD = 16;

  static {
    // The JDK server reads each property once, when its config class loads: set them before the
    // first server, unless the user set them (-D...) already.
    // Headers and body go out as two segments; with Nagle's algorithm on, the body waits for the
    // client's delayed ACK (~40 ms a request).
    setIfAbsent("sun.net.httpserver.nodelay", "true");
    // The JDK server reads request headers on a worker thread: without a deadline, clients that
    // dribble their headers hold threads forever. With one, the connection is closed after 5 s.
    setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
    setIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(RESPONSE_SECONDS));
    setIfAbsent("sun.net.httpserver.timerMillis", "250");
    setIfAbsent("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
    // Past 200 idle keep-alive connections (the JDK's default) the server closes each connection
    // after its response; a client that already sent its next request on it sees a dropped
    // connection instead of an answer (bin/bench faults: 157 of 40,000 requests at overload).
    setIfAbsent("sun.net.httpserver.maxIdleConnections", Integer.toString(MAX_CONNECTIONS));
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) System.setProperty(key, value);
  }

  private final OmeletRegistry registry;
  private final ServerConfig config;
  private final AtomicReference<ServedModel> current = new AtomicReference<>();
  private final HttpServer http;
  private final ExecutorService workers;
  /** Requests being served or waiting: past this, 503 at once instead of a queue that grows forever. */
  private final Semaphore admitted;
  /** Requests scoring at once: one per configured thread. */
  private final Semaphore scoring;
  private final ScheduledExecutorService reloader;
  private volatile String lastReloadError;
  private volatile Instant lastReloadCheck;
  /** The reload POST /reload started last (joined by requests that come while it runs), and when. */
  private CompletableFuture<Boolean> requestedReload;
  private volatile long requestedReloadEndNanos;
  /** POST /reload runs registry jobs: at most one a second, whatever clients send. */
  static final long MIN_RELOAD_INTERVAL_MS = 1000;
  /** How long a POST /reload waits for its reload before answering 202. */
  static final long RELOAD_WAIT_MS = 30_000;

  private ScoringServer(OmeletRegistry registry, ServerConfig config, LoadedModel first) throws IOException {
    this.registry = registry;
    this.config = config;
    Instant now = Instant.now();
    this.current.set(new ServedModel(first, now));
    this.lastReloadCheck = now;
    this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 256);
    // Threads are cheap while they wait on a socket: one per connection (the JDK server reads
    // headers on them), nothing queued; the scoring itself is bounded by the 'scoring' permits.
    this.workers = new ThreadPoolExecutor(config.threads(), config.threads() + MAX_CONNECTIONS, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), daemons("omelet-serve"), new ThreadPoolExecutor.AbortPolicy());
    this.admitted = new Semaphore(config.threads() * ADMITTED_PER_THREAD);
    this.scoring = new Semaphore(config.threads());
    http.setExecutor(workers);
    http.createContext("/", this::handle);
    // One thread runs every reload, timed or asked for over HTTP: never a request thread.
    reloader = Executors.newSingleThreadScheduledExecutor(daemons("omelet-serve-reload"));
    if (!config.reloadInterval().isZero()) {
      long ms = config.reloadInterval().toMillis();
      reloader.scheduleWithFixedDelay(this::reloadQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }
    http.start();
  }

  /**
   * Resolves and loads {@code config.modelUri()} through {@link ModelLoader} and starts serving it.
   * Fails before listening if the URI does not resolve (the message names the model, alias or
   * version) or the address cannot be bound.
   */
  public static ScoringServer start(OmeletRegistry registry, ServerConfig config) throws IOException {
    Objects.requireNonNull(registry, "registry");
    LoadedModel first = ModelLoader.load(registry, config.modelUri());
    return new ScoringServer(registry, config, first);
  }

  /** The bound port (the chosen one when the config asked for 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  public String host() {
    return config.host();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:8080/}. */
  public URI uri() {
    String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return URI.create("http://" + h + ":" + port() + "/");
  }

  public ServerConfig config() {
    return config;
  }

  /** The model being served now. */
  public LoadedModel model() {
    return current.get().loaded;
  }

  /**
   * Resolves the URI again and, if it now points at another version (or location), swaps the
   * served model. Returns whether it changed. Fails (keeping the served model) if the URI no longer
   * resolves.
   */
  public synchronized boolean reload() {
    LoadedModel next = ModelLoader.load(registry, config.modelUri());
    lastReloadCheck = Instant.now();
    lastReloadError = null;
    ServedModel now = current.get();
    ResolvedModel a = now.loaded.resolved();
    ResolvedModel b = next.resolved();
    if (Objects.equals(a.version(), b.version()) && a.location().equals(b.location())
        && now.mojo.key().equals(next.mojo().key())) {
      return false;
    }
    current.set(new ServedModel(next, Instant.now()));
    LOG.info("serving {} ({}) instead of {}", config.modelUri(), next.describe(), now.loaded.describe());
    return true;
  }

  private void reloadQuietly() {
    try {
      reload();
    } catch (RuntimeException e) {
      lastReloadError = e.getMessage();
      LOG.warn("reload of {} failed; still serving {}: {}", config.modelUri(), model().describe(), e.getMessage());
    }
  }

  /** Stops listening (requests in progress get a second to finish) and stops the threads. */
  @Override
  public void close() {
    reloader.shutdownNow();
    http.stop(1);
    workers.shutdown();
  }

  // ------------------------------------------------------------------ HTTP

  /** Fault injection for tests: runs before each request is routed; null in service. */
  volatile java.util.function.Consumer<HttpExchange> beforeRoute;

  private void handle(HttpExchange ex) {
    try {
      java.util.function.Consumer<HttpExchange> fault = beforeRoute;
      if (fault != null) fault.accept(ex);
      route(ex);
    } catch (IOException e) {
      // The client went away: nothing to answer.
      LOG.debug("request failed", e);
    } catch (RuntimeException | Error e) {
      // The client gets a 500 with an id to quote; the detail stays in the server's log.
      String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffffL);
      LOG.warn("request {} {} failed (error id {})", ex.getRequestMethod(), ex.getRequestURI(), id, e);
      try {
        send(ex, 500, g -> {
          g.writeStringField("error", "internal error (id " + id + "); the server's log has the detail");
          g.writeNumberField("status", 500);
          g.writeStringField("error_id", id);
        });
      } catch (IOException | RuntimeException ignored) {
        // the response had started: the connection is closed below
      }
      // the JVM is in trouble (out of memory, stack overflow): answered, but not swallowed
      if (e instanceof VirtualMachineError vme) throw vme;
    } finally {
      ex.close();
    }
  }

  private void route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    switch (path) {
      case "/predict" -> {
        if (allow(ex, method, "POST")) admitThenPredict(ex);
      }
      case "/model" -> {
        if (allow(ex, method, "GET")) send(ex, 200, g -> writeModel(g, current.get()));
      }
      case "/health" -> {
        if (allow(ex, method, "GET")) send(ex, 200, this::writeHealth);
      }
      case "/reload" -> {
        if (allow(ex, method, "POST")) forceReload(ex);
      }
      default -> error(ex, 404, "no such endpoint: " + path
          + " (endpoints: POST /predict, GET /model, GET /health, POST /reload)");
    }
  }

  private static boolean allow(HttpExchange ex, String method, String allowed) throws IOException {
    if (allowed.equals(method)) return true;
    ex.getResponseHeaders().set("Allow", allowed);
    error(ex, 405, "method " + method + " not allowed on " + ex.getRequestURI().getPath() + "; use " + allowed);
    return false;
  }

  /** Admission slots free now (for tests and /health). */
  int admissionsFree() {
    return admitted.availablePermits();
  }

  /** Sheds load: a request over the admission bound gets 503 with Retry-After, never a place in a queue. */
  private void admitThenPredict(HttpExchange ex) throws IOException {
    if (!admitted.tryAcquire()) {
      ex.getResponseHeaders().set("Retry-After", "1");
      error(ex, 503, "the server is busy (" + config.threads() * ADMITTED_PER_THREAD
          + " requests in progress); retry after a second");
      return;
    }
    try {
      predict(ex);
    } finally {
      admitted.release();
    }
  }

  private void predict(HttpExchange ex) throws IOException {
    long limit = config.maxBodyBytes();
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      long n;
      try {
        n = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        error(ex, 400, "bad Content-Length: " + declared);
        return;
      }
      if (n > limit) {
        error(ex, 413, "body of " + n + " bytes is over the limit of " + limit + " bytes");
        return;
      }
    }
    boolean explain = explainRequested(ex.getRequestURI().getRawQuery());
    ServedModel model = current.get();
    if (explain && !model.explainable) {
      error(ex, 400, "explain=true: " + model.loaded.describe() + ": "
          + RowContributions.unsupportedReasonForClass(model.loaded.mojo()));
      return;
    }
    JsonNode body;
    try (InputStream in = new CappedInputStream(ex.getRequestBody(), limit)) {
      body = JSON.readTree(in);
    } catch (BodyTooLargeException e) {
      error(ex, 413, "body is over the limit of " + limit + " bytes");
      return;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      error(ex, 400, "bad JSON" + where + ": " + e.getOriginalMessage());
      return;
    }
    if (body == null || body.isMissingNode()) {
      error(ex, 400, "empty body: expected one row (a JSON object), an array of rows or {\"rows\": [...]}");
      return;
    }
    double[][] rows;
    try {
      List<JsonNode> nodes = JsonRows.rows(body);
      rows = new double[nodes.size()][];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = JsonRows.newRow(model);
        JsonRows.fill(model, nodes.get(i), i, rows[i]);
      }
    } catch (JsonRows.RowException e) {
      send(ex, e.status, g -> {
        g.writeStringField("error", e.getMessage());
        g.writeNumberField("status", e.status);
        if (e.row >= 0) g.writeNumberField("row", e.row);
        if (!e.fields.isEmpty()) {
          g.writeArrayFieldStart("fields");
          for (String f : e.fields) g.writeString(f);
          g.writeEndArray();
        }
      });
      return;
    }
    // Scored under a permit (CPU); written after it is released (a slow reader holds no permit).
    byte[] response;
    try {
      scoring.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error(ex, 503, "the server is stopping");
      return;
    }
    try {
      response = render(g -> writePredictions(g, model, rows, explain));
    } finally {
      scoring.release();
    }
    write(ex, 200, response);
  }

  private static boolean explainRequested(String query) {
    if (query == null) return false;
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      String k = eq < 0 ? kv : kv.substring(0, eq);
      String v = eq < 0 ? "true" : kv.substring(eq + 1);
      if (k.equals("explain")) return v.equalsIgnoreCase("true") || v.equals("1");
    }
    return false;
  }

  private static void writePredictions(JsonGenerator g, ServedModel model, double[][] rows, boolean explain)
      throws IOException {
    writeModelRef(g, model);
    ServedModel.Worker w = model.worker();
    RowContributions[] explainers = explain ? w.explainers() : null;
    String[] contributionNames = explainers == null ? null : explainers[0].names();
    // a multinomial GBM is explained per class: contributions and bias keyed by class first
    boolean perClass = explainers != null && explainers.length > 1;
    g.writeArrayFieldStart("predictions");
    for (double[] row : rows) {
      double[] p = w.scorer.score(row);
      g.writeStartObject();
      if (model.classifier) {
        g.writeStringField("prediction", model.labels[(int) p[0]]);
        g.writeObjectFieldStart("probabilities");
        for (int c = 0; c < model.labels.length; c++) g.writeNumberField(model.labels[c], p[1 + c]);
        g.writeEndObject();
        // H2O treats the second label of a binomial model as the positive class.
        if (model.binomial) g.writeNumberField("positive_probability", p[2]);
      } else {
        g.writeNumberField("prediction", p[0]);
      }
      if (explainers != null && !perClass) {
        double[] c = explainers[0].contributions(row);
        g.writeFieldName("contributions");
        writeContributions(g, contributionNames, c);
        g.writeNumberField("bias", c[contributionNames.length]);
      } else if (perClass) {
        double[] bias = new double[explainers.length];
        g.writeObjectFieldStart("contributions");
        for (int k = 0; k < explainers.length; k++) {
          double[] c = explainers[k].contributions(row);
          g.writeFieldName(model.labels[k]);
          writeContributions(g, contributionNames, c);
          bias[k] = c[contributionNames.length];
        }
        g.writeEndObject();
        g.writeObjectFieldStart("bias");
        for (int k = 0; k < bias.length; k++) g.writeNumberField(model.labels[k], bias[k]);
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeContributions(JsonGenerator g, String[] names, double[] c) throws IOException {
    g.writeStartObject();
    for (int i = 0; i < names.length; i++) g.writeNumberField(names[i], c[i]);
    g.writeEndObject();
  }

  private static void writeModelRef(JsonGenerator g, ServedModel model) throws IOException {
    ResolvedModel r = model.loaded.resolved();
    g.writeObjectFieldStart("model");
    g.writeStringField("uri", r.uri());
    if (r.name() != null) g.writeStringField("name", r.name());
    if (r.version() != null) g.writeNumberField("version", r.version());
    g.writeEndObject();
  }

  private static void writeModel(JsonGenerator g, ServedModel model) throws IOException {
    ResolvedModel r = model.loaded.resolved();
    MojoModel m = model.mojo;
    g.writeStringField("uri", r.uri());
    if (r.name() != null) g.writeStringField("name", r.name());
    if (r.version() != null) g.writeNumberField("version", r.version());
    if (r.runId() != null) g.writeStringField("run_id", r.runId());
    g.writeStringField("location", r.location());
    g.writeStringField("algorithm", algorithm(model));
    g.writeStringField("category", m.category().name());
    g.writeBooleanField("classifier", model.classifier);
    g.writeBooleanField("explainable", model.explainable);
    g.writeObjectFieldStart("response");
    g.writeStringField("name", m.responseName());
    if (model.labels != null) {
      g.writeArrayFieldStart("labels");
      for (String l : model.labels) g.writeString(l);
      g.writeEndArray();
      if (model.binomial) g.writeStringField("positive_label", model.labels[1]);
    }
    g.writeEndObject();
    g.writeArrayFieldStart("features");
    for (int f = 0; f < model.features.length; f++) {
      g.writeStartObject();
      g.writeStringField("name", model.features[f]);
      g.writeStringField("type", model.codec.categorical(f) ? "categorical" : "numeric");
      if (model.codec.categorical(f)) {
        g.writeArrayFieldStart("levels");
        for (String l : m.featureDomain(f)) g.writeString(l);
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeStringField("mojo_sha256", m.key());
    if (m.genModel() instanceof hex.genmodel.MojoModel mm && mm._h2oVersion != null) {
      g.writeStringField("h2o_version", mm._h2oVersion);
    }
    g.writeStringField("loaded_at", model.loadedAt.toString());
  }

  private static String algorithm(ServedModel model) {
    return model.mojo.genModel() instanceof hex.genmodel.MojoModel mm && mm._algoName != null
        ? mm._algoName : model.mojo.genModel().getClass().getSimpleName();
  }

  private void writeHealth(JsonGenerator g) throws IOException {
    ServedModel model = current.get();
    g.writeStringField("status", "ok");
    writeModelRef(g, model);
    g.writeStringField("loaded_at", model.loadedAt.toString());
    g.writeStringField("last_reload_check", lastReloadCheck.toString());
    if (lastReloadError != null) g.writeStringField("last_reload_error", lastReloadError);
  }

  private void forceReload(HttpExchange ex) throws IOException {
    if (!ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
      error(ex, 403, "POST /reload is accepted from loopback only");
      return;
    }
    CompletableFuture<Boolean> pending = requestReload();
    if (pending == null) {
      ex.getResponseHeaders().set("Retry-After", "1");
      error(ex, 429, "a reload ran less than " + MIN_RELOAD_INTERVAL_MS + " ms ago; try again in a second");
      return;
    }
    boolean changed;
    try {
      changed = pending.get(RELOAD_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      String why = e.getCause() == null ? String.valueOf(e) : e.getCause().getMessage();
      lastReloadError = why;
      error(ex, 409, "reload failed, still serving " + model().describe() + ": " + why);
      return;
    } catch (TimeoutException e) {
      send(ex, 202, g -> g.writeStringField("status", "reloading: GET /health tells when it is done"));
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error(ex, 503, "the server is stopping");
      return;
    }
    send(ex, 200, g -> {
      g.writeBooleanField("changed", changed);
      writeModelRef(g, current.get());
    });
  }

  /**
   * The reload a POST /reload waits for: the one running if there is one (requests that come
   * together share it), else a new one on the reload thread; null when the last ended less than
   * {@link #MIN_RELOAD_INTERVAL_MS} ago.
   */
  private synchronized CompletableFuture<Boolean> requestReload() {
    if (requestedReload != null && !requestedReload.isDone()) return requestedReload;
    if (requestedReload != null && System.nanoTime() - requestedReloadEndNanos < MIN_RELOAD_INTERVAL_MS * 1_000_000L) {
      return null;
    }
    requestedReload = CompletableFuture.supplyAsync(() -> {
      try {
        return reload();
      } finally {
        requestedReloadEndNanos = System.nanoTime();
      }
    }, reloader);
    return requestedReload;
  }

  // ------------------------------------------------------------------ responses

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** Writes one JSON object (the fields {@code body} writes) as the response. */
  private static void send(HttpExchange ex, int status, Body body) throws IOException {
    write(ex, status, render(body));
  }

  /** One JSON object (the fields {@code body} writes) as bytes. */
  private static byte[] render(Body body) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.getFactory().createGenerator(buf, JsonEncoding.UTF8)) {
      g.writeStartObject();
      body.write(g);
      g.writeEndObject();
    }
    return buf.toByteArray();
  }

  private static void write(HttpExchange ex, int status, byte[] bytes) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    if ("HEAD".equalsIgnoreCase(ex.getRequestMethod())) {
      // a HEAD response has headers only
      ex.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
      ex.sendResponseHeaders(status, -1);
      ex.close();
      return;
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void error(HttpExchange ex, int status, String message) throws IOException {
    send(ex, status, g -> {
      g.writeStringField("error", message);
      g.writeNumberField("status", status);
    });
  }

  /** Thrown by {@link CappedInputStream} once a body goes over the limit. */
  static final class BodyTooLargeException extends IOException {
    BodyTooLargeException() {
      super("request body over the limit");
    }
  }

  /** Stops reading a body (chunked ones included) as soon as it passes the limit. */
  static final class CappedInputStream extends FilterInputStream {
    private final long limit;
    private long read;

    CappedInputStream(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) count(1);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, (int) Math.min(len, limit - read + 1));
      if (n > 0) count(n);
      return n;
    }

    private void count(int n) throws BodyTooLargeException {
      read += n;
      if (read > limit) throw new BodyTooLargeException();
    }
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
