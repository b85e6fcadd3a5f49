package io.omelet.registry;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A run being logged to, with its metrics, params and tags batched: points wait in memory until
 * {@link #batchSize()} of them are pending, {@link #flushIntervalMillis()} have passed, or
 * {@link #flush()} / {@link #close()} is called, and each flush costs at most one Delta commit per
 * kind. So 10,000 metric points cost a handful of commits, not 10,000. Points not yet flushed when
 * the process dies are lost; the run itself stays visible, and once its heartbeat (written at the interval
 * {@value OmeletRegistry#HEARTBEAT_INTERVAL_CONF} sets) is older than the timeout it reads as
 * {@link RunStatus#STALE} until {@link OmeletRegistry#markStale} ends it FAILED.
 *
 * <p>{@link #close()} flushes and ends the run FINISHED unless it was already ended; use
 * {@link #fail(Throwable)} to end it FAILED. Thread-safe.
 */
public final class ActiveRun implements AutoCloseable {
  public static final int DEFAULT_BATCH_SIZE = 5000;
  public static final long DEFAULT_FLUSH_INTERVAL_MS = 5000;

  private static final ScheduledExecutorService FLUSHER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "omelet-run-flusher");
    t.setDaemon(true);
    return t;
  });

  private final OmeletRegistry registry;
  private final RunInfo info;
  private final int batchSize;
  private final long flushIntervalMillis;
  private final Object lock = new Object();
  /** Held for a whole flush, so {@link #end} waits for one the timer has in flight. */
  private final Object flushing = new Object();
  private List<Metric> metrics = new ArrayList<>();
  private Map<String, String> params = new LinkedHashMap<>();
  private Map<String, String> tags = new LinkedHashMap<>();
  /** A batch whose write failed part-way: written again first, under its own id, so nothing doubles. */
  private volatile Batch unwritten;
  /** Params this run holds, stored or pending: checked locally so each log call needs no read. */
  private final Map<String, String> knownParams;
  private final ScheduledFuture<?> timer;
  private final ScheduledFuture<?> beat;
  private volatile boolean ended;

  ActiveRun(OmeletRegistry registry, RunInfo info) {
    this(registry, info, DEFAULT_BATCH_SIZE, DEFAULT_FLUSH_INTERVAL_MS);
  }

  ActiveRun(OmeletRegistry registry, RunInfo info, int batchSize, long flushIntervalMillis) {
    this.registry = registry;
    this.info = info;
    this.batchSize = batchSize;
    this.flushIntervalMillis = flushIntervalMillis;
    this.knownParams = new HashMap<>(registry.logs().loggedParams(info.runId(), null));
    this.timer = FLUSHER.scheduleWithFixedDelay(this::flushQuietly, flushIntervalMillis, flushIntervalMillis,
        TimeUnit.MILLISECONDS);
    // The heartbeat says this process is alive; when it stops, the run reads as STALE after the timeout.
    registry.runs().heartbeat(info.runId());
    long every = registry.runs().heartbeatIntervalMillis();
    this.beat = FLUSHER.scheduleWithFixedDelay(this::beatQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  private void beatQuietly() {
    try {
      if (!ended) registry.runs().heartbeat(info.runId());
    } catch (RuntimeException e) {
      // a missed beat: the next one retries; only a long silence makes the run stale
    }
  }

  public String runId() {
    return info.runId();
  }

  public RunInfo info() {
    return info;
  }

  public OmeletRegistry registry() {
    return registry;
  }

  public int batchSize() {
    return batchSize;
  }

  public long flushIntervalMillis() {
    return flushIntervalMillis;
  }

  public ActiveRun logMetric(String key, double value) {
    return logMetric(key, value, 0);
  }

  public ActiveRun logMetric(String key, double value, long step) {
    Names.requireKey(key);
    boolean full;
    synchronized (lock) {
      requireOpen();
      metrics.add(new Metric(key, value, System.currentTimeMillis(), step));
      full = pending() >= batchSize;
    }
    if (full) flush();
    return this;
  }

  public ActiveRun logMetrics(Map<String, Double> values) {
    values.forEach(this::logMetric);
    return this;
  }

  /** Params are immutable: a second, different value for a key fails here, at once. */
  public ActiveRun logParam(String key, String value) {
    synchronized (lock) {
      requireOpen();
      Map<String, String> fresh = registry.logs().checkParams(info.runId(), Map.of(key, value == null ? "" : value), knownParams);
      fresh.forEach((k, v) -> {
        knownParams.put(k, v);
        params.put(k, v);
      });
    }
    return this;
  }

  public ActiveRun logParams(Map<String, ?> values) {
    values.forEach((k, v) -> logParam(k, String.valueOf(v)));
    return this;
  }

  public ActiveRun setTag(String key, String value) {
    Names.requireKey(key);
    synchronized (lock) {
      requireOpen();
      tags.put(key, value);
    }
    return this;
  }

  public ActiveRun setTags(Map<String, String> values) {
    values.forEach(this::setTag);
    return this;
  }

  public ActiveRun logInput(DatasetRef ref) {
    registry.logInput(info.runId(), ref);
    return this;
  }

  public ActiveRun logArtifact(java.nio.file.Path local, String artifactDir) {
    registry.logArtifact(info.runId(), local, artifactDir);
    return this;
  }

  /** Copies the contents of a local folder into the run's artifacts under {@code artifactDir}. */
  public ActiveRun logArtifacts(java.nio.file.Path localDir, String artifactDir) {
    registry.logArtifacts(info.runId(), localDir, artifactDir);
    return this;
  }

  public ActiveRun logText(String text, String artifactFile) {
    registry.logText(info.runId(), text, artifactFile);
    return this;
  }

  /** Starts a nested run under this one. */
  public ActiveRun startChildRun(String runName) {
    return new ActiveRun(registry,
        registry.createRun(info.experimentId(), runName, info.runId(), Map.of()), batchSize, flushIntervalMillis);
  }

  /** Writes everything pending: at most one commit each for metrics, params and tags. */
  public void flush() {
    synchronized (flushing) {
      flushPending();
    }
  }

  /** What one flush writes, and the tables it has reached (so writing it again appends each part once). */
  private record Batch(java.util.Set<String> written, List<Metric> metrics, Map<String, String> params,
                       Map<String, String> tags) {
    int size() {
      return metrics.size() + params.size() + tags.size();
    }
  }

  private void flushPending() {
    // Called under 'flushing': one flush at a time, so 'unwritten' is only touched here.
    if (unwritten != null) {
      registry.logs().writeBatch(info.runId(), unwritten.metrics, unwritten.params, unwritten.tags, unwritten.written);
      unwritten = null;
    }
    Batch b;
    synchronized (lock) {
      if (metrics.isEmpty() && params.isEmpty() && tags.isEmpty()) return;
      b = new Batch(new java.util.HashSet<>(), metrics, params, tags);
      metrics = new ArrayList<>();
      params = new LinkedHashMap<>();
      tags = new LinkedHashMap<>();
    }
    try {
      registry.logs().writeBatch(info.runId(), b.metrics, b.params, b.tags, b.written);
    } catch (RuntimeException e) {
      // Kept whole with the tables it reached: the next flush writes what this one could not, and only that.
      unwritten = b;
      throw e;
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      // The next flush (or close) retries and reports.
    }
  }

  /**
   * Flushes and ends the run with the given status. When what is pending cannot be written, the
   * run ends FAILED with that error (never FINISHED with rows missing) and the error is thrown.
   */
  public void end(RunStatus status) {
    if (ended) return;
    timer.cancel(false);
    beat.cancel(false);
    try {
      flush(); // waits for a timer flush in flight, which puts back what it could not write
    } catch (RuntimeException e) {
      ended = true;
      try {
        registry.markFailed(info.runId(), "the run's last " + pending() + " metrics, params and tags could not be"
            + " written: " + e);
      } catch (RuntimeException alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
    registry.setTerminated(info.runId(), status);
    ended = true;
  }

  /** Records the error (class, message and stack) and ends the run FAILED. */
  public void fail(Throwable error) {
    if (ended) return;
    StringWriter trace = new StringWriter();
    error.printStackTrace(new PrintWriter(trace));
    String text = trace.toString();
    setTag(OmeletRegistry.ERROR_TAG, text.length() > 5000 ? text.substring(0, 5000) : text);
    end(RunStatus.FAILED);
  }

  /** Ends the run FINISHED unless it already ended. */
  @Override
  public void close() {
    end(RunStatus.FINISHED);
  }

  private int pending() {
    synchronized (lock) {
      return metrics.size() + params.size() + tags.size() + (unwritten == null ? 0 : unwritten.size());
    }
  }

  private void requireOpen() {
    if (ended) throw new RegistryException("run " + info.runId() + " has ended; start a new run to log more");
  }
}
