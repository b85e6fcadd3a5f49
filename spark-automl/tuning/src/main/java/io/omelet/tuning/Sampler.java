package io.omelet.tuning;

import java.util.List;
import java.util.Map;

/** Proposes the parameters of the next trial from the trials so far. Called by the study under its lock. */
public interface Sampler {
  /**
   * The values of the parameters active in a new trial. {@code trials} holds every trial of the study,
   * RUNNING ones included (concurrent trials whose result is pending).
   */
  Map<String, Object> sample(SearchSpace space, List<Trial> trials, Direction direction);

  /** Whether there is nothing left to propose (a grid that has been walked); then the study stops. */
  default boolean isExhausted(SearchSpace space, List<Trial> trials) {
    return false;
  }

  /** A short name for tracking: tpe, random, grid. */
  String name();
}
