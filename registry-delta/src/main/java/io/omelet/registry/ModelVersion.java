package io.omelet.registry;

import java.util.List;
import java.util.Map;

/**
 * One version of a registered model. {@code source} is the run artifact it was made from;
 * {@code storageLocation} is the registry's own copy, which outlives the run's artifacts.
 */
public record ModelVersion(
    String name,
    int version,
    String runId,
    String source,
    String storageLocation,
    String description,
    String status,
    long creationTime,
    long lastUpdatedTime,
    Map<String, String> tags,
    List<String> aliases) {

  /** {@code name/version}, the URI form that never moves. */
  public String uri() {
    return name + "/" + version;
  }
}
