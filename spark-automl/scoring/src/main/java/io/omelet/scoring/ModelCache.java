package io.omelet.scoring;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The one JVM-wide cache of what scoring and explaining load from MOJOs: loaded h2o-genmodel
 * models, their flat forests, contribution predictors and the MOJO bytes of registered versions.
 * An interpreter or a scoring server lives for weeks and sees many models, so the cache is bounded
 * by an estimate of the bytes it holds and drops the least recently used entries beyond it.
 *
 * <p>The bound is {@value #MAX_BYTES_PROPERTY} (a JVM system property: set it on executors with
 * {@code spark.executor.extraJavaOptions}); by default a quarter of the maximum heap, at most 2 GiB.
 * The entry added last is kept even when it alone is larger than the bound.
 *
 * <p>Each key is loaded once even when many tasks ask for it at the same time: the first caller
 * loads, outside the lock, and the others wait for its result. A load that fails is not cached.
 * What holds an entry's value (a scorer in a running task) keeps it alive after eviction; the cache
 * only stops being one more reference to it.
 */
public final class ModelCache {
  public static final String MAX_BYTES_PROPERTY = "omelet.cache.maxBytes";

  static final ModelCache SHARED = new ModelCache(defaultMaxBytes());

  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long maxBytes;
  private long bytes;
  private long evictions;

  private static final class Entry {
    final CompletableFuture<Object> value = new CompletableFuture<>();
    long bytes;
  }

  ModelCache(long maxBytes) {
    setMaxBytes(maxBytes);
  }

  /** The JVM's cache. */
  public static ModelCache shared() {
    return SHARED;
  }

  private static long defaultMaxBytes() {
    String v = System.getProperty(MAX_BYTES_PROPERTY);
    if (v != null && !v.isBlank()) {
      try {
        return Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(MAX_BYTES_PROPERTY + " must be a number of bytes, not '" + v + "'", e);
      }
    }
    return Math.min(2L << 30, Runtime.getRuntime().maxMemory() / 4);
  }

  /**
   * The value cached under {@code key}, loading it with {@code load} when absent; {@code weigh}
   * estimates the bytes the value holds.
   */
  @SuppressWarnings("unchecked")
  <T> T get(String key, Supplier<T> load, ToLongFunction<? super T> weigh) {
    Entry e;
    boolean mine = false;
    synchronized (this) {
      e = entries.get(key);
      if (e == null) {
        e = new Entry();
        entries.put(key, e);
        mine = true;
      }
    }
    if (!mine) {
      try {
        return (T) e.value.join();
      } catch (CompletionException failed) {
        Throwable cause = failed.getCause();
        if (cause instanceof RuntimeException r) throw r;
        if (cause instanceof Error err) throw err;
        throw failed;
      }
    }
    T v;
    try {
      v = load.get();
    } catch (RuntimeException | Error failed) {
      synchronized (this) {
        entries.remove(key, e);
      }
      e.value.completeExceptionally(failed);
      throw failed;
    }
    long w = Math.max(1, weigh.applyAsLong(v));
    synchronized (this) {
      if (entries.get(key) == e) { // not dropped by clear() meanwhile
        e.bytes = w;
        bytes += w;
        evictBeyondBound(e);
      }
    }
    e.value.complete(v);
    return v;
  }

  /** Drops least recently used, loaded entries until the total is within the bound. */
  private void evictBeyondBound(Entry keep) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Entry e = it.next().getValue();
      if (e == keep || !e.value.isDone()) continue; // a load in flight weighs nothing yet
      it.remove();
      bytes -= e.bytes;
      evictions++;
    }
  }

  /** Changes the bound and evicts down to it (for a long-lived server that is told its budget). */
  public synchronized void setMaxBytes(long maxBytes) {
    if (maxBytes <= 0) throw new IllegalArgumentException(MAX_BYTES_PROPERTY + " must be positive, not " + maxBytes);
    this.maxBytes = maxBytes;
    evictBeyondBound(null);
  }

  public synchronized long maxBytes() {
    return maxBytes;
  }

  /** The estimated bytes of the entries held now. */
  public synchronized long bytes() {
    return bytes;
  }

  public synchronized int size() {
    return entries.size();
  }

  /** How many entries were dropped to stay within the bound since this JVM started. */
  public synchronized long evictions() {
    return evictions;
  }

  public synchronized void clear() {
    entries.clear();
    bytes = 0;
  }
}
