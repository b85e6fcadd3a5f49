package io.omelet.inference;

import io.omelet.scoring.LoadedModel;
import io.omelet.scoring.MojoModel;

import java.time.Instant;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Structured Streaming into a model's inference table: a query that scores with
 * {@code omelet_predict} writes each micro-batch's rows exactly once through Spark's checkpoint.
 *
 * <pre>{@code
 * Dataset<Row> scored = spark.readStream().schema(schema).json("/landing/customers")
 *     .selectExpr("*", "omelet_predict('churn@champion', *) AS p");
 * StreamingQuery q = scored.writeStream()
 *     .foreachBatch(InferenceStream.writer(registryRoot, scored, "p"))
 *     .option("checkpointLocation", "/checkpoints/churn-inference")
 *     .start();
 * }</pre>
 *
 * <p>Each micro-batch is one Delta commit made with Delta's idempotent writes: {@code txnAppId}
 * is the streaming query's id (kept in its checkpoint, so the same across restarts) and
 * {@code txnVersion} the batch id. A batch Spark runs again after a failure or a restart (its
 * commit was made but the checkpoint had not recorded it) adds nothing the second time, and the
 * checkpoint makes sure no batch is left out: every input row lands once. Its rows' ids are
 * {@code <query id>-<batch id>-<n>} and its {@code timestamp} the time the batch was written.
 *
 * <p>The model is the version the query resolved when it was defined: {@code omelet_predict}
 * resolves {@code churn@champion} once, so a moved alias is followed when the query is started
 * again.
 */
public final class InferenceStream {
  /** The prefix of the {@code txnAppId} of a streaming query's appends, before the query's id. */
  public static final String APP_ID_PREFIX = "omelet-stream-";
  /** The local property Spark sets to the running query's id on its micro-batch thread. */
  private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";

  private InferenceStream() {}

  /**
   * The {@code foreachBatch} function that appends each micro-batch of {@code scored} (a streaming
   * DataFrame with {@code omelet_predict}'s result in {@code predictionColumn}) to its model's
   * table under {@code registryRoot}. Opens (creates) the table now, so a root that cannot be
   * written fails before the query starts.
   *
   * @throws IllegalArgumentException when {@code scored} is not streaming, its column is not
   *     {@code omelet_predict}'s result, or the model is a run artifact (no registered name)
   */
  public static VoidFunction2<Dataset<Row>, Long> writer(String registryRoot, Dataset<Row> scored,
      String predictionColumn) {
    if (!scored.isStreaming()) {
      throw new IllegalArgumentException("InferenceStream.writer takes the streaming DataFrame the query writes;"
          + " append a batch DataFrame with InferenceRows.ofPredictions(scored, \"" + predictionColumn + "\").appendTo(root)");
    }
    LoadedModel model = InferenceRows.modelOf(scored, predictionColumn);
    InferenceRows.predictionColumn(scored.schema(), predictionColumn, model);
    InferenceRows.requireRegistered(model);
    MojoModel mojo = model.mojo();
    InferenceTable table = InferenceTable.open(scored.sparkSession(), registryRoot, model.resolved().name(),
        mojo.codec(), mojo.isClassifier());
    return new Writer(table, model, predictionColumn);
  }

  /** Runs on the driver, on the query's micro-batch thread. */
  private static final class Writer implements VoidFunction2<Dataset<Row>, Long> {
    private static final long serialVersionUID = 1L;
    private final transient InferenceTable table;
    private final LoadedModel model;
    private final String column;

    Writer(InferenceTable table, LoadedModel model, String column) {
      this.table = table;
      this.model = model;
      this.column = column;
    }

    @Override
    public void call(Dataset<Row> batch, Long batchId) {
      String queryId = batch.sparkSession().sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
      if (queryId == null) {
        throw new IllegalStateException("InferenceStream.writer is a foreachBatch function of a streaming query:"
            + " called outside one, it has no query id for its idempotent appends");
      }
      String jobId = queryId.replace("-", "") + "-" + batchId;
      InferenceRows rows = InferenceRows.ofPredictions(batch, column, model, jobId, Instant.now());
      table.append(rows, APP_ID_PREFIX + queryId, batchId);
    }
  }
}
