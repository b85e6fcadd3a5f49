package io.omelet.commands;

/**
 * Progress of one step of a command.
 *
 * @param step what is running ("profile", "automl", "explain", "spark")
 * @param percent in [0, 100], or -1 when unknown
 * @param message the current phase in a few words (e.g. "TRAINING: GBM_2 (3 models done)")
 * @param done true once for a step when it ends
 */
public record ProgressEvent(String step, double percent, String message, boolean done) {

  public static ProgressEvent of(String step, double percent, String message) {
    return new ProgressEvent(step, percent, message, false);
  }

  public static ProgressEvent finished(String step, String message) {
    return new ProgressEvent(step, 100, message, true);
  }
}
