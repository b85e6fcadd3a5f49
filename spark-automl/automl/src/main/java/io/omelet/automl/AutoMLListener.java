package io.omelet.automl;

/**
 * Follows an AutoML job: progress for progress bars, and the hook tracking uses. Calls come from
 * the thread running the job, in this order: {@link #onStart} once, {@link #onProgress} any number
 * of times, {@link #onModel} once per leaderboard model (leader first), then either
 * {@link #onComplete} or {@link #onFailure}. An exception thrown by a listener fails the job.
 */
public interface AutoMLListener {

  /** The phases of a job, in order. */
  enum Phase { VALIDATING, PREPARING, CONVERTING, TRAINING, COLLECTING, EVALUATING, REFITTING, DONE }

  /** Input validated and split; nothing trained yet. */
  default void onStart(AutoMLRunInfo info) {}

  /** {@code percent} in [0, 100] for the whole job. */
  default void onProgress(Phase phase, double percent, String message) {}

  /** A leaderboard model with all its results (holdout metrics included). */
  default void onModel(ModelResult model) {}

  default void onComplete(AutoMLResult result) {}

  /** The job failed (bad input, engine error, or cancellation); nothing more follows. */
  default void onFailure(Throwable error) {}
}
