package io.omelet.automl;

import io.omelet.automl.engine.EmbeddedH2OEngine;
import io.omelet.testing.SharedSpark;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The shared test session (with Omelet's SQL extension) and one embedded H2O node per test JVM. */
public final class TestSupport {
  public static final String EXTENSIONS = "io.omelet.scoring.OmeletSparkExtensions";

  private TestSupport() {}

  public static SparkSession spark() {
    // Omelet's SQL functions come in through the session extension, as spark-sql users set it.
    return SharedSpark.session(EXTENSIONS);
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
    return SharedSpark.dataDir();
  }

  public static Dataset<Row> csv(String file) {
    spark();
    return SharedSpark.csv(file);
  }

  /** penguins.csv writes missing values as the literal NA. */
  public static Dataset<Row> csvNa(String file) {
    spark();
    return SharedSpark.csvNa(file);
  }
}
