package io.omelet.testing;

import io.omelet.registry.OmeletSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The test set-up every module shares (published as this module's test jar): one local Spark
 * session per test JVM (local[2], Delta on), the repository's real data sets, and temporary
 * folders. A module that needs more session extensions (spark-automl's SQL functions) names them
 * on the first call; the session is made once, so every test class of a JVM gets the same one.
 */
public final class SharedSpark {
  private static SparkSession spark;
  private static final Set<String> extensions = new LinkedHashSet<>();

  private SharedSpark() {}

  /** The JVM's test session, with Delta's extension and {@code moreExtensions}. */
  public static synchronized SparkSession session(String... moreExtensions) {
    if (spark == null) {
      extensions.add(OmeletSpark.DELTA_EXTENSION);
      extensions.addAll(List.of(moreExtensions));
      // spark.sql.extensions is static: it must be set when the session is made, not later.
      spark = OmeletSpark.builder("omelet-tests", "local[2]")
          .config("spark.sql.extensions", String.join(",", extensions))
          .getOrCreate();
    } else if (!extensions.containsAll(List.of(moreExtensions))) {
      throw new IllegalStateException("the test session was made with extensions " + extensions
          + "; " + List.of(moreExtensions) + " must be asked for by the first caller in this JVM");
    }
    return spark;
  }

  /** The repository's data folder ({@code data/}, found upwards from the working directory) or {@code -Domelet.data.dir}. */
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

  /** A CSV data set with a header, types inferred. */
  public static Dataset<Row> csv(String file) {
    return session().read().option("header", "true").option("inferSchema", "true")
        .csv(dataDir().resolve(file).toString());
  }

  /** As {@link #csv}, for files (penguins.csv) that write missing values as the literal NA. */
  public static Dataset<Row> csvNa(String file) {
    return session().read().option("header", "true").option("inferSchema", "true")
        .option("nullValue", "NA").csv(dataDir().resolve(file).toString());
  }

  /**
   * The Spark jobs started while {@code action} runs (waiting for the listener bus on both sides),
   * for checks that a bad input fails before any job.
   */
  public static int jobsDuring(Runnable action) {
    org.apache.spark.SparkContext sc = session().sparkContext();
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

  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
