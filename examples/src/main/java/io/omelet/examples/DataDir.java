package io.omelet.examples;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The repository's data/ folder (and its CSV files): -Domelet.data.dir, else found by walking up from the working folder. */
public final class DataDir {
  private DataDir() {}

  public static Path get() {
    String p = System.getProperty("omelet.data.dir");
    if (p != null && Paths.get(p).resolve("lending_club.csv").toFile().exists()) return Paths.get(p);
    Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
    while (dir != null && !dir.resolve("data/lending_club.csv").toFile().exists()) dir = dir.getParent();
    if (dir == null) throw new IllegalStateException("data/lending_club.csv not found: run from the repository or set -Domelet.data.dir");
    return dir.resolve("data");
  }

  /** A data set of data/ as the benchmarks and examples read it: CSV with a header, types inferred. */
  public static Dataset<Row> csv(SparkSession spark, String file) {
    return spark.read().option("header", "true").option("inferSchema", "true").csv(get().resolve(file).toString());
  }
}
