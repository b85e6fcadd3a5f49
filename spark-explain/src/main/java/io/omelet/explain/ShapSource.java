package io.omelet.explain;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where {@link ShapExplainer} gets its numbers: exact TreeSHAP over Spark ML trees, KernelSHAP over
 * any model's transform, and an H2O MOJO's own contributions ({@link MojoShapSource}). The explainer picks one per model
 * and never shows it: adding a backend adds a class, not a public method.
 */
interface ShapSource {
  /** "tree", "kernel", ... as reported to the user. */
  String method();

  /** The explained features, in the order of the SHAP vector. */
  List<String> features();

  /**
   * Returns {@code input} with three columns added: {@code shapCol} (a dense vector, one value per
   * feature, on the explained output's scale), {@code baseCol} (double: the base value, so that base +
   * sum(shap) is the model's output for the row) and, when {@code fitCol} is not null, {@code fitCol}
   * (double: how well an estimate fits, null for exact methods).
   */
  Dataset<Row> explain(Dataset<Row> input, String shapCol, String baseCol, String fitCol);
}
