package io.omelet.tuning;

import java.util.List;

/** Decides whether a running trial should stop, from its intermediate values and the other trials'. */
public interface Pruner {
  /** Never prunes. */
  Pruner NONE = (trial, trials, direction) -> false;

  boolean shouldPrune(Trial trial, List<Trial> trials, Direction direction);
}
