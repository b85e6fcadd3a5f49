package io.omelet.registry;

import org.apache.spark.sql.SparkSession;

/**
 * The embedded default: a local Spark session configured for Delta, for examples, tests, the CLI
 * and any program that has no cluster. On a cluster, configure the same two Delta settings on the
 * existing session instead (see README).
 */
public final class OmeletSpark {
  public static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  public static final String DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";

  private OmeletSpark() {}

  /** A local session on all cores with Delta enabled; returns the active one if it already exists. */
  public static SparkSession local(String appName) {
    return builder(appName, "local[*]").getOrCreate();
  }

  /** A configured builder, so callers can add settings of their own before getOrCreate(). */
  public static SparkSession.Builder builder(String appName, String master) {
    return SparkSession.builder()
        .appName(appName)
        .master(master)
        .config("spark.sql.extensions", DELTA_EXTENSION)
        .config("spark.sql.catalog.spark_catalog", DELTA_CATALOG)
        // Small local jobs: the default 200 shuffle partitions only add task overhead on 2 cores.
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", System.getProperty("spark.ui.enabled", "false"))
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.sql.adaptive.enabled", "true");
  }
}
