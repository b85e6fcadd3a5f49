package io.omelet.tuning;

/** Thrown by an objective when {@link TrialRun#shouldPrune()} says so: the study marks the trial PRUNED. */
public final class TrialPrunedException extends RuntimeException {
  public TrialPrunedException(String message) {
    super(message, null, false, false);
  }
}
