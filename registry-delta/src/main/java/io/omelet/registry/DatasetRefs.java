package io.omelet.registry;

import io.delta.tables.DeltaTable;
import org.apache.hadoop.fs.Path;

/** Makes {@link DatasetRef}s: a Delta table at its current version, a file with the hash of its content. */
final class DatasetRefs {
  private final DeltaStore store;
  private final ArtifactStore files;

  DatasetRefs(DeltaStore store, ArtifactStore files) {
    this.store = store;
    this.files = files;
  }

  DatasetRef deltaTable(String name, String tablePath, String context) {
    if (!DeltaTable.isDeltaTable(store.spark, tablePath)) {
      throw new RegistryException("not a Delta table: " + tablePath);
    }
    long version = DeltaTable.forPath(store.spark, tablePath).history(1).select("version").first().getLong(0);
    return DatasetRef.delta(name, tablePath, version, context);
  }

  DatasetRef file(String name, String filePath, String context) {
    return DatasetRef.file(name, filePath, files.sha256(new Path(filePath)), context);
  }
}
