package io.omelet.registry;

/**
 * A run's status, as MLflow names it, plus {@link #STALE}: never stored, it is how a RUNNING run
 * whose heartbeat stopped (its process died) reads, so {@code attributes.status = 'RUNNING'}
 * finds only runs that are alive. {@code OmeletRegistry.markStale} ends such runs FAILED.
 */
public enum RunStatus {
  RUNNING,
  SCHEDULED,
  FINISHED,
  FAILED,
  KILLED,
  STALE;

  public boolean isTerminal() {
    return this == FINISHED || this == FAILED || this == KILLED;
  }
}
