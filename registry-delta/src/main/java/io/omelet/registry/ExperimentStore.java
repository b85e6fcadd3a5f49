package io.omelet.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** The experiments table: create, read, rename, delete and restore, tags; behind {@link OmeletRegistry}. */
final class ExperimentStore {
  private final DeltaStore store;
  private final Map<String, Experiment> experimentCache = new java.util.concurrent.ConcurrentHashMap<>();

  ExperimentStore(DeltaStore store) {
    this.store = store;
  }


  String createExperiment(String name) {
    return createExperiment(name, null, Map.of());
  }

  /** Creates an experiment; names are unique, deleted experiments included (restore or rename those). */
  String createExperiment(String name, String artifactLocation, Map<String, String> tags) {
    Names.requireDisplayName(name, "experiment name");
    Experiment existing = findExperimentByName(name);
    if (existing != null) {
      throw new AlreadyExistsException("experiment '" + name + "' already exists (id " + existing.experimentId()
          + (existing.isDeleted() ? ", deleted: restore it or pick another name)" : ")"));
    }
    String id = Ids.newId();
    return insertExperiment(id, name, artifactLocation, tags);
  }

  private String insertExperiment(String id, String name, String artifactLocation, Map<String, String> tags) {
    long now = System.currentTimeMillis();
    String location = artifactLocation != null ? artifactLocation : store.root + "/artifacts";
    Row row = RowFactory.create(id, name, location, OmeletRegistry.ACTIVE, now, now, DeltaStore.scalaMap(tags));
    store.insertIfAbsent(RegistryTables.EXPERIMENTS, RegistryTables.EXPERIMENTS_SCHEMA, row,
        col("t.name").equalTo(col("s.name")));
    Experiment created = findExperimentByName(name);
    if (created == null || !created.experimentId().equals(id)) {
      throw new AlreadyExistsException("experiment '" + name + "' already exists (id "
          + (created == null ? "?" : created.experimentId()) + "): created concurrently by another writer");
    }
    return id;
  }

  void ensureDefaultExperiment() {
    if (readExperiments(col("experiment_id").equalTo(OmeletRegistry.DEFAULT_EXPERIMENT_ID)).isEmpty()) {
      try {
        insertExperiment(OmeletRegistry.DEFAULT_EXPERIMENT_ID, OmeletRegistry.DEFAULT_EXPERIMENT_NAME, null, Map.of());
      } catch (RegistryException e) {
        // Another writer created it first.
      }
    }
  }

  Experiment getExperiment(String experimentId) {
    List<Experiment> found = readExperiments(col("experiment_id").equalTo(experimentId));
    if (found.isEmpty()) throw new NotFoundException("no experiment with id '" + experimentId + "'");
    return found.get(0);
  }

  Experiment getExperimentByName(String name) {
    Experiment e = findExperimentByName(name);
    if (e == null) throw new NotFoundException("no experiment named '" + name + "'");
    return e;
  }

  /** The experiment of that name, or null. */
  Experiment findExperimentByName(String name) {
    List<Experiment> found = readExperiments(col("name").equalTo(name));
    return found.isEmpty() ? null : found.get(0);
  }

  /** The experiment of that name, created when missing (MLflow's set_experiment). */
  Experiment getOrCreateExperiment(String name) {
    Experiment e = findExperimentByName(name);
    if (e != null) {
      if (e.isDeleted()) throw new RegistryException("experiment '" + name + "' is deleted: restore it first");
      return e;
    }
    try {
      return getExperiment(createExperiment(name));
    } catch (RegistryException raced) {
      return getExperimentByName(name);
    }
  }

  List<Experiment> listExperiments() {
    return listExperiments(ViewType.ACTIVE_ONLY);
  }

  List<Experiment> listExperiments(ViewType view) {
    Column c = switch (view) {
      case ACTIVE_ONLY -> col("lifecycle_stage").equalTo(OmeletRegistry.ACTIVE);
      case DELETED_ONLY -> col("lifecycle_stage").equalTo(OmeletRegistry.DELETED);
      case ALL -> lit(true);
    };
    return readExperiments(c);
  }

  void renameExperiment(String experimentId, String newName) {
    Names.requireDisplayName(newName, "experiment name");
    Experiment e = getExperiment(experimentId);
    Experiment clash = findExperimentByName(newName);
    if (clash != null && !clash.experimentId().equals(experimentId)) {
      throw new AlreadyExistsException("cannot rename experiment '" + e.name() + "' to '" + newName
          + "': that name belongs to experiment " + clash.experimentId());
    }
    updateExperiment(experimentId, Map.of("name", lit(newName)));
  }

  /** Marks the experiment deleted; its runs stay and come back with {@link #restoreExperiment}. */
  void deleteExperiment(String experimentId) {
    if (OmeletRegistry.DEFAULT_EXPERIMENT_ID.equals(experimentId)) {
      throw new RegistryException("the Default experiment (id 0) cannot be deleted");
    }
    getExperiment(experimentId);
    updateExperiment(experimentId, Map.of("lifecycle_stage", lit(OmeletRegistry.DELETED)));
  }

  void restoreExperiment(String experimentId) {
    getExperiment(experimentId);
    updateExperiment(experimentId, Map.of("lifecycle_stage", lit(OmeletRegistry.ACTIVE)));
  }

  void setExperimentTag(String experimentId, String key, String value) {
    Names.requireKey(key);
    store.setTagIfUnchanged(RegistryTables.EXPERIMENTS, col("experiment_id").equalTo(experimentId), "last_update_time",
        () -> {
          Experiment e = getExperiment(experimentId);
          return new DeltaStore.Tagged(e.tags(), e.lastUpdateTime());
        }, key, value, "tag experiment " + experimentId);
  }

  private void updateExperiment(String experimentId, Map<String, Column> set) {
    Map<String, Column> withTime = new HashMap<>(set);
    withTime.put("last_update_time", lit(System.currentTimeMillis()));
    experimentCache.remove(experimentId); // a batch must see a delete or a rename made here
    store.retry("update experiment " + experimentId, () -> {
      store.table(RegistryTables.EXPERIMENTS).update(col("experiment_id").equalTo(experimentId), withTime);
      return null;
    });
    experimentCache.remove(experimentId);
  }

  private List<Experiment> readExperiments(Column where) {
    List<Experiment> out = new ArrayList<>();
    for (Row r : store.read(RegistryTables.EXPERIMENTS).where(where).orderBy("creation_time").collectAsList()) {
      out.add(new Experiment(r.getAs("experiment_id"), r.getAs("name"), r.getAs("artifact_location"),
          r.getAs("lifecycle_stage"), r.<Long>getAs("creation_time"), r.<Long>getAs("last_update_time"),
          DeltaStore.javaMap(r.getAs("tags"))));
    }
    return out;
  }

  /** Experiments rarely change: a batch looks each one up once. */
  Experiment getExperimentCached(String experimentId) {
    return experimentCache.computeIfAbsent(experimentId, this::getExperiment);
  }
}
