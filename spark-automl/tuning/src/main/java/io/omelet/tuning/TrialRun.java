package io.omelet.tuning;

import java.util.Map;

/**
 * A running trial as its evaluator sees it: its parameters, and the calls that feed the study back
 * (intermediate values, pruning, the result). Every call goes to the study, so this handle may be used
 * from the thread that evaluates the trial while other trials run.
 */
public final class TrialRun {
  private final Study study;
  private final int number;
  private final Map<String, Object> params;

  TrialRun(Study study, int number, Map<String, Object> params) {
    this.study = study;
    this.number = number;
    this.params = params;
  }

  public int number() {
    return number;
  }

  /** The active parameters, by name (children of conditional choices only when their choice was taken). */
  public Map<String, Object> params() {
    return params;
  }

  public Object param(String name) {
    if (!params.containsKey(name)) throw new IllegalArgumentException("parameter '" + name + "' is not active in trial " + number + ": " + params);
    return params.get(name);
  }

  public double doubleParam(String name) {
    return ((Number) param(name)).doubleValue();
  }

  public int intParam(String name) {
    return ((Number) param(name)).intValue();
  }

  /** Records the value at {@code step} (e.g. the metric of fold {@code step}). */
  public void report(int step, double value) {
    study.report(number, step, value);
  }

  /** Whether the pruner would stop this trial now, given what it has reported. */
  public boolean shouldPrune() {
    return study.shouldPrune(number);
  }

  public Trial complete(double value) {
    return study.tell(number, value);
  }

  public Trial prune() {
    return study.prune(number);
  }

  public Trial fail(Throwable error) {
    return study.fail(number, error);
  }

  /** The trial as it stands in the study now. */
  public Trial snapshot() {
    return study.trial(number);
  }
}
