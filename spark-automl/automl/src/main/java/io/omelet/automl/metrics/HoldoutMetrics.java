package io.omelet.automl.metrics;

import java.io.Serializable;
import java.util.Map;

/**
 * A model's metrics on held-out rows.
 *
 * @param values metric name to value (names as in {@link Metrics}; NaN where undefined)
 * @param labels class labels in the order of the confusion matrix rows and columns (null for
 *     regression)
 * @param confusionMatrix counts, row = actual class, column = predicted class (null for regression)
 * @param threshold the probability threshold of the positive class the binary figures use (the
 *     F1-optimal one); null unless binary
 * @param rows how many rows were evaluated
 */
public record HoldoutMetrics(Map<String, Double> values, String[] labels, long[][] confusionMatrix,
                             Double threshold, long rows) implements Serializable {
  public double get(String name) {
    Double v = values.get(name);
    if (v == null) throw new IllegalArgumentException("no metric '" + name + "'; have " + values.keySet());
    return v;
  }
}
