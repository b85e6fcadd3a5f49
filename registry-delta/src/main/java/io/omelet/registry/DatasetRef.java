package io.omelet.registry;

/**
 * The data a run used: a Delta table at a version, or a file with its content hash, so the run
 * can be reproduced. {@code context} says what for ("training", "holdout", ...).
 */
public record DatasetRef(String name, Kind kind, String path, Long version, String digest, String context) {
  public enum Kind {
    DELTA,
    FILE
  }

  public static DatasetRef delta(String name, String path, long version, String context) {
    return new DatasetRef(name, Kind.DELTA, path, version, null, context);
  }

  public static DatasetRef file(String name, String path, String sha256, String context) {
    return new DatasetRef(name, Kind.FILE, path, null, sha256, context);
  }
}
