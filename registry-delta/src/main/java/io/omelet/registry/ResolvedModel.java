package io.omelet.registry;

/**
 * What a model URI points at: the registered version (name and version; null for a run artifact),
 * the run it came from, and the location of its files (a Hadoop path). Serializable, so that what
 * a query scores with can travel with its plan.
 */
public record ResolvedModel(String uri, String name, Integer version, String runId, String location)
    implements java.io.Serializable {
  /** The alias the URI resolved through ({@code champion} for {@code churn@champion}), or null. */
  public String alias() {
    return ModelUri.aliasOf(uri);
  }
}
