package io.omelet.registry;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * What runs log: the append-only metrics, params, tags (and, for batches of runs, inputs and runs)
 * tables, with the params' immutability check; behind {@link OmeletRegistry}, {@link ActiveRun}
 * and {@link RunBatch}.
 */
final class RunLogStore {
  static final int MAX_PARAM_VALUE_LENGTH = 6000;

  private final DeltaStore store;

  RunLogStore(DeltaStore store) {
    this.store = store;
  }

  /** Validates params against what is stored (and what the caller knows it logged); returns the new ones. */
  Map<String, String> checkParams(String runId, Map<String, String> params, Map<String, String> known) {
    if (params.isEmpty()) return params;
    params.forEach((k, v) -> {
      Names.requireKey(k);
      if (v != null && v.length() > MAX_PARAM_VALUE_LENGTH) {
        throw new RegistryException("param '" + k + "' is " + v.length() + " characters long; the limit is "
            + MAX_PARAM_VALUE_LENGTH);
      }
    });
    Map<String, String> stored = known != null ? known : loggedParams(runId, params.keySet());
    Map<String, String> fresh = new LinkedHashMap<>();
    for (Map.Entry<String, String> p : params.entrySet()) {
      if (stored.containsKey(p.getKey())) {
        String old = stored.get(p.getKey());
        if (!Objects.equals(old, p.getValue())) {
          throw new RegistryException("param '" + p.getKey() + "' of run " + runId + " was logged as '" + old
              + "'; params are immutable, so it cannot become '" + p.getValue() + "' (use a tag for values that change)");
        }
      } else {
        fresh.put(p.getKey(), p.getValue());
      }
    }
    return fresh;
  }

  Map<String, String> loggedParams(String runId, Collection<String> keys) {
    Map<String, String> out = new HashMap<>();
    Column where = col("run_id").equalTo(runId);
    if (keys != null) where = where.and(col("key").isin(keys.toArray()));
    for (Row r : RunReader.currentParams(store.read(RegistryTables.PARAMS).where(where)).collectAsList()) {
      out.put(r.getAs("key"), r.getAs("value"));
    }
    return out;
  }

  /** Writes a validated batch: one append per kind. */
  void writeBatch(String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    writeBatch(runId, metrics, params, tags, new java.util.HashSet<>());
  }

  /**
   * Writes a validated batch, one append per kind, skipping the kinds {@code written} holds and
   * adding each it writes: writing the same batch again after a failure adds only what it left out.
   */
  void writeBatch(String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags,
      java.util.Set<String> written) {
    if (!params.isEmpty()) {
      List<Row> rows = new ArrayList<>();
      params.forEach((k, v) -> rows.add(RowFactory.create(runId, k, v, DeltaStore.nowMicros())));
      store.appendOnce(RegistryTables.PARAMS, RegistryTables.PARAMS_SCHEMA, rows, written);
    }
    if (!metrics.isEmpty()) {
      List<Row> rows = new ArrayList<>(metrics.size());
      for (Metric m : metrics) {
        Names.requireKey(m.key());
        rows.add(RowFactory.create(runId, m.key(), m.value(), m.timestamp(), m.step()));
      }
      store.appendOnce(RegistryTables.METRICS, RegistryTables.METRICS_SCHEMA, rows, written);
    }
    if (!tags.isEmpty()) {
      store.appendOnce(RegistryTables.TAGS, RegistryTables.TAGS_SCHEMA, tagRows(runId, tags, List.of()), written);
    }
  }

  void appendInput(String runId, DatasetRef ref) {
    store.append(RegistryTables.INPUTS, RegistryTables.INPUTS_SCHEMA, List.of(RowFactory.create(runId, ref.name(),
        ref.kind().name(), ref.path(), ref.version(), ref.digest(), ref.context(), DeltaStore.nowMicros())));
  }

  void appendTags(String runId, Map<String, String> set, List<String> delete) {
    store.append(RegistryTables.TAGS, RegistryTables.TAGS_SCHEMA, tagRows(runId, set, delete));
  }

  private static List<Row> tagRows(String runId, Map<String, String> set, List<String> delete) {
    List<Row> rows = new ArrayList<>();
    set.forEach((k, v) -> {
      Names.requireKey(k);
      rows.add(RowFactory.create(runId, k, v, false, DeltaStore.nowMicros()));
    });
    for (String k : delete) rows.add(RowFactory.create(runId, k, null, true, DeltaStore.nowMicros()));
    return rows;
  }

  /** A batch of runs, each table's part appended once (see {@code written}); the runs table last. */
  void appendBatch(List<Row> metrics, List<Row> params, List<Row> tags, List<Row> inputs, List<Row> runs,
      java.util.Set<String> written) {
    store.appendOnce(RegistryTables.METRICS, RegistryTables.METRICS_SCHEMA, metrics, written);
    store.appendOnce(RegistryTables.PARAMS, RegistryTables.PARAMS_SCHEMA, params, written);
    store.appendOnce(RegistryTables.TAGS, RegistryTables.TAGS_SCHEMA, tags, written);
    store.appendOnce(RegistryTables.INPUTS, RegistryTables.INPUTS_SCHEMA, inputs, written);
    store.appendOnce(RegistryTables.RUNS, RegistryTables.RUNS_SCHEMA, runs, written);
  }
}
