package io.omelet.examples;

import io.omelet.profile.DataProfiler;
import io.omelet.profile.Profile;
import io.omelet.registry.OmeletSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Profiles a CSV or Parquet file and writes profile.html and profile.json into a directory.
 * Usage: ProfileReport FILE OUT_DIR [NULL_VALUE]
 */
public final class ProfileReport {
  private ProfileReport() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ProfileReport FILE(.csv|.parquet) OUT_DIR [NULL_VALUE]");
      System.exit(2);
    }
    SparkSession spark = OmeletSpark.builder("omelet-profile-report", "local[2]").getOrCreate();
    Dataset<Row> df = args[0].endsWith(".parquet")
        ? spark.read().parquet(args[0])
        : spark.read().option("header", "true").option("inferSchema", "true")
            .option("nullValue", args.length > 2 ? args[2] : null).csv(args[0]);
    Profile p = new DataProfiler().profile(df.cache());
    Path out = Files.createDirectories(Paths.get(args[1]));
    p.writeHtml(out.resolve("profile.html"));
    p.writeJson(out.resolve("profile.json"));
    System.err.printf("%d rows, %d columns, %d alerts, %.2f s: wrote %s%n", p.overview.rows, p.overview.columns,
        p.alerts.size(), p.overview.seconds, out.resolve("profile.html"));
    spark.stop();
  }
}
