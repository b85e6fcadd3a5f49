package io.omelet.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server on the JDK's built-in one, with the rules every Omelet endpoint shares: routes
 * ({@link Router}), request guards, {@link Admission} (503 past a bound of requests in progress),
 * the {@link ConnectionLimits} (request and response deadlines, a connection bound), bounded bodies
 * (413), errors as the path's {@link ErrorRenderer} renders them, {@code nosniff} and no-referrer
 * on every answer, and a failure inside a handler answered as a 500 with an error id, its detail
 * only in the log. {@link RequestObserver}s hear of every answer, the server's own errors included.
 *
 * <p>Routes, guards, observers and renderers are added before {@link #start()}. Threads are cheap
 * while they wait on a socket: the pool has one per connection (the JDK server reads headers on
 * them) and queues nothing; the work itself is bounded by admission.
 */
public final class HttpService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpService.class);

  private final HttpServer http;
  private final ThreadPoolExecutor workers;
  private final Router router = new Router();
  private final List<RequestGuard> guards = new ArrayList<>();
  private final List<RequestObserver> observers = new ArrayList<>();
  /** An observer failed before: later failures go to the debug log, not one warning per request. */
  private volatile boolean observerFailed;
  private final Admission admission;
  private final long maxBodyBytes;

  /**
   * Binds {@code host:port} (port 0: a free one). {@code workers} threads stay up (more start per
   * connection); {@code workers * Admission.PER_WORKER} requests are admitted at once. Bodies over
   * {@code maxBodyBytes} get 413 unless their route sets its own bound.
   */
  public HttpService(String threadName, String host, int port, int workers, long maxBodyBytes) throws IOException {
    if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    ConnectionLimits.apply();
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 256);
    this.workers = new ThreadPoolExecutor(workers, workers + ConnectionLimits.MAX_CONNECTIONS, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), daemons(threadName), new ThreadPoolExecutor.AbortPolicy());
    this.admission = new Admission(workers * Admission.PER_WORKER);
    this.maxBodyBytes = maxBodyBytes;
    http.setExecutor(this.workers);
    http.createContext("/", this::dispatch);
  }

  public HttpService route(Route route) {
    router.add(route);
    return this;
  }

  /** A route with the server's body limit, taking admission. */
  public HttpService route(String method, String pattern, Handler handler) {
    return route(Route.of(method, pattern, handler));
  }

  /** How errors under {@code pathPrefix} are rendered (the longest matching prefix wins). */
  public HttpService errorsUnder(String pathPrefix, ErrorRenderer renderer) {
    router.errorsUnder(pathPrefix, renderer);
    return this;
  }

  /** How errors on paths no prefix claims are rendered ({@link ErrorRenderer#JSON} unless set). */
  public HttpService errors(ErrorRenderer renderer) {
    router.errors(renderer);
    return this;
  }

  /** A check every request passes before routing. */
  public HttpService guard(RequestGuard guard) {
    guards.add(guard);
    return this;
  }

  /** Told once about every answered request (see {@link RequestObserver}). */
  public HttpService observe(RequestObserver observer) {
    observers.add(observer);
    return this;
  }

  public HttpService start() {
    http.start();
    return this;
  }

  public InetSocketAddress address() {
    return http.getAddress();
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** The base URL; a server bound to every interface is named by loopback. */
  public URI uri() {
    InetAddress a = http.getAddress().getAddress();
    String host = a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
    if (host.contains(":")) host = "[" + host + "]";
    return URI.create("http://" + host + ":" + port() + "/");
  }

  public Admission admission() {
    return admission;
  }

  /** Stops listening (requests in progress get a second to finish) and stops the threads. */
  @Override
  public void close() {
    http.stop(1);
    workers.shutdown();
  }

  private void dispatch(HttpExchange ex) {
    long start = System.nanoTime();
    String rawPath = ex.getRequestURI().getRawPath();
    boolean admitted = false;
    Throwable fatal = null;
    String routed = RequestObserver.OTHER;
    try {
      Response response;
      ErrorRenderer errors = router.renderer(rawPath);
      try {
        Request head = new Request(ex.getRequestMethod().toUpperCase(Locale.ROOT), PathPattern.decode(rawPath),
            Request.parseQuery(ex.getRequestURI().getRawQuery()), Map.of(), ex.getRequestHeaders(), new byte[0],
            ex.getRemoteAddress());
        for (RequestGuard g : guards) g.check(head);
        Router.Match match = router.match(head.method(), rawPath);
        Route route = match.route();
        routed = route.pattern().toString();
        if (route.admitted()) {
          admission.enter();
          admitted = true;
        }
        byte[] body;
        try {
          body = RequestBody.read(ex, route.maxBodyBytes() >= 0 ? route.maxBodyBytes() : maxBodyBytes);
        } catch (IOException e) {
          throw new ClientGone(e);
        }
        response = route.handler().handle(head.with(match.params(), body));
      } catch (HttpError e) {
        response = render(errors, e);
      } catch (ClientGone e) {
        LOG.debug("the client went away while sending {} {}", ex.getRequestMethod(), rawPath, e.getCause());
        return;
      } catch (Throwable t) {
        // The client gets a 500 with an id to quote; the detail stays in the server's log.
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffffL);
        LOG.warn("request {} {} failed (error id {})", ex.getRequestMethod(), ex.getRequestURI(), id, t);
        response = render(errors, new HttpError(500, "INTERNAL_ERROR",
            "internal error (id " + id + "); the server's log has the detail").withDetail("error_id", id));
        // the JVM is in trouble (out of memory, stack overflow): answered, but not swallowed
        if (t instanceof VirtualMachineError) fatal = t;
      }
      tell(ex.getRequestMethod().toUpperCase(Locale.ROOT), routed, response.status(), System.nanoTime() - start);
      send(ex, response);
    } catch (IOException | RuntimeException e) {
      // the client went away, or the response had started: the connection is closed below
      LOG.debug("answer to {} {} not sent", ex.getRequestMethod(), rawPath, e);
    } finally {
      if (admitted) admission.leave();
      ex.close();
    }
    if (fatal instanceof Error err) throw err;
  }

  private void tell(String method, String route, int status, long nanos) {
    for (RequestObserver o : observers) {
      try {
        o.answered(method, route, status, nanos);
      } catch (RuntimeException e) {
        if (observerFailed) {
          LOG.debug("a request observer failed on {} {} {}", method, route, status, e);
        } else {
          observerFailed = true;
          LOG.warn("a request observer failed on {} {} {} (later failures are logged at debug level)",
              method, route, status, e);
        }
      }
    }
  }

  /** The request's body could not be read: the client went away, and nobody is left to answer. */
  private static final class ClientGone extends RuntimeException {
    ClientGone(IOException cause) {
      super(cause);
    }
  }

  private static Response render(ErrorRenderer errors, HttpError e) {
    Response r = errors.render(e);
    for (Map.Entry<String, String> h : e.headers().entrySet()) r = r.withHeader(h.getKey(), h.getValue());
    return r;
  }

  private static void send(HttpExchange ex, Response r) throws IOException {
    var h = ex.getResponseHeaders();
    h.set("Content-Type", r.contentType());
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    if (!r.headers().containsKey("Cache-Control")) h.set("Cache-Control", "no-store");
    for (Map.Entry<String, String> e : r.headers().entrySet()) h.set(e.getKey(), e.getValue());
    // a refused body was not read to its end: the connection cannot carry another request
    boolean refused = r.status() == 413;
    if (refused) h.set("Connection", "close");
    if ("HEAD".equalsIgnoreCase(ex.getRequestMethod())) {
      // headers only, with the length a GET would get
      h.set("Content-Length", Integer.toString(r.body().length));
      ex.sendResponseHeaders(r.status(), -1);
    } else if (r.body().length == 0) {
      ex.sendResponseHeaders(r.status(), -1);
    } else {
      ex.sendResponseHeaders(r.status(), r.body().length);
      OutputStream out = ex.getResponseBody();
      out.write(r.body());
      out.flush();
    }
    if (refused) RequestBody.drainQuietly(ex);
  }

  private static java.util.concurrent.ThreadFactory daemons(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
