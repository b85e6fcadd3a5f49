package io.omelet.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** Registered models, their versions and aliases. */
final class ModelStore {
  private final DeltaStore store;
  private final ArtifactStore files;

  ModelStore(DeltaStore store, ArtifactStore files) {
    this.store = store;
    this.files = files;
  }

  RegisteredModel create(String name, String description, Map<String, String> tags) {
    Names.requireModelName(name);
    if (find(name) != null) throw new AlreadyExistsException("registered model '" + name + "' already exists");
    long now = System.currentTimeMillis();
    Row row = RowFactory.create(name, description, now, now, DeltaStore.scalaMap(tags));
    store.insertIfAbsent(RegistryTables.REGISTERED_MODELS, RegistryTables.REGISTERED_MODELS_SCHEMA, row,
        col("t.name").equalTo(col("s.name")));
    RegisteredModel created = get(name);
    if (created.creationTime() != now) {
      throw new AlreadyExistsException("registered model '" + name + "' already exists (created concurrently)");
    }
    return created;
  }

  RegisteredModel find(String name) {
    List<Row> rows = store.read(RegistryTables.REGISTERED_MODELS).where(col("name").equalTo(name)).collectAsList();
    if (rows.isEmpty()) return null;
    return toModel(rows.get(0), aliases(col("name").equalTo(name)).getOrDefault(name, Map.of()));
  }

  RegisteredModel get(String name) {
    RegisteredModel m = find(name);
    if (m == null) throw new NotFoundException("no registered model named '" + name + "'");
    return m;
  }

  List<RegisteredModel> list() {
    Map<String, Map<String, Integer>> aliases = aliases(lit(true));
    List<RegisteredModel> out = new ArrayList<>();
    for (Row r : store.read(RegistryTables.REGISTERED_MODELS).orderBy("name").collectAsList()) {
      out.add(toModel(r, aliases.getOrDefault(r.<String>getAs("name"), Map.of())));
    }
    return out;
  }

  void updateDescription(String name, String description) {
    get(name);
    store.retry("update model " + name, () -> {
      store.table(RegistryTables.REGISTERED_MODELS).update(col("name").equalTo(name),
          Map.of("description", lit(description), "last_updated_time", lit(System.currentTimeMillis())));
      return null;
    });
  }

  void setTag(String name, String key, String value) {
    Names.requireKey(key);
    store.setTagIfUnchanged(RegistryTables.REGISTERED_MODELS, col("name").equalTo(name), "last_updated_time", () -> {
      RegisteredModel m = get(name);
      return new DeltaStore.Tagged(m.tags(), m.lastUpdatedTime());
    }, key, value, "tag model " + name);
  }

  /**
   * Renames a model: its stored files move to the new name's folder first, then its rows (model,
   * versions with their storage locations, aliases) take the new name.
   */
  RegisteredModel rename(String name, String newName) {
    Names.requireModelName(newName);
    get(name);
    if (find(newName) != null) {
      throw new AlreadyExistsException("cannot rename registered model '" + name + "' to '" + newName + "': that name is taken");
    }
    Path from = modelFolder(name);
    Path to = modelFolder(newName);
    files.rename(from, to);
    String fromPrefix = from.toString();
    String toPrefix = to.toString();
    for (ModelVersion v : versions(name)) {
      String loc = v.storageLocation();
      String moved = loc != null && loc.startsWith(fromPrefix + "/") ? toPrefix + loc.substring(fromPrefix.length()) : loc;
      store.retry("rename version " + name + "/" + v.version(), () -> {
        store.table(RegistryTables.MODEL_VERSIONS).update(
            col("name").equalTo(name).and(col("version").equalTo(v.version())),
            Map.of("name", lit(newName), "storage_location", lit(moved)));
        return null;
      });
    }
    store.retry("rename aliases of " + name, () -> {
      store.table(RegistryTables.MODEL_ALIASES).update(col("name").equalTo(name), Map.of("name", lit(newName)));
      return null;
    });
    store.retry("rename model " + name, () -> {
      store.table(RegistryTables.REGISTERED_MODELS).update(col("name").equalTo(name),
          Map.of("name", lit(newName), "last_updated_time", lit(System.currentTimeMillis())));
      return null;
    });
    return get(newName);
  }

  void delete(String name) {
    get(name);
    for (String t : List.of(RegistryTables.MODEL_ALIASES, RegistryTables.MODEL_VERSIONS, RegistryTables.REGISTERED_MODELS)) {
      store.retry("delete model " + name, () -> {
        store.table(t).delete(col("name").equalTo(name));
        return null;
      });
    }
    // A name kept from before names were checked (say '..') must not reach the file system.
    Path folder;
    try {
      folder = modelFolder(name);
    } catch (RegistryException unsafe) {
      return;
    }
    files.delete(folder);
  }

  ModelVersion createVersion(String name, RunInfo run, String artifactPath, String description,
      Map<String, String> tags) {
    Names.requireModelName(name);
    String rel = Names.requireRelativePath(artifactPath, "artifact path");
    if (rel.isEmpty()) throw new RegistryException("give the artifact path of the model to register");
    Path src = Names.requireUnder(new Path(run.artifactUri()), new Path(run.artifactUri(), rel), "artifact path");
    if (!files.exists(src)) {
      throw new NotFoundException("run " + run.runId() + " has no artifact '" + artifactPath + "' to register");
    }
    // The model is made only once its version can be: a refused version leaves no empty model behind.
    if (find(name) == null) {
      try {
        create(name, null, Map.of());
      } catch (RegistryException raced) {
        get(name); // created by a concurrent writer: fine
      }
    }
    // Copy first into a folder no other writer uses, then claim a version number for it.
    String storage = new Path(new Path(modelFolder(name), Ids.newId()), src.getName()).toString();
    files.copy(src, new Path(storage));
    for (int attempt = 0; attempt < 40; attempt++) {
      Row top = store.read(RegistryTables.MODEL_VERSIONS).where(col("name").equalTo(name)).agg(max("version")).first();
      int version = top.isNullAt(0) ? 1 : top.getInt(0) + 1;
      long now = System.currentTimeMillis();
      Row row = RowFactory.create(name, version, run.runId(), run.artifactUri() + "/" + rel, storage,
          description, "READY", now, now, DeltaStore.scalaMap(tags));
      // Two writers claiming one number conflict; the loser reads back another owner and tries the next.
      store.insertIfAbsent(RegistryTables.MODEL_VERSIONS, RegistryTables.MODEL_VERSIONS_SCHEMA, row,
          col("t.name").equalTo(col("s.name")).and(col("t.version").equalTo(col("s.version"))));
      ModelVersion got = findVersion(name, version);
      if (got != null && storage.equals(got.storageLocation())) {
        touch(name);
        return got;
      }
    }
    throw new RegistryException("could not register a version of '" + name + "': too many concurrent registrations");
  }

  private void touch(String name) {
    store.retry("touch model " + name, () -> {
      store.table(RegistryTables.REGISTERED_MODELS).update(col("name").equalTo(name),
          Map.of("last_updated_time", lit(System.currentTimeMillis())));
      return null;
    });
  }

  ModelVersion findVersion(String name, int version) {
    List<ModelVersion> found = readVersions(col("name").equalTo(name).and(col("version").equalTo(version)), name);
    return found.isEmpty() ? null : found.get(0);
  }

  ModelVersion version(String name, int version) {
    ModelVersion v = findVersion(name, version);
    if (v == null) {
      get(name);
      List<Integer> have = versions(name).stream().map(ModelVersion::version).toList();
      throw new NotFoundException("registered model '" + name + "' has no version " + version + " (versions: " + have + ")");
    }
    return v;
  }

  List<ModelVersion> versions(String name) {
    get(name);
    return readVersions(col("name").equalTo(name), name);
  }

  void updateVersionDescription(String name, int version, String description) {
    version(name, version);
    store.retry("update version " + name + "/" + version, () -> {
      store.table(RegistryTables.MODEL_VERSIONS).update(col("name").equalTo(name).and(col("version").equalTo(version)),
          Map.of("description", lit(description), "last_updated_time", lit(System.currentTimeMillis())));
      return null;
    });
  }

  void setVersionTag(String name, int version, String key, String value) {
    Names.requireKey(key);
    store.setTagIfUnchanged(RegistryTables.MODEL_VERSIONS, col("name").equalTo(name).and(col("version").equalTo(version)),
        "last_updated_time", () -> {
          ModelVersion v = version(name, version);
          return new DeltaStore.Tagged(v.tags(), v.lastUpdatedTime());
        }, key, value, "tag " + name + "/" + version);
  }

  void setAlias(String name, String alias, int version) {
    Names.requireAlias(alias);
    version(name, version);
    Row row = RowFactory.create(name, alias, version, System.currentTimeMillis());
    Dataset<Row> source = store.spark.createDataFrame(List.of(row), RegistryTables.MODEL_ALIASES_SCHEMA);
    // One MERGE is one commit: readers see the alias on the old version or on the new one, never neither.
    store.retry("set alias " + name + "@" + alias, () -> {
      store.table(RegistryTables.MODEL_ALIASES).as("t").merge(source.as("s"),
              col("t.name").equalTo(col("s.name")).and(col("t.alias").equalTo(col("s.alias"))))
          .whenMatched().updateAll()
          .whenNotMatched().insertAll()
          .execute();
      return null;
    });
  }

  /**
   * Deletes one version: the aliases that point at it, its row, then its stored files (only what
   * lies in its own folder under {@code <root>/models/<name>}).
   */
  void deleteVersion(String name, int version) {
    ModelVersion v = version(name, version);
    for (String t : List.of(RegistryTables.MODEL_ALIASES, RegistryTables.MODEL_VERSIONS)) {
      store.retry("delete version " + name + "/" + version, () -> {
        store.table(t).delete(col("name").equalTo(name).and(col("version").equalTo(version)));
        return null;
      });
    }
    touch(name);
    if (v.storageLocation() == null) return;
    Path folder;
    try {
      folder = new Path(v.storageLocation()).getParent();
      if (!Names.strictlyUnder(modelFolder(name), folder)) return;
    } catch (RuntimeException unsafe) {
      return; // a location this registry did not make: leave its files alone
    }
    files.delete(folder);
  }

  void deleteAlias(String name, String alias) {
    if (!get(name).aliases().containsKey(alias)) {
      throw new NotFoundException("registered model '" + name + "' has no alias '" + alias + "'");
    }
    store.retry("delete alias " + name + "@" + alias, () -> {
      store.table(RegistryTables.MODEL_ALIASES).delete(col("name").equalTo(name).and(col("alias").equalTo(alias)));
      return null;
    });
  }

  ModelVersion byAlias(String name, String alias) {
    List<Row> rows = store.read(RegistryTables.MODEL_ALIASES)
        .where(col("name").equalTo(name).and(col("alias").equalTo(alias))).collectAsList();
    if (rows.isEmpty()) {
      RegisteredModel m = find(name);
      if (m == null) throw new NotFoundException("no registered model named '" + name + "' (looking up alias '" + alias + "')");
      throw new NotFoundException("registered model '" + name + "' has no alias '" + alias + "'"
          + (m.aliases().isEmpty() ? " (it has no aliases)" : " (its aliases: " + m.aliases().keySet() + ")"));
    }
    return version(name, rows.get(0).<Integer>getAs("version"));
  }

  private Map<String, Map<String, Integer>> aliases(Column where) {
    Map<String, Map<String, Integer>> out = new HashMap<>();
    for (Row r : store.read(RegistryTables.MODEL_ALIASES).where(where).collectAsList()) {
      out.computeIfAbsent(r.getAs("name"), k -> new TreeMap<>()).put(r.getAs("alias"), r.<Integer>getAs("version"));
    }
    return out;
  }

  List<ModelVersion> allVersions() {
    return readVersions(lit(true), aliases(lit(true)));
  }

  private List<ModelVersion> readVersions(Column where, String name) {
    return readVersions(where, Map.of(name, aliases(col("name").equalTo(name)).getOrDefault(name, Map.of())));
  }

  private List<ModelVersion> readVersions(Column where, Map<String, Map<String, Integer>> aliasesByModel) {
    List<ModelVersion> out = new ArrayList<>();
    for (Row r : store.read(RegistryTables.MODEL_VERSIONS).where(where).orderBy("name", "version").collectAsList()) {
      int v = r.<Integer>getAs("version");
      Map<String, Integer> aliases = aliasesByModel.getOrDefault(r.<String>getAs("name"), Map.of());
      List<String> mine = aliases.entrySet().stream().filter(e -> e.getValue() == v).map(Map.Entry::getKey).sorted().toList();
      out.add(new ModelVersion(r.getAs("name"), v, r.getAs("run_id"), r.getAs("source"), r.getAs("storage_location"),
          r.getAs("description"), r.getAs("status"), r.<Long>getAs("creation_time"), r.<Long>getAs("last_updated_time"),
          DeltaStore.javaMap(r.getAs("tags")), mine));
    }
    return out;
  }

  private static RegisteredModel toModel(Row r, Map<String, Integer> aliases) {
    return new RegisteredModel(r.getAs("name"), r.getAs("description"), r.<Long>getAs("creation_time"),
        r.<Long>getAs("last_updated_time"), DeltaStore.javaMap(r.getAs("tags")), aliases);
  }

  /** The model's own storage folder, strictly below {@code <root>/models}. */
  private Path modelFolder(String name) {
    Path models = new Path(store.root + "/models");
    Path folder;
    try {
      folder = new Path(models, name);
    } catch (IllegalArgumentException notAPath) {
      throw new RegistryException("model name '" + name + "' does not name a folder under " + models);
    }
    if (!Names.strictlyUnder(models, folder) || name.contains("/")) {
      throw new RegistryException("model name '" + name + "' does not name a folder under " + models);
    }
    return folder;
  }
}
