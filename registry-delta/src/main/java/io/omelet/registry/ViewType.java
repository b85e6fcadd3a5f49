package io.omelet.registry;

/** Which experiments or runs a listing shows: MLflow's lifecycle filter. */
public enum ViewType {
  ACTIVE_ONLY,
  DELETED_ONLY,
  ALL
}
