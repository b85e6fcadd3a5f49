package io.omelet.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** One local Spark session for every test class of the JVM, and fresh registry roots. */
final class TestSpark {
  private static SparkSession spark;

  private TestSpark() {}

  static synchronized SparkSession get() {
    if (spark == null) spark = OmeletSpark.builder("omelet-registry-tests", "local[2]").getOrCreate();
    return spark;
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  static OmeletRegistry freshRegistry() {
    return OmeletRegistry.open(get(), tempDir("omelet-registry").resolve("root").toString());
  }
}
