package io.omelet.scoring;

import io.omelet.registry.ResolvedModel;

/**
 * A model URI resolved against the registry at one moment, with its MOJO: what one query, one
 * transform or one server generation scores with. {@code resolved.version()} is null for a run
 * artifact ({@code runs:/...}). Serializable: the SQL functions' expressions carry it to the executors.
 */
public record LoadedModel(ResolvedModel resolved, MojoModel mojo) implements java.io.Serializable {
  /** "name version N" or the run artifact URI, for messages and metadata. */
  public String describe() {
    return resolved.version() != null
        ? resolved.name() + " version " + resolved.version()
        : resolved.uri();
  }
}
