package io.omelet.profile;

import java.io.Serializable;

/** The part of a profiler's configuration the executors need. */
final class ProfileSettings implements Serializable {
  private static final long serialVersionUID = 1L;
  int exactDistinctLimit;
  int kllK;
  int hllLgK;
  int frequentItemsMapSize;
  int sampleRows;
  int headRows;
  int maxMissingPatterns;
  long seed;
  /** Rows whose random key is at or above this are never sampled (1 when the row count is unknown). */
  double sampleKeyLimit = 1.0;
}
