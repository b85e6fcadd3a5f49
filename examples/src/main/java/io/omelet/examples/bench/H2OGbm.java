package io.omelet.examples.bench;

import hex.tree.gbm.GBM;
import hex.tree.gbm.GBMModel;
import io.omelet.automl.engine.EmbeddedH2OEngine;
import java.io.ByteArrayOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import water.Key;
import water.fvec.Frame;

/** The H2O GBM the scoring, REST and explain benchmarks share: 50 trees of depth 5, seed 1. */
final class H2OGbm {
  static final int TREES = 50;
  static final int DEPTH = 5;

  private H2OGbm() {}

  /** Trains it on {@code data} (label {@code Class}) in the JVM's embedded H2O node; the MOJO zip. */
  static byte[] mojo(Dataset<Row> data) throws Exception {
    EmbeddedH2OEngine engine = EmbeddedH2OEngine.get();
    engine.start();
    Frame frame = engine.toH2OFrame(data, Key.make());
    try {
      GBMModel.GBMParameters p = new GBMModel.GBMParameters();
      p._train = frame._key;
      p._response_column = "Class";
      p._ntrees = TREES;
      p._max_depth = DEPTH;
      p._seed = 1;
      GBMModel model = new GBM(p).trainModel().get();
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        model.getMojo().writeTo(out);
        return out.toByteArray();
      } finally {
        model.delete();
      }
    } finally {
      frame.delete();
    }
  }
}
