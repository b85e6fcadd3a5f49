package io.omelet.ui;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server behind {@code omelet ui}: the JDK's built-in server, a small router of
 * {@code METHOD /path/{param}/{rest*}} routes, JSON through Jackson, and the rules every route
 * shares: requests must name this server in their Host header (a page on another site that
 * rebinds its DNS name to 127.0.0.1 gets 421), bodies are bounded (413), every answer carries
 * {@code nosniff} and no-referrer, and a failure inside a handler is a 500 with an error id, its
 * detail only in the log. The UI's pages and JSON API and MLflow's REST API are route sets mounted
 * on one server.
 */
public final class WebServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
  // Python's json module writes NaN and Infinity as bare words (MLflow clients send them as metric values).
  static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build();

  /** Handles one request; throw {@link HttpError} for a 4xx with a message. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request) throws Exception;
  }

  /** How a route set renders its errors (the UI: {"error": ...}; MLflow: {"error_code", "message"}). */
  @FunctionalInterface
  public interface ErrorRenderer {
    Response render(int status, String code, String message);
  }

  /** An HTTP failure the client caused, with the status, a machine code and a message for people. */
  public static class HttpError extends RuntimeException {
    public final int status;
    public final String code;

    public HttpError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }

    public static HttpError notFound(String message) {
      return new HttpError(404, "RESOURCE_DOES_NOT_EXIST", message);
    }

    public static HttpError badRequest(String message) {
      return new HttpError(400, "INVALID_PARAMETER_VALUE", message);
    }
  }

  /**
   * A request as handlers see it: method, path, decoded query and path parameters, headers, body,
   * and whether it carried the server's bearer token.
   */
  public record Request(String method, String path, Map<String, List<String>> query, Map<String, String> pathParams,
                        Map<String, List<String>> headers, byte[] body, boolean authenticated) {
    /** The first value of a query parameter, or null. */
    public String query(String name) {
      List<String> v = query.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    public String query(String name, String dflt) {
      String v = query(name);
      return v == null || v.isEmpty() ? dflt : v;
    }

    public int queryInt(String name, int dflt, int min, int max) {
      String v = query(name);
      if (v == null || v.isEmpty()) return dflt;
      try {
        int n = Integer.parseInt(v.trim());
        if (n < min || n > max) throw HttpError.badRequest(name + " must be between " + min + " and " + max + ", got " + n);
        return n;
      } catch (NumberFormatException e) {
        throw HttpError.badRequest(name + " must be a whole number, got '" + v + "'");
      }
    }

    public String path(String name) {
      return pathParams.get(name);
    }

    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) return e.getValue().get(0);
      }
      return null;
    }

    /** The body as JSON; an empty body is an empty object. */
    public JsonNode json() {
      if (body.length == 0) return JSON.createObjectNode();
      try {
        return JSON.readTree(body);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw HttpError.badRequest("the request body is not JSON: " + e.getOriginalMessage());
      } catch (IOException e) {
        throw HttpError.badRequest("the request body cannot be read: " + e.getMessage());
      }
    }
  }

  /** What a handler answers. */
  public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static Response json(Object value) {
      return json(200, value);
    }

    public static Response json(int status, Object value) {
      try {
        return new Response(status, "application/json; charset=utf-8", JSON.writeValueAsBytes(value), Map.of());
      } catch (IOException e) {
        throw new IllegalStateException("cannot write JSON: " + e, e);
      }
    }

    public static Response html(int status, String html) {
      return new Response(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public Response withHeader(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Response(status, contentType, body, h);
    }
  }

  private record Route(String method, String[] parts, Handler handler, ErrorRenderer errors, long maxBodyBytes) {}

  private record PrefixErrors(String prefix, ErrorRenderer errors) {}

  private final List<Route> routes = new ArrayList<>();
  private final List<PrefixErrors> prefixErrors = new ArrayList<>();
  private volatile byte[] bearerToken;
  private final HttpServer http;
  private final ExecutorService workers;
  private final long maxBodyBytes;
  private final Set<String> hosts;
  private volatile ErrorRenderer fallbackErrors = WebServer::jsonError;

  /**
   * Binds {@code host:port} (0 picks a free port); routes are added before {@link #start()}.
   * Request bodies larger than {@code maxBodyBytes} get 413.
   */
  public WebServer(String host, int port, long maxBodyBytes) throws IOException {
    InetAddress address = InetAddress.getByName(host);
    this.http = HttpServer.create(new InetSocketAddress(address, port), 128);
    this.maxBodyBytes = maxBodyBytes;
    int bound = http.getAddress().getPort();
    // Names a browser may use for this server: the bound address, and loopback names when loopback.
    this.hosts = new java.util.HashSet<>();
    hosts.add(hostPort(host, bound));
    hosts.add(hostPort(address.getHostAddress(), bound));
    if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
      for (String h : List.of("localhost", "127.0.0.1", "[::1]")) hosts.add(hostPort(h, bound));
    }
    if (address.isAnyLocalAddress()) {
      // bound to every interface: each interface's address names this server
      for (var nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
          String text = a.getHostAddress();
          int zone = text.indexOf('%');
          if (zone >= 0) text = text.substring(0, zone);
          hosts.add(hostPort(a instanceof java.net.Inet6Address ? "[" + text + "]" : text, bound));
        }
      }
    }
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "omelet-ui-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(workers);
    http.createContext("/", this::dispatch);
  }

  private static String hostPort(String host, int port) {
    return (host + ":" + port).toLowerCase(Locale.ROOT);
  }

  /** Also accepts requests naming this host (e.g. the machine's DNS name when bound to all addresses). */
  public WebServer allowHost(String hostAndPort) {
    hosts.add(hostAndPort.toLowerCase(Locale.ROOT));
    return this;
  }

  /** Adds a route: {@code pattern} like {@code /api/runs/{id}}; a last part {@code {name*}} takes the rest of the path. */
  public WebServer route(String method, String pattern, Handler handler) {
    return route(method, pattern, handler, null);
  }

  public WebServer route(String method, String pattern, Handler handler, ErrorRenderer errors) {
    return route(method, pattern, handler, errors, maxBodyBytes);
  }

  /** A route with its own bound on request bodies (uploads take more than JSON calls). */
  public WebServer route(String method, String pattern, Handler handler, ErrorRenderer errors, long maxBodyBytes) {
    routes.add(new Route(method, split(pattern), handler, errors, maxBodyBytes));
    return this;
  }

  /** How errors outside every route (no route, wrong method, bad Host) under a path prefix are rendered. */
  public WebServer errorsUnder(String pathPrefix, ErrorRenderer errors) {
    prefixErrors.add(new PrefixErrors(pathPrefix, errors));
    return this;
  }

  /**
   * Requests carrying {@code Authorization: Bearer <token>} are authenticated
   * ({@link Request#authenticated()}) and skip the Host check: a page rebinding its DNS name here
   * cannot know the token. Route sets decide what needs it.
   */
  public WebServer bearerToken(String token) {
    this.bearerToken = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  public boolean hasBearerToken() {
    return bearerToken != null;
  }

  private boolean authenticated(HttpExchange ex) {
    byte[] want = bearerToken;
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (want == null || header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
    // constant time: the comparison must not tell how much of a guess was right
    return java.security.MessageDigest.isEqual(want, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
  }

  /** How errors outside every route (no route matched, a bad Host) on non-API paths are rendered. */
  public WebServer fallbackErrors(ErrorRenderer errors) {
    this.fallbackErrors = errors;
    return this;
  }

  public WebServer start() {
    http.start();
    return this;
  }

  public URI uri() {
    InetSocketAddress a = http.getAddress();
    String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
    if (host.contains(":")) host = "[" + host + "]";
    return URI.create("http://" + host + ":" + a.getPort() + "/");
  }

  @Override
  public void close() {
    http.stop(0);
    workers.shutdownNow();
  }

  private static String[] split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }

  static Response jsonError(int status, String code, String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", message);
    m.put("error_code", code);
    return Response.json(status, m);
  }

  private void dispatch(HttpExchange ex) throws IOException {
    Response response;
    String requested = ex.getRequestURI().getRawPath();
    // API clients get errors as JSON, browsers on a page path get the page renderer's answer
    ErrorRenderer errors = requested.startsWith("/api/") || requested.startsWith("/ajax-api/")
        ? WebServer::jsonError : fallbackErrors;
    for (PrefixErrors p : prefixErrors) {
      if (requested.startsWith(p.prefix())) errors = p.errors();
    }
    try {
      boolean authenticated = authenticated(ex);
      String host = ex.getRequestHeaders().getFirst("Host");
      if (!authenticated && (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT)))) {
        // DNS rebinding: a page on another site whose name now points here must not read answers
        throw new HttpError(421, "MISDIRECTED_REQUEST", "this server does not answer for host " + host);
      }
      String rawPath = ex.getRequestURI().getRawPath();
      String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
      Map<String, String> params = new LinkedHashMap<>();
      Route route = match(method.equals("HEAD") ? "GET" : method, rawPath, params);
      if (route == null) {
        boolean otherMethod = routes.stream().anyMatch(r -> matches(r, rawPath, new LinkedHashMap<>()));
        if (otherMethod) throw new HttpError(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + decode(rawPath));
        throw new HttpError(404, "ENDPOINT_NOT_FOUND", "no page or endpoint at " + decode(rawPath));
      }
      if (route.errors() != null) errors = route.errors();
      byte[] body = readBody(ex, route.maxBodyBytes());
      Request req = new Request(method, decode(rawPath), parseQuery(ex.getRequestURI().getRawQuery()), params,
          ex.getRequestHeaders(), body, authenticated);
      response = route.handler().handle(req);
    } catch (HttpError e) {
      response = errors.render(e.status, e.code, e.getMessage());
    } catch (Throwable t) {
      String id = UUID.randomUUID().toString().substring(0, 8);
      LOG.error("request {} {} failed (error id {})", ex.getRequestMethod(), ex.getRequestURI(), id, t);
      response = errors.render(500, "INTERNAL_ERROR", "internal error (id " + id + "; details in the server's log)");
    }
    send(ex, response);
  }

  private Route match(String method, String rawPath, Map<String, String> params) {
    for (Route r : routes) {
      if (!r.method().equals(method)) continue;
      params.clear();
      if (matches(r, rawPath, params)) return r;
    }
    return null;
  }

  private static boolean matches(Route r, String rawPath, Map<String, String> params) {
    String[] got = split(rawPath);
    String[] want = r.parts();
    for (int i = 0; i < want.length; i++) {
      String w = want[i];
      if (w.startsWith("{") && w.endsWith("*}")) {
        StringBuilder rest = new StringBuilder();
        for (int j = i; j < got.length; j++) {
          if (j > i) rest.append('/');
          rest.append(decode(got[j]));
        }
        params.put(w.substring(1, w.length() - 2), rest.toString());
        return true;
      }
      if (i >= got.length) return false;
      if (w.startsWith("{") && w.endsWith("}")) {
        String v = decode(got[i]);
        if (v.isEmpty()) return false;
        params.put(w.substring(1, w.length() - 1), v);
      } else if (!w.equals(got[i])) {
        return false;
      }
    }
    return got.length == want.length;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("malformed percent-encoding in '" + s + "'");
    }
  }

  private static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) return q;
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        k = URLDecoder.decode(k, StandardCharsets.UTF_8);
        v = URLDecoder.decode(v, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest("malformed percent-encoding in the query");
      }
      q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return q;
  }

  private static byte[] readBody(HttpExchange ex, long maxBodyBytes) throws IOException {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw HttpError.badRequest("bad Content-Length");
      }
      if (declared > maxBodyBytes) throw tooLarge(maxBodyBytes);
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
      if (body.length > maxBodyBytes) throw tooLarge(maxBodyBytes);
      return body;
    }
  }

  /** Reading past this much of a refused body costs more than a client that sees its connection reset. */
  private static final long MAX_DRAIN_BYTES = 64L << 20;

  /**
   * Reads (and drops) the rest of a refused body once the answer is out: a socket closed with
   * unread bytes is reset, and the reset would take the 413 answer with it before the client
   * reads it. A client that has its answer closes the connection, which ends the read.
   */
  private static void drainQuietly(HttpExchange ex) {
    try {
      InputStream in = ex.getRequestBody();
      byte[] sink = new byte[64 << 10];
      long left = MAX_DRAIN_BYTES;
      for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0; ) left -= n;
    } catch (IOException gone) {
      // the client closed first: nothing left to protect
    }
  }

  private static HttpError tooLarge(long maxBodyBytes) {
    return new HttpError(413, "REQUEST_TOO_LARGE", "the request body is larger than " + maxBodyBytes + " bytes");
  }

  private static void send(HttpExchange ex, Response r) throws IOException {
    var h = ex.getResponseHeaders();
    h.set("Content-Type", r.contentType());
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    if (!r.headers().containsKey("Cache-Control")) h.set("Cache-Control", "no-store");
    for (Map.Entry<String, String> e : r.headers().entrySet()) h.set(e.getKey(), e.getValue());
    // a refused body was not read to its end: the connection cannot carry another request
    if (r.status() == 413) h.set("Connection", "close");
    boolean head = "HEAD".equalsIgnoreCase(ex.getRequestMethod());
    if (head || r.body().length == 0) {
      ex.sendResponseHeaders(r.status(), -1);
      if (r.status() == 413) drainQuietly(ex);
    } else {
      ex.sendResponseHeaders(r.status(), r.body().length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(r.body());
        out.flush();
        if (r.status() == 413) drainQuietly(ex);
      }
    }
    ex.close();
  }
}
