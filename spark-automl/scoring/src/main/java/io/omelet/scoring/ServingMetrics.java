package io.omelet.scoring;

import io.omelet.http.RequestObserver;
import io.omelet.http.Response;
import io.omelet.inference.InferenceLog;
import io.omelet.registry.ResolvedModel;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What {@code GET /metrics} of a {@link ScoringServer} answers, in Prometheus's text format (0.0.4):
 *
 * <ul>
 *   <li>{@code omelet_requests_total{route,status}}: every answered request, the HTTP core's own
 *       errors (400, 404, 405, 413, 503...) included; {@code route} is the route's pattern, or
 *       {@code other} when no route matched, so the label stays bounded whatever paths clients send
 *   <li>{@code omelet_request_duration_seconds{route}}: a histogram of the time from the request's
 *       headers being read to its answer being ready (its body read and handled), in classic
 *       buckets from 100 µs to 10 s (p50, p95 and p99 by {@code histogram_quantile})
 *   <li>{@code omelet_rows_scored_total}: rows of {@code /predict} requests answered with predictions
 *   <li>{@code omelet_model_version{uri,name}} (registered versions only), {@code omelet_model_info{uri,
 *       name,version,run_id}} and {@code omelet_model_loaded_timestamp_seconds}: what is served now
 *   <li>{@code omelet_model_reloads_total{result}}: re-resolutions of the URI, {@code changed} (another
 *       version swapped in), {@code unchanged} or {@code failed} (still serving the old one)
 *   <li>{@code omelet_inference_log_queue_depth}, {@code omelet_inference_log_rows_total{outcome}}
 *       ({@code logged}, {@code dropped}, {@code sampled_out}) and
 *       {@code omelet_inference_log_flushes_total{result}} ({@code committed}, {@code failed}): read
 *       from the server's {@link InferenceLog} at each scrape; absent when it has none
 *   <li>the JVM's: {@code jvm_memory_*} (heap and non-heap, per pool),
 *       {@code jvm_gc_collection_seconds}, {@code jvm_threads_*} and {@code process_*}, by
 *       Prometheus's JVM instrumentation
 * </ul>
 *
 * <p>Each server has its own registry, not the client library's global default: two servers in one
 * JVM (tests, or a program serving two models) count apart. Counting costs a request a few atomic
 * additions; everything read from elsewhere is read when scraped.
 */
final class ServingMetrics implements RequestObserver {
  /**
   * Upper bounds of the latency buckets, in seconds: from one-row requests on a warm server (well
   * under a millisecond) to large batches with explanations; slower answers count in +Inf only.
   */
  static final double[] LATENCY_BUCKETS = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final ModelReloads model;
  private final Counter requests;
  private final Histogram duration;
  private final Counter rowsScored;
  private final Info modelInfo;
  /** The generation {@link #modelInfo} describes; updated at a scrape after a reload. */
  private ServedModel described;

  /**
   * @param model the server's model and its reloads
   * @param inferenceLog the server's inference log now, or null when it has none
   */
  ServingMetrics(ModelReloads model, Supplier<InferenceLog> inferenceLog) {
    this.model = Objects.requireNonNull(model, "model");
    Objects.requireNonNull(inferenceLog, "inferenceLog");
    requests = Counter.builder()
        .name("omelet_requests_total")
        .help("HTTP requests answered, by route pattern (other: no route matched) and status.")
        .labelNames("route", "status")
        .withoutExemplars()
        .register(registry);
    duration = Histogram.builder()
        .name("omelet_request_duration_seconds")
        .help("Time from a request's headers being read to its answer being ready, by route pattern.")
        .unit(Unit.SECONDS)
        .labelNames("route")
        .classicOnly()
        .classicUpperBounds(LATENCY_BUCKETS)
        .withoutExemplars()
        .register(registry);
    rowsScored = Counter.builder()
        .name("omelet_rows_scored_total")
        .help("Rows of /predict requests answered with their predictions.")
        .withoutExemplars()
        .register(registry);

    modelInfo = Info.builder()
        .name("omelet_model_info")
        .help("The model served now: its URI, registered name and version (empty for a run artifact) and run.")
        .labelNames("uri", "name", "version", "run_id")
        .register(registry);
    GaugeWithCallback.builder()
        .name("omelet_model_version")
        .help("The registered version served now (absent for a run artifact URI).")
        .labelNames("uri", "name")
        .callback(cb -> {
          ResolvedModel m = model.current().loaded.resolved();
          if (m.version() != null) cb.call(m.version(), m.uri(), m.name());
        })
        .register(registry);
    GaugeWithCallback.builder()
        .name("omelet_model_loaded_timestamp_seconds")
        .help("When the model served now was loaded, in seconds since the epoch.")
        .unit(Unit.SECONDS)
        .callback(cb -> cb.call(model.current().loadedAt.toEpochMilli() / 1000.0))
        .register(registry);
    CounterWithCallback.builder()
        .name("omelet_model_reloads_total")
        .help("Re-resolutions of the model URI, timed or asked for: changed (another version swapped in), "
            + "unchanged, failed (the current model kept).")
        .labelNames("result")
        .callback(cb -> {
          cb.call(model.changedReloads(), "changed");
          cb.call(model.unchangedReloads(), "unchanged");
          cb.call(model.failedReloads(), "failed");
        })
        .register(registry);

    GaugeWithCallback.builder()
        .name("omelet_inference_log_queue_depth")
        .help("Served rows waiting in the inference log's queue.")
        .callback(cb -> {
          InferenceLog w = inferenceLog.get();
          if (w != null) cb.call(w.queueDepth());
        })
        .register(registry);
    CounterWithCallback.builder()
        .name("omelet_inference_log_rows_total")
        .help("Served rows offered to the inference log: logged (committed to the table), dropped "
            + "(queue full, or not written at close), sampled_out (left out by the sample fraction).")
        .labelNames("outcome")
        .callback(cb -> {
          InferenceLog w = inferenceLog.get();
          if (w == null) return;
          cb.call(w.loggedRows(), "logged");
          cb.call(w.droppedRows(), "dropped");
          cb.call(w.sampledOutRows(), "sampled_out");
        })
        .register(registry);
    CounterWithCallback.builder()
        .name("omelet_inference_log_flushes_total")
        .help("Inference log flushes: committed, or failed (and retried with the same rows).")
        .labelNames("result")
        .callback(cb -> {
          InferenceLog w = inferenceLog.get();
          if (w == null) return;
          cb.call(w.flushes(), "committed");
          cb.call(w.failedFlushes(), "failed");
        })
        .register(registry);

    // The JVM's, by name as dashboards know them. Not JvmMetrics as a whole: its allocation
    // metrics add a GC listener to the JVM for every registry, never removed.
    JvmMemoryMetrics.builder().register(registry);
    JvmGarbageCollectorMetrics.builder().register(registry);
    JvmThreadsMetrics.builder().register(registry);
    ProcessMetrics.builder().register(registry);
  }

  @Override
  public void answered(String method, String route, int status, long nanos) {
    requests.labelValues(route, Integer.toString(status)).inc();
    duration.labelValues(route).observe(nanos / 1e9);
  }

  /** Counts the rows of a /predict request answered with predictions. */
  void rowsScored(int rows) {
    rowsScored.inc(rows);
  }

  /** The answer to {@code GET /metrics}: every metric now, in the text format. */
  Response scrape() {
    describe(model.current());
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Response(200, writer.getContentType(), out.toByteArray(), Map.of());
  }

  private synchronized void describe(ServedModel served) {
    if (served == described) return;
    ResolvedModel m = served.loaded.resolved();
    modelInfo.setLabelValues(m.uri(), nullToEmpty(m.name()), m.version() == null ? "" : m.version().toString(),
        nullToEmpty(m.runId()));
    described = served;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
