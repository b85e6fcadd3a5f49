package io.omelet.scoring;

import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.ResolvedModel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The served model of one URI: one immutable {@link ServedModel} generation behind an
 * {@link AtomicReference}, swapped when the URI comes to point at another version. Requests in
 * flight finish on the generation they started with. One thread runs every reload, timed or
 * asked for over HTTP: never a request thread.
 */
final class ModelReloads implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelReloads.class);
  /** Asked-for reloads run registry jobs: at most one a second, whatever clients send. */
  static final long MIN_RELOAD_INTERVAL_MS = 1000;

  private final OmeletRegistry registry;
  private final String uri;
  private final AtomicReference<ServedModel> current = new AtomicReference<>();
  private final ScheduledExecutorService reloader;
  /** Told of each new generation, on the reload thread, after the swap. */
  private final Consumer<LoadedModel> swapped;
  private volatile String lastError;
  private volatile Instant lastCheck;
  /** The reload asked for last (joined by requests that come while it runs), and when it ended. */
  private CompletableFuture<Boolean> requested;
  private volatile long requestedEndNanos;
  /** Reloads since start by outcome (for /metrics): the URI moved, it did not, or it did not resolve. */
  private final LongAdder changed = new LongAdder();
  private final LongAdder unchanged = new LongAdder();
  private final LongAdder failed = new LongAdder();

  ModelReloads(OmeletRegistry registry, String uri, LoadedModel first, Duration interval, Consumer<LoadedModel> swapped) {
    this.registry = registry;
    this.uri = uri;
    this.swapped = swapped;
    Instant now = Instant.now();
    this.current.set(new ServedModel(first, now));
    this.lastCheck = now;
    this.reloader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "omelet-serve-reload");
      t.setDaemon(true);
      return t;
    });
    if (!interval.isZero()) {
      long ms = interval.toMillis();
      reloader.scheduleWithFixedDelay(this::reloadQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  ServedModel current() {
    return current.get();
  }

  Instant lastCheck() {
    return lastCheck;
  }

  /** Why the last reload failed, or null when it did not. */
  String lastError() {
    return lastError;
  }

  void failed(String why) {
    lastError = why;
  }

  /** Resolves the URI again and swaps the generation if it now points elsewhere; whether it changed. */
  synchronized boolean reload() {
    boolean moved;
    try {
      moved = swapIfMoved();
    } catch (RuntimeException e) {
      failed.increment();
      throw e;
    }
    (moved ? changed : unchanged).increment();
    return moved;
  }

  /** Reloads that swapped in another version (or location), that found the same, that failed. */
  long changedReloads() {
    return changed.sum();
  }

  long unchangedReloads() {
    return unchanged.sum();
  }

  long failedReloads() {
    return failed.sum();
  }

  private boolean swapIfMoved() {
    LoadedModel next = ModelLoader.load(registry, uri);
    lastCheck = Instant.now();
    lastError = null;
    ServedModel now = current.get();
    ResolvedModel a = now.loaded.resolved();
    ResolvedModel b = next.resolved();
    if (Objects.equals(a.version(), b.version()) && a.location().equals(b.location())
        && now.mojo.key().equals(next.mojo().key())) {
      return false;
    }
    current.set(new ServedModel(next, Instant.now()));
    LOG.info("serving {} ({}) instead of {}", uri, next.describe(), now.loaded.describe());
    swapped.accept(next);
    return true;
  }

  private void reloadQuietly() {
    try {
      reload();
    } catch (RuntimeException e) {
      lastError = e.getMessage();
      LOG.warn("reload of {} failed; still serving {}: {}", uri, current().loaded.describe(), e.getMessage());
    }
  }

  /**
   * The reload a request waits for: the one running if there is one (requests that come together
   * share it), else a new one on the reload thread; null when the last ended less than
   * {@link #MIN_RELOAD_INTERVAL_MS} ago.
   */
  synchronized CompletableFuture<Boolean> request() {
    if (requested != null && !requested.isDone()) return requested;
    if (requested != null && System.nanoTime() - requestedEndNanos < MIN_RELOAD_INTERVAL_MS * 1_000_000L) {
      return null;
    }
    requested = CompletableFuture.supplyAsync(() -> {
      try {
        return reload();
      } finally {
        requestedEndNanos = System.nanoTime();
      }
    }, reloader);
    return requested;
  }

  @Override
  public void close() {
    reloader.shutdownNow();
  }
}
