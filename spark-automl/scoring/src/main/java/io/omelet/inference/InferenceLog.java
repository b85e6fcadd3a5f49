package io.omelet.inference;

import io.omelet.scoring.LoadedModel;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference log of one served model: an {@link InferenceLogWriter} on the model's
 * {@link InferenceTable}, replaced when a reload brings a version whose features (and so the
 * table's columns) differ; the old writer is closed, which writes what it holds. Its counters add
 * up over every writer it had, so a server's figures do not reset at a reload.
 */
public final class InferenceLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceLog.class);

  private final SparkSession spark;
  private final String root;
  private final InferenceLogConfig config;
  private final AtomicReference<InferenceLogWriter> writer = new AtomicReference<>();
  /** Rows the table could not hold (a label for a regression table after a reload changed the model's kind). */
  private final AtomicLong refused = new AtomicLong();
  // the figures of the writers closed at reloads
  private long pastLogged;
  private long pastDropped;
  private long pastSampledOut;
  private long pastFlushes;
  private long pastFailedFlushes;

  private InferenceLog(SparkSession spark, String root, InferenceLogConfig config, InferenceLogWriter first) {
    this.spark = spark;
    this.root = root;
    this.config = config;
    this.writer.set(first);
  }

  /**
   * Opens (or creates) {@code model}'s table under the registry root and starts writing to it.
   * Fails here, before any request, when the model is not a registered one, the root cannot be
   * written or the existing table does not fit the model.
   */
  public static InferenceLog start(SparkSession spark, String root, LoadedModel model, InferenceLogConfig config) {
    InferenceTable table = InferenceTable.open(spark, root, model);
    return new InferenceLog(spark, root, config, InferenceLogWriter.start(table, config));
  }

  /** Queues one served row (never blocks); false when sampled out, dropped or refused. */
  public boolean offer(InferenceRecord record) {
    try {
      return writer.get().offer(record);
    } catch (IllegalArgumentException e) {
      if (refused.getAndIncrement() == 0) LOG.warn("inference rows refused by {}: {}", tablePath(), e.getMessage());
      return false;
    }
  }

  /**
   * Follows a reload: when {@code next} writes other columns than the current table schema, opens
   * the table for it (adding the new feature columns) and swaps writers. When that fails the old
   * writer stays: fields it has no column for go to {@code extra_features}, nothing is lost.
   */
  public synchronized void modelChanged(LoadedModel next) {
    InferenceLogWriter current = writer.get();
    InferenceSchema wanted = InferenceSchema.of(next.mojo().codec(), next.mojo().isClassifier());
    if (wanted.struct().equals(current.table().schema().struct())) return;
    InferenceLogWriter replacement;
    try {
      replacement = InferenceLogWriter.start(InferenceTable.open(spark, root, next), config);
    } catch (RuntimeException e) {
      LOG.warn("{} now serves {}, whose columns the inference table cannot take; rows keep the old columns: {}",
          current.table().path(), next.describe(), e.getMessage());
      return;
    }
    writer.set(replacement);
    current.close();
    pastLogged += current.loggedRows();
    pastDropped += current.droppedRows();
    pastSampledOut += current.sampledOutRows();
    pastFlushes += current.flushes();
    pastFailedFlushes += current.failedFlushes();
  }

  public String tablePath() {
    return writer.get().table().path();
  }

  public double sampleFraction() {
    return config.sampleFraction();
  }

  public synchronized long loggedRows() {
    return pastLogged + writer.get().loggedRows();
  }

  /** Rows lost: a full queue, a writer that could not write at close, or a row the table refused. */
  public synchronized long droppedRows() {
    return pastDropped + writer.get().droppedRows() + refused.get();
  }

  public synchronized long sampledOutRows() {
    return pastSampledOut + writer.get().sampledOutRows();
  }

  public int queueDepth() {
    return writer.get().queueDepth();
  }

  public synchronized long flushes() {
    return pastFlushes + writer.get().flushes();
  }

  public synchronized long failedFlushes() {
    return pastFailedFlushes + writer.get().failedFlushes();
  }

  /** Writes every row offered so far and stops. */
  @Override
  public synchronized void close() {
    writer.get().close();
  }
}
