package io.omelet.registry;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** The presets table (named settings of a kind, e.g. AutoML profiles); behind {@link OmeletRegistry}. */
final class PresetStore {
  private final DeltaStore store;

  PresetStore(DeltaStore store) {
    this.store = store;
  }


  /** Saves (or replaces) a named preset of a kind, in one commit. */
  Preset savePreset(String kind, String name, Map<String, String> settings, String description) {
    Names.requireSegment(kind, "preset kind");
    Names.requireSegment(name, "preset name");
    Row row = RowFactory.create(kind, name, DeltaStore.scalaMap(settings), description, System.getProperty("user.name"),
        System.currentTimeMillis());
    Dataset<Row> source = store.spark.createDataFrame(List.of(row), RegistryTables.PRESETS_SCHEMA);
    store.retry("save preset " + kind + "/" + name, () -> {
      store.table(RegistryTables.PRESETS).as("t").merge(source.as("s"),
              col("t.kind").equalTo(col("s.kind")).and(col("t.name").equalTo(col("s.name"))))
          .whenMatched().updateAll().whenNotMatched().insertAll().execute();
      return null;
    });
    return getPreset(kind, name);
  }

  /** The preset, or null. */
  Preset findPreset(String kind, String name) {
    List<Preset> found = readPresets(col("kind").equalTo(kind).and(col("name").equalTo(name)));
    return found.isEmpty() ? null : found.get(0);
  }

  Preset getPreset(String kind, String name) {
    Preset p = findPreset(kind, name);
    if (p == null) {
      throw new NotFoundException("no " + kind + " preset named '" + name + "'; saved ones: "
          + listPresets(kind).stream().map(Preset::name).toList());
    }
    return p;
  }

  List<Preset> listPresets(String kind) {
    return readPresets(col("kind").equalTo(kind));
  }

  void deletePreset(String kind, String name) {
    getPreset(kind, name);
    store.retry("delete preset " + kind + "/" + name, () -> {
      store.table(RegistryTables.PRESETS).delete(col("kind").equalTo(kind).and(col("name").equalTo(name)));
      return null;
    });
  }

  private List<Preset> readPresets(Column where) {
    List<Preset> out = new ArrayList<>();
    for (Row r : store.read(RegistryTables.PRESETS).where(where).orderBy("name").collectAsList()) {
      out.add(new Preset(r.getAs("kind"), r.getAs("name"), DeltaStore.javaMap(r.getAs("settings")), r.getAs("description"),
          r.getAs("owner"), r.<Long>getAs("updated_time")));
    }
    return out;
  }
}
