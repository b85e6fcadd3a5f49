package io.omelet.tuning;

/** Where a trial stands: running, or finished in one of three ways. */
public enum TrialState {
  RUNNING,
  COMPLETE,
  /** Stopped early by the pruner; it keeps its last intermediate value. */
  PRUNED,
  /** The objective threw, or returned NaN. */
  FAILED;

  public boolean isFinished() {
    return this != RUNNING;
  }
}
