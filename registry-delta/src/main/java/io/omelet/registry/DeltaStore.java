package io.omelet.registry;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaConcurrentModificationException;
import org.apache.spark.sql.types.StructType;

/** Reads, appends and retried transactions on the registry's Delta tables under one root. */
final class DeltaStore {
  private static final int MAX_ATTEMPTS = 40;
  private static final AtomicLong LAST_MICROS = new AtomicLong();

  final SparkSession spark;
  final String root;

  DeltaStore(SparkSession spark, String root) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  /** The root as its file system names it (relative folders become absolute), so every writer agrees on it. */
  static String qualify(SparkSession spark, String root) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(root);
    try {
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
    } catch (java.io.IOException e) {
      throw new RegistryException("cannot reach the registry root " + root, e);
    }
  }

  String path(String table) {
    return root + "/" + table;
  }

  /** Creates every missing table; safe when several writers open a fresh root at once. */
  void ensureTables() {
    for (Map.Entry<String, StructType> e : RegistryTables.all().entrySet()) {
      String path = path(e.getKey());
      if (DeltaTable.isDeltaTable(spark, path)) continue;
      retry("create table " + e.getKey(), () -> {
        if (DeltaTable.isDeltaTable(spark, path)) return null;
        DeltaTableBuilder b = DeltaTable.createIfNotExists(spark).location(path).addColumns(e.getValue())
            // Many small commits: let Delta fold small files together as it goes.
            .property("delta.autoOptimize.autoCompact", "true")
            .property("delta.enableDeletionVectors", "true");
        b.execute();
        return null;
      }, true);
    }
  }

  /** The table's latest version: a listing of its log, no Spark job. */
  long version(String table) {
    return org.apache.spark.sql.delta.DeltaLog.forTable(spark, path(table))
        .update(false, scala.Option.empty(), scala.Option.empty()).version();
  }

  Dataset<Row> read(String table) {
    return spark.read().format("delta").load(path(table));
  }

  DeltaTable table(String table) {
    return DeltaTable.forPath(spark, path(table));
  }

  /** A blind append: Delta never lets blind appends conflict, so this only retries on protocol changes. */
  void append(String table, StructType schema, List<Row> rows) {
    if (rows.isEmpty()) return;
    retry("append to " + table, () -> {
      spark.createDataFrame(rows, schema).write().format("delta").mode("append").save(path(table));
      return null;
    }, false);
  }

  /**
   * Appends unless {@code written} already holds the table, then records it there: a batch of
   * several tables written again after a failure part-way appends only to the tables it has not
   * reached. (Delta's txnAppId/txnVersion options would do it too, but check the table's
   * transaction ids on every write: a state scan per append.)
   */
  void appendOnce(String table, StructType schema, List<Row> rows, java.util.Set<String> written) {
    if (written.contains(table)) return;
    append(table, schema, rows);
    written.add(table);
  }

  /** Appends a DataFrame already in the table's schema (bulk import). */
  void appendFrame(String table, Dataset<Row> frame) {
    retry("append to " + table, () -> {
      frame.write().format("delta").mode("append").save(path(table));
      return null;
    }, false);
  }

  /**
   * Inserts one row unless a row matching {@code key} (over target "t" and source "s") exists.
   * A MERGE rather than an append: it reads what it inserts against, so two writers inserting the
   * same key conflict and the retry sees the winner. The caller reads back to learn who won.
   */
  void insertIfAbsent(String table, StructType schema, Row row, org.apache.spark.sql.Column key) {
    Dataset<Row> source = spark.createDataFrame(List.of(row), schema);
    retry("insert into " + table, () -> {
      table(table).as("t").merge(source.as("s"), key).whenNotMatched().insertAll().execute();
      return null;
    });
  }

  /**
   * Runs a transaction that reads before it writes (UPDATE, MERGE) again when a concurrent commit
   * conflicts with it. The operation must be idempotent or recompute its input on each attempt.
   */
  <T> T retry(String what, Supplier<T> op) {
    return retry(what, op, false);
  }

  /** A row's tags and the stamp (its last-update time) a compare-and-set checks. */
  record Tagged(Map<String, String> tags, long stamp) {}

  /**
   * The one compare-and-set for a {@code tags} map column: reads the row, writes the map with
   * {@code key} set only where {@code stampColumn} still holds what was read (so a concurrent
   * writer's tag is never overwritten with a stale map), and tries again until the tag reads back.
   */
  void setTagIfUnchanged(String table, org.apache.spark.sql.Column row, String stampColumn, Supplier<Tagged> current,
      String key, String value, String what) {
    for (int attempt = 0; attempt < 20; attempt++) {
      Tagged before = current.get();
      Map<String, String> tags = new java.util.TreeMap<>(before.tags());
      tags.put(key, value);
      retry(what, () -> {
        table(table).update(row.and(org.apache.spark.sql.functions.col(stampColumn).equalTo(before.stamp())),
            Map.of("tags", mapLiteral(tags), stampColumn,
                org.apache.spark.sql.functions.lit(Math.max(System.currentTimeMillis(), before.stamp() + 1))));
        return null;
      });
      if (java.util.Objects.equals(current.get().tags().get(key), value)) return;
    }
    throw new RegistryException("could not " + what + ": it kept changing concurrently");
  }

  /** A map<string,string> literal column built from its entries. */
  static org.apache.spark.sql.Column mapLiteral(Map<String, String> m) {
    List<org.apache.spark.sql.Column> kv = new java.util.ArrayList<>();
    new java.util.TreeMap<>(m).forEach((k, v) -> {
      kv.add(org.apache.spark.sql.functions.lit(k));
      kv.add(org.apache.spark.sql.functions.lit(v).cast(org.apache.spark.sql.types.DataTypes.StringType));
    });
    return org.apache.spark.sql.functions.map(kv.toArray(new org.apache.spark.sql.Column[0]))
        .cast(RegistryTables.STRING_MAP);
  }

  static scala.collection.Map<String, String> scalaMap(Map<String, String> m) {
    return scala.collection.JavaConverters.mapAsScalaMap(new java.util.HashMap<>(m == null ? Map.of() : m));
  }

  static Map<String, String> javaMap(scala.collection.Map<String, String> m) {
    return m == null ? Map.of() : new java.util.TreeMap<>(scala.collection.JavaConverters.mapAsJavaMap(m));
  }

  private <T> T retry(String what, Supplier<T> op, boolean anyError) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        return op.get();
      } catch (DeltaConcurrentModificationException e) {
        last = e;
      } catch (RuntimeException e) {
        if (!anyError || attempt >= 5) throw e;
        last = e;
      } catch (Exception e) {
        // Delta and Spark are Scala: they throw checked exceptions (DeltaIOException) that Java's
        // catch (RuntimeException) never sees; callers that put a batch back must see them.
        throw new RegistryException("could not " + what + ": " + e.getMessage(), e);
      }
      sleepBackoff(attempt);
    }
    throw new RegistryException("gave up on " + what + " after " + MAX_ATTEMPTS
        + " conflicting concurrent commits", last);
  }

  private static void sleepBackoff(int attempt) {
    long cap = Math.min(2000, 20L << Math.min(attempt, 6));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new RegistryException("interrupted while retrying a registry write", ie);
    }
  }

  /** A strictly increasing microsecond clock, so two writes of one JVM never tie. */
  static long nowMicros() {
    long now = System.currentTimeMillis() * 1000;
    return LAST_MICROS.updateAndGet(prev -> Math.max(prev + 1, now));
  }
}
