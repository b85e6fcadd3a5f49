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

  /**
   * A configured builder, so callers can add settings of their own before getOrCreate(). Settings
   * already given to the JVM (spark-submit passes its --conf values as system properties) are
   * kept: Delta's extension is added to the user's extensions, not put in their place. The tuning
   * for small local jobs (loopback driver address, few shuffle partitions) applies only to a
   * {@code local} master: on a cluster the driver must be reachable from the executors.
   */
  public static SparkSession.Builder builder(String appName, String master) {
    SparkSession.Builder b = SparkSession.builder()
        .appName(appName)
        .master(master)
        .config("spark.sql.extensions", withDelta(System.getProperty("spark.sql.extensions")))
        .config("spark.sql.catalog.spark_catalog",
            System.getProperty("spark.sql.catalog.spark_catalog", DELTA_CATALOG))
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "true");
    if (master.startsWith("local")) {
      // Small local jobs: the default 200 shuffle partitions only add task overhead on 2 cores.
      b.config("spark.ui.enabled", System.getProperty("spark.ui.enabled", "false"))
          .config("spark.sql.shuffle.partitions", System.getProperty("spark.sql.shuffle.partitions", "4"))
          .config("spark.driver.host", System.getProperty("spark.driver.host", "127.0.0.1"))
          .config("spark.driver.bindAddress", System.getProperty("spark.driver.bindAddress", "127.0.0.1"))
          .config("spark.databricks.delta.snapshotPartitions", "2");
    }
    return b;
  }

  /** The extensions list with Delta's in it. */
  static String withDelta(String extensions) {
    if (extensions == null || extensions.isBlank()) return DELTA_EXTENSION;
    for (String e : extensions.split(",")) if (e.trim().equals(DELTA_EXTENSION)) return extensions;
    return extensions + "," + DELTA_EXTENSION;
  }

  /** The registry needs Delta's session extension; says how to set it when it is missing. */
  static void requireDelta(SparkSession spark) {
    String ext = spark.conf().get("spark.sql.extensions", "");
    if (!ext.contains(DELTA_EXTENSION)) {
      throw new RegistryException("the Spark session is not configured for Delta: set spark.sql.extensions="
          + DELTA_EXTENSION + " and spark.sql.catalog.spark_catalog=" + DELTA_CATALOG
          + " (OmeletSpark.builder(...) does this)");
    }
  }
}
