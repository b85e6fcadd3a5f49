package io.omelet.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes served rows to a model's {@link InferenceTable} without making scoring wait on Delta.
 * {@link #offer} puts a row in a bounded queue and returns at once; when the queue is full the
 * row is dropped and counted. One daemon thread drains the queue with one Delta commit per flush:
 * every {@code flushInterval}, or as soon as {@code flushRows} rows wait, each commit taking all
 * the rows waiting (up to {@link #MAX_BATCH_ROWS}).
 *
 * <p>Each flush is an idempotent append: the writer's own {@code txnAppId} and the flush's number
 * as {@code txnVersion}. A flush that fails is retried with the same rows and the same number, so
 * one that was committed before it failed (a lost response from the store, a failure after the
 * commit) is skipped by Delta the second time instead of adding its rows twice. A killed process
 * loses at most the rows it had not flushed; a new writer has a new app id.
 *
 * <p>{@link #close()} writes every row offered before it, then stops the thread.
 */
public final class InferenceLogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceLogWriter.class);
  /** Attempts at each batch once closing: a stop must end even when the table cannot be written. */
  private static final int ATTEMPTS_AT_CLOSE = 3;
  private static final long DROP_WARNING_EVERY_NANOS = 1_000_000_000L;
  /** The most rows one commit takes when more wait (the rows of a batch are held twice while converted). */
  static final int MAX_BATCH_ROWS = 100_000;

  /** Runs after an append returned, before the flush counts as done: how tests fail a committed flush. */
  @FunctionalInterface
  interface AfterAppend {
    void run(long txnVersion) throws Exception;
  }

  private final InferenceTable table;
  private final InferenceLogConfig config;
  private final RequestSampling sampling;
  private final ArrayBlockingQueue<InferenceRecord> queue;
  private final String appId = "omelet-inference-" + UUID.randomUUID();
  private final boolean javaTime;
  private final Thread thread;

  private final AtomicLong logged = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong sampledOut = new AtomicLong();
  private final AtomicLong flushes = new AtomicLong();
  private final AtomicLong failedFlushes = new AtomicLong();
  private final AtomicLong offersInFlight = new AtomicLong();
  private final AtomicLong lastDropWarning = new AtomicLong(System.nanoTime() - DROP_WARNING_EVERY_NANOS);
  /** Set by close(): offers from then on are dropped. */
  private volatile boolean closed;
  /** Set once no offer is in flight any more: the writer flushes what is left and ends. */
  private volatile boolean stopping;
  private volatile AfterAppend afterAppend;

  // the writer thread's own: the batch being written and its transaction version
  private List<Row> pending;
  private long pendingVersion;
  private long nextVersion = 1;

  private InferenceLogWriter(InferenceTable table, InferenceLogConfig config) {
    this.table = table;
    this.config = config;
    this.sampling = new RequestSampling(config.sampleFraction());
    this.queue = new ArrayBlockingQueue<>(config.capacity());
    // the session's setting decides which Java class a timestamp column takes
    this.javaTime = Boolean.parseBoolean(table.spark().conf().get("spark.sql.datetime.java8API.enabled", "false"));
    this.thread = new Thread(this::run, "omelet-inference-log");
    thread.setDaemon(true);
  }

  /** Starts writing to {@code table}. */
  public static InferenceLogWriter start(InferenceTable table, InferenceLogConfig config) {
    InferenceLogWriter w = new InferenceLogWriter(table, config);
    w.thread.start();
    LOG.info("logging inferences to {} (app id {}, sample fraction {})", table.path(), w.appId, config.sampleFraction());
    return w;
  }

  /**
   * Queues one served row; never blocks. Returns false when the row is not queued: its request is
   * sampled out, the queue is full (counted in {@link #droppedRows()}) or the writer is closed
   * (counted too).
   *
   * @throws IllegalArgumentException when the table cannot hold the row (a label from a regression model)
   */
  public boolean offer(InferenceRecord record) {
    table.schema().check(record);
    if (!sampling.keeps(record.requestId())) {
      sampledOut.incrementAndGet();
      return false;
    }
    // close() waits for offers in flight, so a row that got past `closed` is in the queue before the last flush
    offersInFlight.incrementAndGet();
    try {
      if (closed || !queue.offer(record)) {
        drop(1, closed ? "the inference log is closed" : "the inference log's queue is full ("
            + config.capacity() + " rows)");
        return false;
      }
      if (queue.size() >= config.flushRows()) LockSupport.unpark(thread);
      return true;
    } finally {
      offersInFlight.decrementAndGet();
    }
  }

  /** Rows committed to the table. */
  public long loggedRows() {
    return logged.get();
  }

  /** Rows lost: offered to a full queue or after close, or (at close) not written after every attempt. */
  public long droppedRows() {
    return dropped.get();
  }

  /** Rows of requests the sample fraction left out (not counted as dropped). */
  public long sampledOutRows() {
    return sampledOut.get();
  }

  /** Rows waiting in the queue. */
  public int queueDepth() {
    return queue.size();
  }

  /** Commits made. */
  public long flushes() {
    return flushes.get();
  }

  /** Flush attempts that failed (each was retried, with the same rows and transaction version). */
  public long failedFlushes() {
    return failedFlushes.get();
  }

  /** The Delta transaction app id this writer's commits carry. */
  public String appId() {
    return appId;
  }

  public InferenceTable table() {
    return table;
  }

  void afterAppend(AfterAppend hook) {
    this.afterAppend = hook;
  }

  /** Writes every row offered before this call, then stops the writer thread. */
  @Override
  public void close() {
    closed = true;
    while (offersInFlight.get() != 0) Thread.onSpinWait(); // an offer in flight takes nanoseconds
    stopping = true;
    LockSupport.unpark(thread);
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true; // the rows must still be written: wait, and say so afterwards
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }

  // ------------------------------------------------------------ the writer thread

  private void run() {
    boolean failed = false;
    try {
      while (true) {
        waitForWork(failed);
        // read before draining: once stopping is set no offer can add a row any more
        boolean last = stopping;
        failed = !flushWaiting(last ? ATTEMPTS_AT_CLOSE : 1);
        if (last) {
          if (failed) dropUnwritten("could not be written after " + ATTEMPTS_AT_CLOSE + " attempts at close");
          return;
        }
      }
    } catch (RuntimeException | Error e) {
      closed = true;
      LOG.error("the inference log writer for {} stopped; rows offered from now on are dropped", table.path(), e);
      dropUnwritten("were waiting when the writer stopped");
    }
  }

  /** Waits for the interval to pass, for flushRows rows (not right after a failure: back off), or for close. */
  private void waitForWork(boolean afterFailure) {
    long deadline = System.nanoTime() + config.flushInterval().toNanos();
    while (!stopping) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || (!afterFailure && queue.size() >= config.flushRows())) return;
      LockSupport.parkNanos(this, left);
    }
  }

  /** Flushes until nothing waits; false when a batch failed {@code attempts} times (it stays pending). */
  private boolean flushWaiting(int attempts) {
    while (pending != null || !queue.isEmpty()) {
      if (pending == null) takeBatch();
      if (pending != null && !flushPending(attempts)) return false;
    }
    return true;
  }

  /**
   * The next batch, converted once: a retry must send the very rows of the first attempt. It takes
   * everything waiting, up to {@link #MAX_BATCH_ROWS}, not just {@code flushRows}: a commit's cost
   * is mostly fixed (about a second here for 10,000 rows, under two for 50,000), so a writer that
   * fell behind catches up in fewer, larger commits instead of falling further behind.
   */
  private void takeBatch() {
    int limit = Math.max(config.flushRows(), MAX_BATCH_ROWS);
    List<InferenceRecord> records = new ArrayList<>(Math.min(queue.size(), limit));
    queue.drainTo(records, limit);
    List<Row> rows = new ArrayList<>(records.size());
    for (InferenceRecord r : records) {
      try {
        rows.add(table.schema().toRow(r, sampling.fraction(), javaTime));
      } catch (RuntimeException e) {
        drop(1, "a row could not be converted");
        LOG.warn("inference row of request {} dropped: {}", r.requestId(), e.toString());
      }
    }
    if (rows.isEmpty()) return;
    pending = rows;
    pendingVersion = nextVersion++;
  }

  private boolean flushPending(int attempts) {
    for (int attempt = 1; ; attempt++) {
      try {
        table.append(pending, appId, pendingVersion);
        AfterAppend hook = afterAppend;
        if (hook != null) hook.run(pendingVersion);
        logged.addAndGet(pending.size());
        flushes.incrementAndGet();
        pending = null;
        return true;
      } catch (Exception e) {
        // Delta throws checked exceptions through Scala code: catch them all, keep the batch
        failedFlushes.incrementAndGet();
        LOG.warn("inference log flush {} of {} rows to {} failed (attempt {}); it will be retried as the same"
            + " transaction: {}", pendingVersion, pending.size(), table.path(), attempt, e.toString());
        if (attempt >= attempts) return false;
      }
    }
  }

  private void dropUnwritten(String why) {
    long lost = (pending == null ? 0 : pending.size()) + queue.size();
    pending = null;
    queue.clear();
    dropped.addAndGet(lost);
    if (lost > 0) LOG.error("inference log of {}: {} rows {} and are lost", table.path(), lost, why);
  }

  private void drop(long rows, String why) {
    long total = dropped.addAndGet(rows);
    long now = System.nanoTime();
    long last = lastDropWarning.get();
    if (now - last >= DROP_WARNING_EVERY_NANOS && lastDropWarning.compareAndSet(last, now)) {
      LOG.warn("{}: {} rows dropped so far; scoring goes on", why, total);
    }
  }
}
