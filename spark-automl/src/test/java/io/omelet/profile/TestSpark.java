package io.omelet.profile;

import io.omelet.registry.OmeletSpark;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** One Spark session for every test class of the module, and the real data sets. */
final class TestSpark {
  private static SparkSession spark;

  private TestSpark() {}

  static synchronized SparkSession spark() {
    if (spark == null) spark = OmeletSpark.builder("omelet-profile-tests", "local[2]").getOrCreate();
    return spark;
  }

  static Path dataDir() {
    String p = System.getProperty("omelet.data.dir");
    if (p != null && Paths.get(p, "lending_club.csv").toFile().exists()) return Paths.get(p);
    Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
    while (dir != null && !dir.resolve("data/lending_club.csv").toFile().exists()) dir = dir.getParent();
    if (dir == null) throw new IllegalStateException("data/lending_club.csv not found: set -Domelet.data.dir");
    return dir.resolve("data");
  }

  static Dataset<Row> csv(String file) {
    return spark().read().option("header", "true").option("inferSchema", "true")
        .csv(dataDir().resolve(file).toString());
  }
}
