package io.omelet.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.testing.SharedSpark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Structured Streaming query that reads JSON files as they arrive in a folder, scores them with
 * omelet_predict and writes to the model's inference table through InferenceStream: every input
 * row lands exactly once, across a restart from the checkpoint and a micro-batch Spark runs again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InferenceStreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final StructType SCHEMA = StructType.fromDDL("id INT, island STRING, sex STRING, bill_length_mm DOUBLE,"
      + " bill_depth_mm DOUBLE, flipper_length_mm INT, body_mass_g INT, year INT, species STRING");

  PenguinsModel model;
  SparkSession spark;
  List<Row> penguins;
  Path dir;
  /** The batches the query handed to the writer, with their rows. */
  final Map<Long, Long> batchesWritten = new java.util.concurrent.ConcurrentHashMap<>();

  @BeforeAll
  void setUp() {
    model = new PenguinsModel();
    spark = model.spark;
    penguins = model.rows(30).collectAsList();
    dir = SharedSpark.tempDir("inference-stream");
  }

  @AfterAll
  void restore() {
    if (model != null) model.close();
  }

  @Test
  void filesArrivingWhileTheQueryRunsLandInTheTableExactlyOnce() throws Exception {
    Path landing = Files.createDirectories(dir.resolve("landing"));
    String checkpoint = dir.resolve("checkpoint").toString();

    StreamingQuery first = start(landing, checkpoint);
    String table = InferenceTable.location(qualified(model.root), PenguinsModel.NAME);
    arrive(landing, "a.json", 0, 10);
    first.processAllAvailable();
    assertEquals(ids(0, 10), loggedIds(table));
    arrive(landing, "b.json", 10, 20);
    first.processAllAvailable();
    first.stop();
    assertEquals(ids(0, 20), loggedIds(table), "the second file, once, the first not again");
    long batches = first.lastProgress().batchId() + 1;
    assertTrue(batches >= 2, "a batch per file at least: " + batches);

    // As if the query had died between its table commit and its checkpoint's: Spark runs the last
    // batch again on restart, and Delta skips it (the same query id and batch id).
    Path commits = Path.of(checkpoint, "commits");
    long last = batches - 1;
    Files.delete(commits.resolve(Long.toString(last)));
    Files.deleteIfExists(commits.resolve("." + last + ".crc"));

    batchesWritten.clear();
    StreamingQuery second = start(landing, checkpoint);
    assertEquals(first.id(), second.id(), "the checkpoint keeps the query's id: the same txnAppId");
    arrive(landing, "c.json", 20, 30);
    second.processAllAvailable();
    second.stop();
    assertEquals(10L, batchesWritten.get(last), "Spark ran batch " + last + " again: " + batchesWritten);
    assertEquals(ids(0, 30), loggedIds(table), "every row once after the restart");
    long replays = spark.sql("DESCRIBE HISTORY delta.`" + table + "`")
        .where("userMetadata = '" + InferenceTable.JOB_MARKER + first.id().toString().replace("-", "") + "-" + last + "'")
        .count();
    assertEquals(1, replays, "the batch run twice was committed once");

    // the rows are what a batch query scores for the same rows
    Dataset<Row> input = spark.read().schema(SCHEMA).json(landing.toString());
    input.createOrReplaceTempView("landed");
    Map<Integer, Row> expected = new HashMap<>();
    for (Row r : spark.sql("SELECT id, omelet_predict('penguins@champion', *) AS p FROM landed").collectAsList()) {
      expected.put(r.getInt(0), r.getStruct(1));
    }
    for (Row t : spark.read().format("delta").load(table).collectAsList()) {
      Row p = expected.get(JSON.readTree(t.<String>getAs("extra_features")).get("id").asInt());
      assertEquals(p.<String>getAs("prediction"), t.getAs("prediction"));
      assertEquals(p.getJavaMap(p.fieldIndex("probabilities")), t.getJavaMap(t.fieldIndex("probabilities")));
      assertEquals(1, t.<Integer>getAs("model_version"));
      assertEquals("champion", t.getAs("model_alias"));
      assertTrue(t.<String>getAs("request_id").startsWith(first.id().toString().replace("-", "") + "-"));
    }
  }

  @Test
  void aBatchDataFrameOrAColumnThatIsNotTheFunctionsIsRefusedBeforeTheQueryStarts() throws Exception {
    Path landing = Files.createDirectories(dir.resolve("refused"));
    Dataset<Row> batch = spark.read().schema(SCHEMA).json(landing.toString())
        .selectExpr("*", "omelet_predict('penguins@champion', *) AS p");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> InferenceStream.writer(model.root, batch, "p"));
    assertTrue(e.getMessage().contains("InferenceRows.ofPredictions"), e.getMessage());
    Dataset<Row> stream = spark.readStream().schema(SCHEMA).json(landing.toString())
        .selectExpr("*", "omelet_predict('penguins@champion', *) AS p");
    e = assertThrows(IllegalArgumentException.class, () -> InferenceStream.writer(model.root, stream, "species"));
    assertTrue(e.getMessage().contains("column 'species' is string, not omelet_predict's result"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> InferenceRows.ofPredictions(stream, "p"));
    assertTrue(e.getMessage().contains("InferenceStream.writer"), e.getMessage());
  }

  private StreamingQuery start(Path landing, String checkpoint) throws Exception {
    Dataset<Row> scored = spark.readStream().schema(SCHEMA).json(landing.toString())
        .selectExpr("*", "omelet_predict('penguins@champion', *) AS p");
    VoidFunction2<Dataset<Row>, Long> writer = InferenceStream.writer(model.root, scored, "p");
    return scored.writeStream()
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> {
          batchesWritten.put(id, batch.count());
          writer.call(batch, id);
        })
        .option("checkpointLocation", checkpoint)
        .start();
  }

  /** Writes rows [from, to) of the fixture as a JSON-lines file, moved into the folder whole. */
  private void arrive(Path landing, String name, int from, int to) throws IOException {
    StringBuilder lines = new StringBuilder();
    int id = from;
    for (Row r : penguins.subList(from, to)) {
      ObjectNode o = JSON.createObjectNode();
      o.put("id", id++);
      for (String f : SCHEMA.fieldNames()) {
        if (!f.equals("id")) o.set(f, JSON.valueToTree(r.getAs(f)));
      }
      lines.append(o).append('\n');
    }
    Path tmp = Files.writeString(dir.resolve("." + name + ".tmp"), lines.toString());
    Files.move(tmp, landing.resolve(name), StandardCopyOption.ATOMIC_MOVE);
  }

  /** The ids in the table, each with how many rows hold it. */
  private Map<Integer, Integer> loggedIds(String table) throws IOException {
    Map<Integer, Integer> counts = new TreeMap<>();
    for (Row t : spark.read().format("delta").load(table).select("extra_features").collectAsList()) {
      counts.merge(JSON.readTree(t.getString(0)).get("id").asInt(), 1, Integer::sum);
    }
    return counts;
  }

  private static Map<Integer, Integer> ids(int from, int to) {
    Map<Integer, Integer> m = new TreeMap<>();
    for (int i = from; i < to; i++) m.put(i, 1);
    return m;
  }

  private String qualified(String root) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(root);
    return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
  }
}
