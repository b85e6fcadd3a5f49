package io.omelet.registry;

/** One entry of a run's artifact listing: a path relative to the run's artifact root. */
public record ArtifactInfo(String path, boolean isDir, long fileSize) {}
