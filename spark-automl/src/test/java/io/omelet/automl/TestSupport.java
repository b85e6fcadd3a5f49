package io.omelet.automl;

import io.omelet.automl.engine.EmbeddedH2OEngine;
import io.omelet.registry.OmeletSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** One Spark session and one embedded H2O node per test JVM, shared by every test class. */
public final class TestSupport {
  private static SparkSession spark;
  public static final String EXTENSIONS = "io.omelet.scoring.OmeletSparkExtensions";

  private TestSupport() {}

  public static synchronized SparkSession spark() {
    if (spark == null) {
      // Omelet's SQL functions come in through the session extension, as spark-sql users set it.
      spark = OmeletSpark.builder("omelet-automl-test", "local[2]")
          .config("spark.sql.extensions", OmeletSpark.DELTA_EXTENSION + "," + EXTENSIONS)
          .getOrCreate();
    }
    return spark;
  }

  /** The JVM's H2O node (started after Spark, so its cloud name carries the Spark app id). */
  public static EmbeddedH2OEngine h2o() {
    spark();
    EmbeddedH2OEngine engine = EmbeddedH2OEngine.get();
    engine.start();
    return engine;
  }

  /**
   * The Spark jobs started while {@code action} runs (waiting for the listener bus on both sides),
   * for checks that a bad input fails before any job.
   */
  public static int jobsDuring(Runnable action) {
    org.apache.spark.SparkContext sc = spark().sparkContext();
    java.util.concurrent.atomic.AtomicInteger jobs = new java.util.concurrent.atomic.AtomicInteger();
    org.apache.spark.scheduler.SparkListener counter = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
        jobs.incrementAndGet();
      }
    };
    drain(sc);
    sc.addSparkListener(counter);
    try {
      action.run();
    } finally {
      drain(sc);
      sc.removeSparkListener(counter);
    }
    return jobs.get();
  }

  private static void drain(org.apache.spark.SparkContext sc) {
    try {
      sc.listenerBus().waitUntilEmpty(60_000);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not drain in 60 s", e);
    }
  }

  public static Path dataDir() {
    String prop = System.getProperty("omelet.data.dir");
    if (prop != null && Files.exists(Path.of(prop, "lending_club.csv"))) return Path.of(prop);
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (dir != null) {
      if (Files.exists(dir.resolve("data/lending_club.csv"))) return dir.resolve("data");
      dir = dir.getParent();
    }
    throw new IllegalStateException("data/lending_club.csv not found; set -Domelet.data.dir");
  }

  public static Dataset<Row> csv(String file) {
    return spark().read().option("header", "true").option("inferSchema", "true")
        .csv(dataDir().resolve(file).toString());
  }

  /** penguins.csv writes missing values as the literal NA. */
  public static Dataset<Row> csvNa(String file) {
    return spark().read().option("header", "true").option("inferSchema", "true")
        .option("nullValue", "NA").csv(dataDir().resolve(file).toString());
  }
}
