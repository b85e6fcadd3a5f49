package io.omelet.examples.bench;

import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sequence;

import io.omelet.inference.InferenceRows;
import io.omelet.inference.InferenceStream;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructType;

/**
 * The streaming part of bin/bench inference: the same rows (lending_club repeated to {@code rows}
 * rows, in {@code files} Parquet files) scored by {@code omelet_predict} twice, each appended to the
 * model's inference table: by a Structured Streaming query on the file source
 * ({@code maxFilesPerTrigger} files a micro-batch, Trigger.AvailableNow, a checkpoint) through
 * {@link InferenceStream#writer}, its rows/s taken from the query's progress (rows over the
 * micro-batches' trigger time), and by one batch query through {@link InferenceRows}, timed whole.
 * Medians of 3 after a warm-up; the session must have the Omelet SQL functions.
 */
final class InferenceStreaming {
  private InferenceStreaming() {}

  static void run(SparkSession spark, Path work, String root, Dataset<Row> data, String uri, int rows, int files,
      int filesPerTrigger) throws Exception {
    String input = work.resolve("stream-input").toString();
    long base = data.count();
    long copies = (rows + base - 1) / base;
    data.drop("Class").withColumn("copy", explode(sequence(lit(1L), lit(copies)))).drop("copy").limit(rows)
        .repartition(files).write().parquet(input);
    StructType schema = spark.read().parquet(input).schema();
    long n = spark.read().parquet(input).count();
    String select = "SELECT *, omelet_predict('" + uri + "', *) AS scored FROM ";
    spark.read().parquet(input).createOrReplaceTempView("inference_batch_input");

    // warm-up: the model's load, the JIT and Delta's first commits are nobody's figure
    String table = writeBatch(spark.sql(select + "inference_batch_input"), root);

    double[] batchRates = new double[3];
    double[] streamRates = new double[3];
    double[] streamWallRates = new double[3];
    long batches = 0;
    for (int i = 0; i < 3; i++) {
      System.gc();
      long t0 = System.nanoTime();
      writeBatch(spark.sql(select + "inference_batch_input"), root);
      batchRates[i] = n / Figures.since(t0);

      System.gc();
      spark.readStream().schema(schema).option("maxFilesPerTrigger", filesPerTrigger).parquet(input)
          .createOrReplaceTempView("inference_stream_input");
      long before = spark.read().format("delta").load(table).count();
      long s0 = System.nanoTime();
      StreamingQuery q = writeStream(spark.sql(select + "inference_stream_input"), root,
          work.resolve("stream-" + i + "-checkpoint").toString());
      q.awaitTermination();
      double wall = Figures.since(s0);
      long streamed = 0;
      long triggerMs = 0;
      for (StreamingQueryProgress p : q.recentProgress()) {
        if (p.numInputRows() == 0) continue;
        streamed += p.numInputRows();
        triggerMs += p.durationMs().get("triggerExecution");
      }
      batches = q.recentProgress().length;
      if (streamed != n) {
        throw new IllegalStateException("the streaming query's progress counts " + streamed + " rows, not " + n
            + " (more micro-batches than the progress keeps?)");
      }
      long written = spark.read().format("delta").load(table).count() - before;
      if (written != n) throw new IllegalStateException("the streaming query wrote " + written + " rows, not " + n);
      streamRates[i] = streamed / (triggerMs / 1000.0);
      streamWallRates[i] = n / wall;
      System.err.printf("round %d: batch %.0f rows/s; streaming %.0f rows/s over %d micro-batches (%.0f rows/s"
          + " from start to end)%n", i, batchRates[i], streamRates[i], batches, streamWallRates[i]);
    }
    double stream = Figures.median(streamRates);
    double batch = Figures.median(batchRates);
    Figures.print("streaming_rows", n);
    Figures.print("streaming_files", (long) files);
    Figures.print("streaming_files_per_trigger", (long) filesPerTrigger);
    Figures.print("streaming_rows_per_s", stream);
    Figures.print("streaming_wall_rows_per_s", Figures.median(streamWallRates));
    Figures.print("batch_rows_per_s", batch);
    Figures.print("streaming_over_batch", stream / batch);
  }

  /** The streaming query, appending each micro-batch to the model's inference table exactly once. */
  private static StreamingQuery writeStream(Dataset<Row> scored, String root, String checkpoint) throws Exception {
    return scored.writeStream().foreachBatch(InferenceStream.writer(root, scored, "scored"))
        .option("checkpointLocation", checkpoint).trigger(Trigger.AvailableNow()).start();
  }

  /** The batch query, appended to the model's inference table in one commit; the table's path. */
  private static String writeBatch(Dataset<Row> scored, String root) {
    return InferenceRows.ofPredictions(scored, "scored").appendTo(root).path();
  }
}
