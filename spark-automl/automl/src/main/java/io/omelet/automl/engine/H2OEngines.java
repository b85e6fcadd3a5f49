package io.omelet.automl.engine;

import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the H2O engine from {@code spark.omelet.h2o.backend} (or the system property
 * {@code omelet.h2o.backend}):
 * <ul>
 *   <li>{@code embedded} (the default): one H2O node inside the driver; nothing else to run, but
 *       training uses only the driver's cores and memory;</li>
 *   <li>{@code external}: the driver joins, as a client, a cloud of servers started apart with
 *       {@link H2ONodeLauncher} ({@code spark.omelet.h2o.name} and {@code .flatfile}); the cloud
 *       outlives applications and is sized on its own;</li>
 *   <li>{@code internal}: one node inside each executor ({@link InternalH2OEngine}); training scales
 *       with the executors and rows never pass through the driver, but the executors must stay
 *       fixed and losing one ends the cloud. In local mode there are no executors: the embedded
 *       node is used.</li>
 * </ul>
 */
public final class H2OEngines {
  private static final Logger LOG = LoggerFactory.getLogger(H2OEngines.class);
  public static final String BACKEND = "backend";

  private H2OEngines() {}

  /** The engine the active Spark session (or, without one, the system properties) asks for. */
  public static H2OEngine active() {
    SparkSession spark = SparkSession.getActiveSession().isDefined() ? SparkSession.getActiveSession().get() : null;
    String backend = backendName(spark);
    switch (backend) {
      case "embedded", "external":
        return EmbeddedH2OEngine.get();
      case "internal":
        if (spark == null || spark.sparkContext().isLocal()) {
          LOG.info("spark.omelet.h2o.backend=internal in local mode: there are no executors, H2O runs in the driver");
          return EmbeddedH2OEngine.get();
        }
        return InternalH2OEngine.get(spark);
      default:
        throw new IllegalArgumentException("spark.omelet.h2o.backend must be embedded, external or internal, got '"
            + backend + "'");
    }
  }

  static String backendName(SparkSession spark) {
    String key = H2OEngineConfig.PREFIX + BACKEND;
    String v = spark != null ? spark.conf().getOption("spark." + key).getOrElse(() -> null) : null;
    if (v == null) v = System.getProperty(key, "embedded");
    return v.trim().toLowerCase(Locale.ROOT);
  }
}
