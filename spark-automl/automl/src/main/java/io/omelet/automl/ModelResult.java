package io.omelet.automl;

import io.omelet.automl.metrics.HoldoutMetrics;
import io.omelet.scoring.MojoModel;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Everything known about one leaderboard model, as tracking needs it for a child run.
 *
 * @param modelId H2O's model id
 * @param algo H2O's algorithm name (e.g. gbm, xgboost, drf, glm, deeplearning, stackedensemble);
 *     an extremely randomized forest is drf with histogram_type Random among its params
 * @param rank 1-based position on the leaderboard (0 for the refit of the leader, which is not on it)
 * @param trainingRows the rows the model was trained on (-1 when not known, for a model saved
 *     before this was recorded)
 * @param params the model's actual parameters (H2O names, without the leading underscore)
 * @param leaderboardMetrics the leaderboard's figures (cross-validated when nfolds >= 2)
 * @param crossValidationMetrics metrics of the cross-validation predictions (empty without CV)
 * @param trainingMetrics metrics on the training frame
 * @param holdout metrics on the held-out rows, scored through the MOJO (null without holdout, or
 *     when the model could not be scored: see {@code error})
 * @param variableImportance importance per variable, most important first (empty when the
 *     algorithm has none, e.g. stacked ensembles)
 * @param trainingTimeMs the leaderboard's training time
 * @param predictTimePerRowMs the leaderboard's prediction time per row
 * @param mojoZip the MOJO zip, in memory or read from a saved model on first use (null if it could
 *     not be exported: see {@code error})
 * @param error why a part of this model's results is missing; null when nothing failed
 */
public record ModelResult(String modelId, String algo, int rank, long trainingRows,
                          Map<String, String> params,
                          Map<String, Double> leaderboardMetrics,
                          Map<String, Double> crossValidationMetrics,
                          Map<String, Double> trainingMetrics, HoldoutMetrics holdout,
                          List<VariableImportance> variableImportance, long trainingTimeMs,
                          double predictTimePerRowMs, MojoZip mojoZip, String error)
    implements Serializable {

  /** Whether the model has a MOJO (without reading it). */
  public boolean hasMojo() {
    return mojoZip != null;
  }

  /** The MOJO zip's bytes (read now for a saved model); null when there is none. */
  public byte[] mojo() {
    return mojoZip == null ? null : mojoZip.bytes();
  }

  /** The MOJO, ready to score; fails if there is none. */
  public MojoModel mojoModel() {
    if (mojoZip == null) {
      throw new IllegalStateException("model " + modelId + " has no MOJO: " + error);
    }
    return MojoModel.of(mojoZip.bytes());
  }

  ModelResult withHoldout(HoldoutMetrics h, String err) {
    return new ModelResult(modelId, algo, rank, trainingRows, params, leaderboardMetrics, crossValidationMetrics,
        trainingMetrics, h, variableImportance, trainingTimeMs, predictTimePerRowMs, mojoZip,
        err == null ? error : (error == null ? err : error + "; " + err));
  }
}
