package io.omelet.automl.engine;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import water.Key;
import water.fvec.Frame;

/**
 * The bridge between Spark and an H2O engine. Everything Omelet needs from the engine goes through
 * here, so that a Sparkling Water backend (where a cluster already runs one) can replace the default
 * {@link EmbeddedH2OEngine}. Once {@link #start()} has returned, the water/hex APIs (AutoML, models,
 * DKV) work in this JVM, whichever backend started the node.
 */
public interface H2OEngine {

  /** Starts (or joins) the H2O cloud if not done yet in this JVM; returns when it is usable. */
  void start();

  /** A description of the running cloud: name, members, this node's role and address. */
  EngineInfo info();

  /**
   * Moves a DataFrame into a new H2O frame under {@code key}, keeping types (see
   * {@link SparkToH2O} for the type mapping). The caller owns the frame and removes it.
   */
  Frame toH2OFrame(Dataset<Row> data, Key<Frame> key);

  /**
   * Throws {@link H2OCloudLostException} when the cloud lost a node and cannot be used any more;
   * long waits on the engine call this so that they fail instead of waiting forever.
   */
  default void checkHealthy() {}

  /** False once the cloud lost a node: nothing may call into it then, not even to clean up. */
  default boolean usable() {
    return true;
  }

  /** Describes a running cloud. */
  record EngineInfo(String cloudName, int cloudSize, boolean client, String selfAddress,
                    String restUrl) {}
}
