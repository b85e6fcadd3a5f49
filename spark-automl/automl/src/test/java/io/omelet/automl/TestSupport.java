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

  /** The Spark jobs started while {@code action} runs (see {@link SharedSpark#jobsDuring}). */
  public static int jobsDuring(Runnable action) {
    return SharedSpark.jobsDuring(action);
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
