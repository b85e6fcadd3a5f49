package io.omelet.ui;

import io.omelet.common.HtmlText;
import io.omelet.http.ErrorRenderer;
import io.omelet.http.HttpError;
import io.omelet.http.HttpService;
import io.omelet.http.Response;
import io.omelet.mlflow.MlflowApi;
import io.omelet.registry.OmeletRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * {@code omelet ui}: the tracking and registry UI of one registry, from one process with no
 * network access beyond its own socket. Pages are one HTML shell and its script and styles,
 * served from this jar (uPlot from its webjar); everything they show comes from the JSON API
 * ({@link UiApi}). Every user-provided string reaches the page as JSON and is put into the page as
 * text, never as markup. Binds loopback unless told otherwise; read-only unless writes are allowed.
 * Runs on the {@link HttpService} core, so slow or dribbling clients meet its deadlines and
 * admission instead of stalling every user of the UI and the MLflow API.
 */
public final class UiServer implements AutoCloseable {
  static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
  static final String STATIC = "io/omelet/ui/static/";
  /** The pages' policy: their own scripts and styles only, frames only from this server. */
  static final String PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
      + " frame-ancestors 'self'";
  /** Request bodies the UI takes (alias moves); MLflow's API sets its own bounds on its routes. */
  static final long MAX_BODY_BYTES = 16L << 20;
  /** Threads kept for the UI and MLflow's API; more start per connection, and 16 requests each are admitted. */
  static final int WORKERS = 8;

  private final HttpService server;
  private final HostCheck hosts;

  private UiServer(HttpService server, HostCheck hosts) {
    this.server = server;
    this.hosts = hosts;
  }

  /** Starts serving {@code registry} on {@code host:port} (port 0: a free one). */
  public static UiServer start(OmeletRegistry registry, String host, int port, boolean writes) throws IOException {
    return start(registry, host, port, writes, null);
  }

  /**
   * Starts serving the UI and MLflow's REST API; with a {@code bearerToken}, MLflow's API answers
   * only requests that carry it ({@code Authorization: Bearer ...}).
   */
  public static UiServer start(OmeletRegistry registry, String host, int port, boolean writes, String bearerToken)
      throws IOException {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    BearerToken bearer = bearerToken == null ? null : new BearerToken(bearerToken);
    HttpService server = new HttpService("omelet-ui", host, port, WORKERS, MAX_BODY_BYTES);
    HostCheck hosts;
    try {
      hosts = new HostCheck(host, server.port(), bearer);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    // API clients get errors as JSON, browsers on a page path an HTML page
    server.guard(hosts).errors(UiServer::errorPage)
        .errorsUnder("/api/", ErrorRenderer.JSON).errorsUnder("/ajax-api/", ErrorRenderer.JSON);
    new UiApi(registry, writes, token).mount(server);
    MlflowApi.mount(server, registry, writes, bearer);
    server.route("GET", "/", r -> page())
        .route("GET", "/static/uplot/{file*}", r -> resource(UPLOT, r.path("file")))
        .route("GET", "/static/{file*}", r -> resource(STATIC, r.path("file")))
        .route("GET", "/favicon.ico", r -> new Response(204, "image/x-icon", new byte[0], Map.of()));
    return new UiServer(server.start(), hosts);
  }

  public URI uri() {
    return server.uri();
  }

  /** Also answers requests naming {@code hostAndPort} (e.g. the machine's DNS name). */
  public UiServer allowHost(String hostAndPort) {
    hosts.allow(hostAndPort);
    return this;
  }

  @Override
  public void close() {
    server.close();
  }

  private static Response page() throws IOException {
    return new Response(200, "text/html; charset=utf-8", read(STATIC + "index.html"), Map.of())
        .withHeader("Content-Security-Policy", PAGE_CSP);
  }

  private static Response resource(String base, String file) throws IOException {
    if (file.isEmpty() || file.contains("..") || file.startsWith("/") || file.contains("\\")) {
      throw HttpError.notFound("no file " + file);
    }
    byte[] bytes;
    try {
      bytes = read(base + file);
    } catch (IOException e) {
      throw HttpError.notFound("no file " + file);
    }
    String type = file.endsWith(".js") ? "text/javascript; charset=utf-8"
        : file.endsWith(".css") ? "text/css; charset=utf-8"
        : file.endsWith(".svg") ? "image/svg+xml" : "application/octet-stream";
    return new Response(200, type, bytes, Map.of("Cache-Control", "max-age=3600"));
  }

  private static byte[] read(String resource) throws IOException {
    try (InputStream in = UiServer.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IOException("no resource " + resource);
      return in.readAllBytes();
    }
  }

  /** Errors on page paths: an HTML page naming what went wrong (escaped). */
  static Response errorPage(HttpError e) {
    return Response.html(e.status(), htmlError(e.status(), e.getMessage())).withHeader("Content-Security-Policy", PAGE_CSP);
  }

  static String htmlError(int status, String message) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + status + "</title>"
        + "<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main class=\"error\"><h1>"
        + status + "</h1><p>" + HtmlText.escape(message) + "</p><p><a href=\"/\">Experiments</a></p></main></body></html>";
  }

}
