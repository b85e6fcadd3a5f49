package io.omelet.tuning;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Stops a trial whose value at its latest step is worse than the median of the completed trials' values
 * at that same step, as Optuna's MedianPruner does per step. Under cross-validation the step is the fold
 * index, so each comparison is between models scored on the same fold. Nothing is pruned before
 * {@code startupTrials} trials have completed, nor before step {@code warmupSteps}.
 */
public final class MedianPruner implements Pruner {
  private final int startupTrials;
  private final int warmupSteps;

  /** 5 start-up trials; pruning from the first step on (step 0, the first fold). */
  public MedianPruner() {
    this(5, 0);
  }

  public MedianPruner(int startupTrials, int warmupSteps) {
    if (startupTrials < 1) throw new IllegalArgumentException("startupTrials must be >= 1, got " + startupTrials);
    if (warmupSteps < 0) throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
    this.startupTrials = startupTrials;
    this.warmupSteps = warmupSteps;
  }

  public int startupTrials() {
    return startupTrials;
  }

  public int warmupSteps() {
    return warmupSteps;
  }

  @Override
  public boolean shouldPrune(Trial trial, List<Trial> trials, Direction direction) {
    int step = trial.lastStep();
    if (step < warmupSteps) return false;
    double value = trial.intermediateValues().get(step);
    List<Double> atStep = new ArrayList<>();
    int completed = 0;
    for (Trial t : trials) {
      if (t.state() != TrialState.COMPLETE) continue;
      completed++;
      Double v = t.intermediateValues().get(step);
      if (v != null && !v.isNaN()) atStep.add(v);
    }
    if (completed < startupTrials || atStep.isEmpty()) return false;
    if (Double.isNaN(value)) return true;
    return direction.isBetter(median(atStep), value);
  }

  private static double median(List<Double> xs) {
    Collections.sort(xs);
    int n = xs.size();
    return n % 2 == 1 ? xs.get(n / 2) : (xs.get(n / 2 - 1) + xs.get(n / 2)) / 2.0;
  }

  @Override
  public String toString() {
    return "median(startupTrials=" + startupTrials + ", warmupSteps=" + warmupSteps + ")";
  }
}
