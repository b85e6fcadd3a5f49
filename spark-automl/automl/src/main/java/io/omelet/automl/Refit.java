package io.omelet.automl;

import java.io.Serializable;

/**
 * The leader trained again on every labelled row with the settings it was selected with: the
 * model that is served (transform, the registered version, SQL and REST scoring, SHAP). It has no
 * honest estimate of its own, having seen the holdout; the leader's cross-validation and holdout
 * metrics are its estimate.
 *
 * @param model the refit model (its training metrics are in-sample)
 * @param leaderModelId the leaderboard model it refits
 * @param rows the rows it was trained on (every labelled row after sampling)
 * @param durationMs wall time of the refit
 */
public record Refit(ModelResult model, String leaderModelId, long rows, long durationMs) implements Serializable {}
