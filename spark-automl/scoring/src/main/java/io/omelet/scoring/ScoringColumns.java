package io.omelet.scoring;

import java.io.Serializable;

/**
 * The columns scoring adds. For a classifier: {@code predictionCol} (the label, a string),
 * {@code probabilityCol} (a vector of class probabilities in the model's label order; null to leave
 * it out) and, with a {@code classProbabilityPrefix}, one double column per class named prefix +
 * label (e.g. {@code p_good}). For regression only {@code predictionCol} (a double).
 */
public record ScoringColumns(String predictionCol, String probabilityCol,
                             String classProbabilityPrefix) implements Serializable {
  public ScoringColumns {
    if (predictionCol == null || predictionCol.isBlank()) {
      throw new IllegalArgumentException("predictionCol must be a column name");
    }
  }

  /** prediction, probability, p_&lt;class&gt;. */
  public static ScoringColumns defaults() {
    return new ScoringColumns("prediction", "probability", "p_");
  }
}
