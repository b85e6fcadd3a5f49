package io.omelet.examples.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop HTTP load generator: request i is due at {@code start + i / targetRps}, whatever
 * happened to earlier requests, and its latency is counted from that due time, not from when it
 * was actually sent. A slow server therefore shows up in the latencies (no coordinated omission)
 * instead of silently lowering the request rate. Client threads take the next due slot in turn and
 * send it with a blocking call on a shared keep-alive HTTP/1.1 client. An {@link Exchange} makes
 * each slot's request (an id each) and hears every answer.
 */
public final class RestLoad {
  /** Client threads: enough that a few slow answers do not delay the next sends. */
  public static final int DEFAULT_CLIENTS = 16;

  /**
   * What one run measured, over the measurement window only (warm-up requests are not counted).
   * Latencies in milliseconds; {@code achievedRps} = answered requests / the window's length.
   */
  public record Result(int targetRps, long requests, long errors, double seconds, double achievedRps,
                       double p50Ms, double p99Ms, double maxMs, String firstError, long shed,
                       double maxDueAtSeconds) {}

  private RestLoad() {}

  /**
   * What an open-loop run sends in each slot and hears back, for loads whose requests differ by
   * slot (an {@code X-Request-Id} each) or whose answers are kept (the ids acknowledged).
   */
  @FunctionalInterface
  public interface Exchange {
    /**
     * The request of slot {@code slot} (0, 1, ... in the order they are due, warm-up slots
     * included); null ends the run there (the figures then cover the slots sent).
     */
    HttpRequest request(long slot);

    /** Each response, on the client thread that got it, warm-up slots included; by default nothing. */
    default void answered(long slot, HttpResponse<Void> response) {}
  }

  /** POSTs the {@code bodies} (JSON, used in turn) to {@code endpoint} at {@code targetRps}. */
  public static Result run(URI endpoint, List<String> bodies, int targetRps, Duration warmup, Duration measure)
      throws InterruptedException {
    return run(endpoint, bodies, targetRps, warmup, measure, DEFAULT_CLIENTS);
  }

  public static Result run(URI endpoint, List<String> bodies, int targetRps, Duration warmup, Duration measure,
                           int clients) throws InterruptedException {
    if (bodies.isEmpty()) throw new IllegalArgumentException("no request bodies");
    HttpRequest[] requests = new HttpRequest[bodies.size()];
    for (int i = 0; i < requests.length; i++) requests[i] = post(endpoint, bodies.get(i), null);
    return run(slot -> requests[(int) (slot % requests.length)], targetRps, warmup, measure, clients);
  }

  /** A JSON POST as the load sends it; with {@code requestId}, in the {@code X-Request-Id} header. */
  public static HttpRequest post(URI endpoint, String body, String requestId) {
    HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (requestId != null) b.header("X-Request-Id", requestId);
    return b.build();
  }

  /** Sends {@code exchange}'s request of each slot at {@code targetRps}. */
  public static Result run(Exchange exchange, int targetRps, Duration warmup, Duration measure, int clients)
      throws InterruptedException {
    if (targetRps < 1) throw new IllegalArgumentException("targetRps must be >= 1, got " + targetRps);
    if (measure.isZero() || measure.isNegative()) throw new IllegalArgumentException("measure must be > 0");
    long periodNanos = 1_000_000_000L / targetRps;
    long warmSlots = warmup.toNanos() / periodNanos;
    long measuredSlots = measure.toNanos() / periodNanos;
    long totalSlots = warmSlots + measuredSlots;
    if (measuredSlots > Integer.MAX_VALUE) throw new IllegalArgumentException("measurement window too long");
    long[] latencies = new long[(int) measuredSlots];
    Arrays.fill(latencies, -1);
    ExecutorService pool = Executors.newFixedThreadPool(clients, r -> {
      Thread t = new Thread(r, "rest-load");
      t.setDaemon(true);
      return t;
    });
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    AtomicLong next = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong shed = new AtomicLong();
    AtomicLong lastDone = new AtomicLong();
    AtomicLong end = new AtomicLong(totalSlots);
    String[] firstError = new String[1];
    // Start a little ahead so every client is waiting for slot 0.
    long start = System.nanoTime() + 50_000_000L;
    long measureStart = start + warmSlots * periodNanos;
    for (int c = 0; c < clients; c++) {
      pool.execute(() -> {
        for (long slot = next.getAndIncrement(); slot < end.get(); slot = next.getAndIncrement()) {
          long due = start + slot * periodNanos;
          // made before it is due: building it is not the server's time
          HttpRequest request = exchange.request(slot);
          if (request == null) {
            end.accumulateAndGet(slot, Math::min);
            return;
          }
          long wait;
          while ((wait = due - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
          boolean ok;
          String error = null;
          try {
            HttpResponse<Void> res = http.send(request, HttpResponse.BodyHandlers.discarding());
            exchange.answered(slot, res);
            ok = res.statusCode() == 200;
            if (!ok) error = "HTTP " + res.statusCode();
          } catch (java.io.IOException e) {
            ok = false;
            error = e.toString();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          long done = System.nanoTime();
          if (slot >= warmSlots) {
            int i = (int) (slot - warmSlots);
            latencies[i] = done - due;
            lastDone.accumulateAndGet(done, Math::max);
            if (error != null && error.equals("HTTP 503")) shed.incrementAndGet();
            if (!ok) {
              errors.incrementAndGet();
              synchronized (firstError) {
                if (firstError[0] == null) firstError[0] = error;
              }
            }
          }
        }
      });
    }
    pool.shutdown();
    long budget = warmup.plus(measure).toSeconds() + 120;
    if (!pool.awaitTermination(budget, TimeUnit.SECONDS)) {
      pool.shutdownNow();
      throw new IllegalStateException("load run did not finish within " + budget + " s");
    }
    int worst = 0;
    for (int i = 1; i < latencies.length; i++) if (latencies[i] > latencies[worst]) worst = i;
    long[] done = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
    long answered = done.length - errors.get();
    long measuredSent = Math.max(0, Math.min(end.get(), totalSlots) - warmSlots);
    double seconds = Math.max(lastDone.get() - measureStart, measuredSent * periodNanos) / 1e9;
    return new Result(targetRps, done.length, errors.get(), seconds, answered / seconds,
        percentile(done, 0.50) / 1e6, percentile(done, 0.99) / 1e6,
        done.length == 0 ? Double.NaN : done[done.length - 1] / 1e6, firstError[0], shed.get(),
        worst * (double) periodNanos / 1e9);
  }

  /** Nearest-rank percentile of sorted values. */
  static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) return Double.NaN;
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
