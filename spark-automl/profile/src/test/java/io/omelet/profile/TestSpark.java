package io.omelet.profile;

import io.omelet.testing.SharedSpark;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The profiler tests' view of the shared test set-up (the module's one session, the real data sets). */
final class TestSpark {
  private TestSpark() {}

  static SparkSession spark() {
    return SharedSpark.session();
  }

  static Path dataDir() {
    return SharedSpark.dataDir();
  }

  static Dataset<Row> csv(String file) {
    spark();
    return SharedSpark.csv(file);
  }
}
