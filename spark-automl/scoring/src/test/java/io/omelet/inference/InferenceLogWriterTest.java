package io.omelet.inference;

import static io.omelet.inference.InferenceFixtures.AT;
import static io.omelet.inference.InferenceFixtures.CHURN;
import static io.omelet.inference.InferenceFixtures.JSON;
import static io.omelet.inference.InferenceFixtures.input;
import static io.omelet.inference.InferenceFixtures.newRoot;
import static io.omelet.inference.InferenceFixtures.scored;
import static io.omelet.inference.InferenceFixtures.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The inference log writer on a real Delta table: every offered row written once, a full queue
 * dropping rather than waiting, close flushing, a failed committed flush not applied twice.
 */
class InferenceLogWriterTest {
  /** No flush by time or by rows during a test: only close() flushes, so commits are countable. */
  private static final InferenceLogConfig ONLY_AT_CLOSE = InferenceLogConfig.defaults()
      .withFlushInterval(Duration.ofHours(1)).withFlushRows(Integer.MAX_VALUE);

  @Test
  void rowsOfferedFromSeveralThreadsAreAllWrittenOnce() throws Exception {
    InferenceTable table = InferenceTable.open(spark(), newRoot(), "churn", CHURN, true);
    int threads = 4;
    int perThread = 300;
    // flushes by row count while the threads offer, and by time
    InferenceLogWriter writer = InferenceLogWriter.start(table,
        InferenceLogConfig.defaults().withFlushRows(200).withFlushInterval(Duration.ofMillis(200)));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> accepted = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      accepted.add(pool.submit(() -> {
        go.await();
        int n = 0;
        for (int i = 0; i < perThread; i++) if (writer.offer(scored("t" + thread + "-" + i))) n++;
        return n;
      }));
    }
    go.countDown();
    int total = 0;
    for (Future<Integer> f : accepted) total += f.get();
    pool.shutdown();
    writer.close();

    assertEquals(threads * perThread, total);
    assertEquals(threads * perThread, writer.loggedRows());
    assertEquals(0, writer.droppedRows());
    assertEquals(0, writer.queueDepth());
    Row counts = spark().sql("SELECT count(*), count(DISTINCT request_id) FROM delta.`" + table.path() + "`").first();
    assertEquals(threads * perThread, counts.getLong(0));
    assertEquals(threads * perThread, counts.getLong(1));
    assertEquals(writer.flushes(), writes(table), "one commit per flush");
  }

  @Test
  void aFullQueueDropsAndCountsRowsWithoutWaiting() {
    InferenceTable table = InferenceTable.open(spark(), newRoot(), "churn", CHURN, true);
    InferenceLogWriter writer = InferenceLogWriter.start(table, ONLY_AT_CLOSE.withCapacity(10));
    int queued = 0;
    // nothing drains the queue before close: offers past ten must return, refused, not wait for room
    for (int i = 0; i < 25; i++) if (writer.offer(scored("r" + i))) queued++;
    assertEquals(10, queued);
    assertEquals(15, writer.droppedRows());
    assertEquals(10, writer.queueDepth());
    writer.close();
    assertEquals(10, writer.loggedRows());
    assertEquals(10, table.read().count());
    assertEquals(15, writer.droppedRows());
  }

  @Test
  void closeWritesEveryRowOfferedBeforeItInOneCommit() {
    InferenceTable table = InferenceTable.open(spark(), newRoot(), "churn", CHURN, true);
    InferenceLogWriter writer = InferenceLogWriter.start(table, ONLY_AT_CLOSE);
    for (int i = 0; i < 50; i++) assertTrue(writer.offer(scored("r" + i)));
    assertEquals(0, writes(table), "nothing is written before the interval or the row count");
    writer.close();
    assertEquals(50, table.read().count());
    assertEquals(1, writer.flushes());
    assertEquals(1, writes(table));
    assertEquals(0, writer.queueDepth());

    assertFalse(writer.offer(scored("late")), "a closed writer takes no rows");
    assertEquals(1, writer.droppedRows());
    writer.close(); // a second close is harmless
  }

  @Test
  void aFlushThatFailsAfterItsCommitIsRetriedWithoutAddingItsRowsTwice() {
    InferenceTable table = InferenceTable.open(spark(), newRoot(), "churn", CHURN, true);
    InferenceLogWriter writer = InferenceLogWriter.start(table, ONLY_AT_CLOSE);
    AtomicInteger appendsReturned = new AtomicInteger();
    writer.afterAppend(txnVersion -> {
      // the first append returns, its commit made; then the flush fails as a lost reply from the store would
      if (appendsReturned.incrementAndGet() == 1) throw new java.io.IOException("connection reset after commit " + txnVersion);
    });
    for (int i = 0; i < 30; i++) writer.offer(scored("r" + i));
    writer.close();

    assertEquals(2, appendsReturned.get(), "the flush was retried");
    assertEquals(1, writer.failedFlushes());
    assertEquals(1, writer.flushes());
    assertEquals(30, writer.loggedRows());
    Row counts = spark().sql("SELECT count(*), count(DISTINCT request_id) FROM delta.`" + table.path() + "`").first();
    assertEquals(30, counts.getLong(0));
    assertEquals(30, counts.getLong(1));
    assertEquals(1, writes(table), "Delta skipped the retry: its transaction version was committed");
    assertEquals(Long.valueOf(1), committedTxnVersion(table, writer.appId()));
  }

  @Test
  void aWriterThatFellBehindWritesEverythingWaitingInOneCommit() throws InterruptedException {
    InferenceTable table = InferenceTable.open(spark(), newRoot(), "churn", CHURN, true);
    InferenceLogWriter writer = InferenceLogWriter.start(table, ONLY_AT_CLOSE.withFlushRows(10));
    CountDownLatch inFirstCommit = new CountDownLatch(1);
    CountDownLatch letItEnd = new CountDownLatch(1);
    writer.afterAppend(txnVersion -> {
      if (txnVersion == 1) {
        inFirstCommit.countDown();
        letItEnd.await();
      }
    });
    for (int i = 0; i < 10; i++) writer.offer(scored("first-" + i));
    assertTrue(inFirstCommit.await(120, java.util.concurrent.TimeUnit.SECONDS), "the writer flushed at ten rows");
    // thirty rows arrive while the first commit is slow: three flushes' worth
    for (int i = 0; i < 30; i++) assertTrue(writer.offer(scored("second-" + i)));
    letItEnd.countDown();
    writer.close();
    assertEquals(40, writer.loggedRows());
    assertEquals(2, writer.flushes(), "the thirty rows that waited went in one commit, not three");
    assertEquals(2, writes(table));
  }

  @Test
  void aFlushThatFailsWhileServingKeepsItsRowsAndIsRetriedAsTheSameTransaction() throws InterruptedException {
    InferenceTable table = InferenceTable.open(spark(), newRoot(), "churn", CHURN, true);
    // ten rows trigger a flush; after a failure the writer waits the (hour-long) interval, so only close retries
    InferenceLogWriter writer = InferenceLogWriter.start(table, ONLY_AT_CLOSE.withFlushRows(10));
    CountDownLatch failed = new CountDownLatch(1);
    writer.afterAppend(txnVersion -> {
      if (failed.getCount() > 0) {
        failed.countDown();
        throw new java.io.IOException("lost reply for flush " + txnVersion);
      }
    });
    for (int i = 0; i < 10; i++) writer.offer(scored("first-" + i));
    assertTrue(failed.await(120, java.util.concurrent.TimeUnit.SECONDS), "the writer flushed at ten rows");
    for (int i = 0; i < 5; i++) assertTrue(writer.offer(scored("second-" + i)));
    writer.close();

    assertEquals(1, writer.failedFlushes());
    assertEquals(2, writer.flushes());
    assertEquals(15, writer.loggedRows());
    Row counts = spark().sql("SELECT count(*), count(DISTINCT request_id) FROM delta.`" + table.path() + "`").first();
    assertEquals(15, counts.getLong(0));
    assertEquals(15, counts.getLong(1));
    assertEquals(2, writes(table), "the first flush's retry was skipped, the second batch committed");
    assertEquals(Long.valueOf(2), committedTxnVersion(table, writer.appId()));
  }

  @Test
  void aRowKeepsTheFeaturesTypedTheOutputsAndEverythingElseTheClientSent() {
    InferenceTable table = InferenceTable.open(spark(), newRoot(), "churn", CHURN, true);
    InferenceLogWriter writer = InferenceLogWriter.start(table, ONLY_AT_CLOSE);
    ObjectNode ok = input(41, "pro");
    ok.put("zip", "02139"); // not a feature
    ok.put("AGE", 99); // a second field for a feature already given
    writer.offer(InferenceRecord.scored("ok", 0, AT, "churn", 3, "champion", ok, "yes",
        InferenceFixtures.probabilities(0.75), 850));
    ObjectNode bad = input(0, "basic");
    bad.put("age", "forty"); // replaces the number: the field the 422 names
    bad.set("plan", JSON.createArrayNode().add("pro"));
    writer.offer(InferenceRecord.failed("bad", 1, AT, "churn", 3, "champion", bad, 120, 422,
        "row 1, field 'age': the string \"forty\" is not a number"));
    writer.offer(InferenceRecord.failed("unreadable", null, AT, "churn", 3, "champion", null, 40, 400, "bad JSON"));
    writer.close();

    String path = table.path();
    Row r = spark().sql("SELECT request_id, row_index, timestamp, model_name, model_version, model_alias, age, plan,"
        + " `annual inc`, feature_status, extra_features, prediction, probabilities['yes'], latency_us, status, error,"
        + " sample_fraction, label FROM delta.`" + path + "` WHERE request_id = 'ok'").first();
    assertEquals(0, r.getInt(1));
    assertEquals(Timestamp.from(AT), r.getTimestamp(2));
    assertEquals("churn", r.getString(3));
    assertEquals(3, r.getInt(4));
    assertEquals("champion", r.getString(5));
    assertEquals(41.0, r.getDouble(6));
    assertEquals("pro", r.getString(7));
    assertEquals(52000.5, r.getDouble(8));
    assertEquals("active", r.getString(9));
    JsonNode extra = json(r.getString(10));
    assertEquals("02139", extra.get("zip").asText());
    assertEquals(99, extra.get("AGE").asInt());
    assertEquals("yes", r.getString(11));
    assertEquals(0.75, r.getDouble(12));
    assertEquals(850L, r.getLong(13));
    assertEquals(200, r.getInt(14));
    assertTrue(r.isNullAt(15));
    assertEquals(1.0, r.getDouble(16));
    assertTrue(r.isNullAt(17), "labels are merged later");

    Row b = spark().sql("SELECT age, plan, extra_features, prediction, probabilities, status, error FROM delta.`"
        + path + "` WHERE request_id = 'bad'").first();
    assertTrue(b.isNullAt(0) && b.isNullAt(1), "values the features cannot take leave their columns null");
    JsonNode kept = json(b.getString(2));
    assertEquals("forty", kept.get("age").asText());
    assertEquals("pro", kept.get("plan").get(0).asText());
    assertTrue(b.isNullAt(3) && b.isNullAt(4));
    assertEquals(422, b.getInt(5));
    assertTrue(b.getString(6).contains("field 'age'"));

    Row u = spark().sql("SELECT row_index, age, extra_features, status FROM delta.`" + path
        + "` WHERE request_id = 'unreadable'").first();
    assertTrue(u.isNullAt(0) && u.isNullAt(1) && u.isNullAt(2));
    assertEquals(400, u.getInt(3));
  }

  @Test
  void aRegressionModelsRowsHoldNumbersAndALabelIsRefusedAtOffer() {
    InferenceTable table = InferenceTable.open(spark(), newRoot(), "price", CHURN, false);
    InferenceLogWriter writer = InferenceLogWriter.start(table, ONLY_AT_CLOSE);
    writer.offer(InferenceRecord.scored("r1", 0, AT, "price", 1, null, input(30, "basic"), 1234.5, null, 300));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> writer.offer(InferenceRecord.scored("r2", 0, AT, "price", 1, null, input(30, "basic"), "high", null, 300)));
    assertTrue(e.getMessage().contains("must be a number"), e.getMessage());
    writer.close();
    Row r = spark().sql("SELECT prediction, probabilities, model_alias FROM delta.`" + table.path() + "`").first();
    assertEquals(1234.5, r.getDouble(0));
    assertTrue(r.isNullAt(1) && r.isNullAt(2));
    assertEquals(1, table.read().count());
  }

  @Test
  void samplingKeepsTheSameRequestsEveryTimeAboutTheFraction() {
    RequestSampling tenth = new RequestSampling(0.1);
    Set<String> kept = new HashSet<>();
    int n = 20_000;
    for (int i = 0; i < n; i++) if (tenth.keeps("req-" + i)) kept.add("req-" + i);
    // binomial(20000, 0.1): standard deviation 42 rows; 5 of them either side
    assertTrue(Math.abs(kept.size() - 2000) < 5 * 43, kept.size() + " kept");
    RequestSampling again = new RequestSampling(0.1);
    for (int i = 0; i < n; i++) assertEquals(kept.contains("req-" + i), again.keeps("req-" + i));
    assertThrows(IllegalArgumentException.class, () -> new RequestSampling(0));
    assertThrows(IllegalArgumentException.class, () -> new RequestSampling(1.5));
  }

  @Test
  void aSampledWriterWritesExactlyTheKeptRequestsWithTheirFraction() {
    InferenceTable table = InferenceTable.open(spark(), newRoot(), "churn", CHURN, true);
    InferenceLogWriter writer = InferenceLogWriter.start(table, ONLY_AT_CLOSE.withSampleFraction(0.5));
    RequestSampling half = new RequestSampling(0.5);
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String id = "req-" + i;
      assertEquals(half.keeps(id), writer.offer(scored(id)));
      if (half.keeps(id)) expected.add(id);
    }
    writer.close();
    assertEquals(200 - expected.size(), writer.sampledOutRows());
    assertEquals(0, writer.droppedRows());
    Set<String> written = new HashSet<>();
    for (Row r : spark().sql("SELECT request_id, sample_fraction FROM delta.`" + table.path() + "`").collectAsList()) {
      written.add(r.getString(0));
      assertEquals(0.5, r.getDouble(1));
    }
    assertEquals(expected, written);
  }

  @Test
  void settingsOutOfRangeAreRefused() {
    InferenceLogConfig d = InferenceLogConfig.defaults();
    assertEquals(100_000, d.capacity());
    assertEquals(Duration.ofSeconds(1), d.flushInterval());
    assertEquals(10_000, d.flushRows());
    assertEquals(1.0, d.sampleFraction());
    assertThrows(IllegalArgumentException.class, () -> d.withCapacity(0));
    assertThrows(IllegalArgumentException.class, () -> d.withFlushInterval(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> d.withFlushRows(0));
    IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> d.withSampleFraction(0));
    assertTrue(f.getMessage().contains("(0, 1]"), f.getMessage());
  }

  /** The table's WRITE commits (appends; the table's creation is another operation). */
  private static long writes(InferenceTable t) {
    return spark().sql("DESCRIBE HISTORY delta.`" + t.path() + "`").where("operation = 'WRITE'").count();
  }

  /** The last transaction version the table recorded for {@code appId}. */
  private static Long committedTxnVersion(InferenceTable t, String appId) {
    scala.Option<Object> v = org.apache.spark.sql.delta.DeltaLog.forTable(spark(), t.path())
        .update(false, scala.Option.empty(), scala.Option.empty()).transactions().get(appId);
    return v.isDefined() ? (Long) v.get() : null;
  }

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }
}
