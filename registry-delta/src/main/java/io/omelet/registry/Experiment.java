package io.omelet.registry;

import java.util.Map;

/** An experiment: a named group of runs. */
public record Experiment(
    String experimentId,
    String name,
    String artifactLocation,
    String lifecycleStage,
    long creationTime,
    long lastUpdateTime,
    Map<String, String> tags) {

  public boolean isDeleted() {
    return "deleted".equals(lifecycleStage);
  }
}
