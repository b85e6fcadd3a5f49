package io.omelet.registry;

import io.omelet.testing.SharedSpark;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The registry tests' view of the shared test set-up, and fresh registry roots. */
final class TestSpark {
  private TestSpark() {}

  static SparkSession get() {
    return SharedSpark.session();
  }

  static Path tempDir(String prefix) {
    return SharedSpark.tempDir(prefix);
  }

  static OmeletRegistry freshRegistry() {
    return OmeletRegistry.open(get(), tempDir("omelet-registry").resolve("root").toString());
  }

  private static final java.util.Map<Class<?>, OmeletRegistry> PER_CLASS = new java.util.HashMap<>();

  /** One registry for a test class (each test its own experiment): making one costs ten Delta tables. */
  static synchronized OmeletRegistry registryOf(Class<?> testClass) {
    return PER_CLASS.computeIfAbsent(testClass, c -> freshRegistry());
  }
}
