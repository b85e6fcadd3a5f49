package io.omelet.registry;

/** A run with its data, as getRun and searchRuns return it. */
public record Run(RunInfo info, RunData data) {
  public String runId() {
    return info.runId();
  }
}
