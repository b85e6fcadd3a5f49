package io.omelet.tuning;

import java.util.Collection;
import java.util.Optional;

/** Whether a study looks for the lowest or the highest objective value. */
public enum Direction {
  MINIMIZE,
  MAXIMIZE;

  /** Whether {@code a} is strictly better than {@code b}; NaN is never better. */
  public boolean isBetter(double a, double b) {
    if (Double.isNaN(a)) return false;
    if (Double.isNaN(b)) return true;
    return this == MINIMIZE ? a < b : a > b;
  }

  /** The best COMPLETE trial among {@code trials} (the first of equals); empty when none completed. */
  public Optional<Trial> best(Collection<Trial> trials) {
    Trial best = null;
    for (Trial t : trials) {
      if (t.state() == TrialState.COMPLETE && (best == null || isBetter(t.value(), best.value()))) best = t;
    }
    return Optional.ofNullable(best);
  }

  /** The value turned into a loss: lower is better whatever the direction. */
  double loss(double value) {
    return this == MINIMIZE ? value : -value;
  }
}
