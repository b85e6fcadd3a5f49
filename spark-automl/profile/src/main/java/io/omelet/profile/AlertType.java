package io.omelet.profile;

/** Alert kinds, named as ydata-profiling names them where they apply. */
public enum AlertType {
  CONSTANT, ZEROS, MISSING, HIGH_CARDINALITY, UNIQUE, SKEWED, IMBALANCE, INFINITE,
  HIGH_CORRELATION, DUPLICATES, UNIFORM, EMPTY
}
