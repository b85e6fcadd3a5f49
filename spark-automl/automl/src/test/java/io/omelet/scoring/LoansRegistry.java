package io.omelet.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omelet.automl.AutoMLModel;
import io.omelet.automl.OmeletAutoML;
import io.omelet.automl.RegistryTracker;
import io.omelet.automl.TestSupport;
import io.omelet.registry.OmeletRegistry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * The serving tests' registry, trained once per test JVM: two GBM versions of {@code loans}
 * trained on lending_club by the embedded H2O node (version 1, the leader, is {@code champion}),
 * and twelve rows to send without their label.
 */
final class LoansRegistry {
  static final String NAME = "loans";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static LoansRegistry shared;

  final String root;
  final OmeletRegistry registry;
  final List<Row> rows;
  final String[] columns;

  private LoansRegistry(String root, OmeletRegistry registry, List<Row> rows, String[] columns) {
    this.root = root;
    this.registry = registry;
    this.rows = rows;
    this.columns = columns;
  }

  static synchronized LoansRegistry get() throws Exception {
    if (shared == null) shared = train();
    return shared;
  }

  private static LoansRegistry train() throws Exception {
    TestSupport.h2o();
    Path dir = Files.createTempDirectory("omelet-loans-registry");
    dir.toFile().deleteOnExit();
    String root = dir.resolve("registry").toString();
    Dataset<Row> all = TestSupport.csv("lending_club.csv");
    // One AutoML job of two GBMs: the leader becomes version 1, the other model version 2.
    AutoMLModel fitted = new OmeletAutoML().setLabelCol("Class").setMaxModels(2).setNfolds(0).setSeed(1)
        .setIncludeAlgos("GBM").setExperimentName(NAME).setRegisteredModelName(NAME)
        .setModelAlias("champion").setRegistryRoot(root).fit(all.sample(false, 0.25, 1));
    RegistryTracker.TrackedRun tracked = fitted.trackedRun().orElseThrow();
    OmeletRegistry registry = OmeletRegistry.open(TestSupport.spark(), root);
    String other = tracked.childRunIds().values().stream()
        .filter(id -> !id.equals(tracked.leaderRunId())).findFirst().orElseThrow();
    assertEquals(2, registry.createModelVersion(NAME, other, "model/model.zip", "second model", Map.of()).version());
    assertEquals(1, registry.getModelVersionByAlias(NAME, "champion").version());
    Dataset<Row> sample = all.sample(false, 0.01, 99).limit(12).drop("Class");
    return new LoansRegistry(root, registry, sample.collectAsList(), sample.columns());
  }

  /** Row {@code i} as the JSON object a client sends. */
  ObjectNode json(int i) {
    return json(rows.get(i));
  }

  /** A row as the JSON object a client sends: numbers as numbers, the rest as text. */
  static ObjectNode json(Row r) {
    ObjectNode o = JSON.createObjectNode();
    StructField[] fields = r.schema().fields();
    for (int f = 0; f < fields.length; f++) {
      Object v = r.get(f);
      if (v == null) o.putNull(fields[f].name());
      else if (v instanceof Integer n) o.put(fields[f].name(), n);
      else if (v instanceof Long n) o.put(fields[f].name(), n);
      else if (v instanceof Double n) o.put(fields[f].name(), n);
      else o.put(fields[f].name(), v.toString());
    }
    return o;
  }
}
