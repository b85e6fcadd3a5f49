package io.omelet.profile;

/** Which sections a profile computes. */
public enum ProfileMode {
  /** Per-variable statistics, alerts that need no pairs, missing patterns, samples: one pass. */
  UNIVARIATE,
  /** Everything: also correlations (on a bounded sample) and duplicate rows. */
  FULL
}
