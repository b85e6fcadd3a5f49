package io.omelet.tuning;

/**
 * What {@link Study#optimize} evaluates: the objective value of one trial's parameters. It may report
 * intermediate values and stop early by throwing {@link TrialPrunedException}; any other exception marks
 * the trial FAILED and the study goes on.
 */
@FunctionalInterface
public interface Objective {
  double evaluate(TrialRun trial) throws Exception;
}
