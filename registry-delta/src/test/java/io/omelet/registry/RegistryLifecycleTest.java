package io.omelet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RegistryLifecycleTest {
  static OmeletRegistry registry;
  static SparkSession spark;

  @BeforeAll
  static void open() {
    spark = TestSpark.get();
    registry = TestSpark.freshRegistry();
  }

  @Test
  void experimentsCreateGetListRenameDeleteRestore() {
    assertEquals("Default", registry.getExperiment(OmeletRegistry.DEFAULT_EXPERIMENT_ID).name());
    String id = registry.createExperiment("churn", null, Map.of("team", "risk"));
    Experiment e = registry.getExperimentByName("churn");
    assertEquals(id, e.experimentId());
    assertEquals("risk", e.tags().get("team"));
    assertEquals("active", e.lifecycleStage());

    RegistryException dup = assertThrows(RegistryException.class, () -> registry.createExperiment("churn"));
    assertTrue(dup.getMessage().contains("already exists"), dup.getMessage());

    registry.renameExperiment(id, "churn-v2");
    assertEquals("churn-v2", registry.getExperiment(id).name());
    assertNull(registry.findExperimentByName("churn"));
    registry.setExperimentTag(id, "owner", "ana");
    assertEquals(Map.of("team", "risk", "owner", "ana"), registry.getExperiment(id).tags());

    RunBatch before = registry.newBatch(); // reads (and caches) the experiment while it is active
    before.addRun(id, "batched-before", null, RunStatus.FINISHED, 1L, 2L);
    before.commit();
    registry.deleteExperiment(id);
    assertTrue(registry.getExperiment(id).isDeleted());
    RegistryException noBatchedRuns = assertThrows(RegistryException.class,
        () -> registry.newBatch().addRun(id, "batched-after", null, RunStatus.FINISHED, 1L, 2L));
    assertTrue(noBatchedRuns.getMessage().contains("deleted"), noBatchedRuns.getMessage());
    assertFalse(registry.listExperiments().stream().anyMatch(x -> x.experimentId().equals(id)));
    assertTrue(registry.listExperiments(ViewType.DELETED_ONLY).stream().anyMatch(x -> x.experimentId().equals(id)));
    RegistryException noRuns = assertThrows(RegistryException.class, () -> registry.createRun(id, "r"));
    assertTrue(noRuns.getMessage().contains("deleted"), noRuns.getMessage());
    registry.restoreExperiment(id);
    assertTrue(registry.listExperiments().stream().anyMatch(x -> x.experimentId().equals(id)));
    RunBatch after = registry.newBatch();
    String restored = after.addRun(id, "batched-restored", null, RunStatus.FINISHED, 1L, 2L);
    after.commit();
    RunInfo restoredRun = registry.getRunInfo(restored);
    assertEquals(id, restoredRun.experimentId());
    assertEquals(registry.getExperiment(id).artifactLocation() + "/" + restored, restoredRun.artifactUri());

    NotFoundException nf = assertThrows(NotFoundException.class, () -> registry.getExperiment("nope"));
    assertTrue(nf.getMessage().contains("nope"));
    assertThrows(RegistryException.class, () -> registry.deleteExperiment(OmeletRegistry.DEFAULT_EXPERIMENT_ID));
  }

  @Test
  void runLifeCycleWithDataArtifactsInputsAndModels() throws Exception {
    Experiment exp = registry.getOrCreateExperiment("lifecycle");
    Path csv = Files.writeString(TestSpark.tempDir("data").resolve("train.csv"), "a,b\n1,2\n3,4\n");
    String deltaPath = TestSpark.tempDir("delta").resolve("customers").toString();
    spark.range(5).write().format("delta").save(deltaPath);
    spark.range(5, 8).write().format("delta").mode("append").save(deltaPath);

    String runId;
    try (ActiveRun run = registry.startRun("lifecycle", "gbm-1")) {
      runId = run.runId();
      // Visible as RUNNING before anything is flushed.
      RunInfo live = registry.getRunInfo(runId);
      assertEquals(RunStatus.RUNNING, live.status());
      assertNull(live.endTime());
      assertTrue(live.startTime() > 0);

      run.logParam("algo", "GBM").logParam("max_depth", "5");
      run.logParam("algo", "GBM"); // same value again: fine
      RegistryException immutable = assertThrows(RegistryException.class, () -> run.logParam("algo", "DRF"));
      assertTrue(immutable.getMessage().contains("immutable"), immutable.getMessage());
      for (int step = 0; step < 5; step++) run.logMetric("loss", 1.0 / (step + 1), step);
      run.logMetric("auc", 0.91);
      run.setTag("team", "risk").setTag("stage", "dev");
      run.logInput(registry.fileRef("train", csv.toString(), "training"));
      run.logInput(registry.deltaTableRef("customers", deltaPath, "holdout"));
      run.logArtifact(csv, "data");
      run.logText("{\"k\": 1}", "reports/summary.json");
      Path modelDir = TestSpark.tempDir("model");
      Files.writeString(modelDir.resolve("model.zip"), "not really a zip");
      Files.writeString(modelDir.resolve("meta.json"), "{}");
      run.logArtifacts(modelDir, null);
      run.flush();
      assertEquals("GBM", registry.getRun(runId).data().params().get("algo"));
      try (ActiveRun child = run.startChildRun("fold-1")) {
        child.logMetric("auc", 0.88);
      }
    }
    registry.setTag(runId, "stage", "prod");
    registry.deleteTag(runId, "team");

    Run run = registry.getRun(runId);
    assertEquals(RunStatus.FINISHED, run.info().status());
    assertNotNull(run.info().endTime());
    assertEquals("gbm-1", run.info().runName());
    assertEquals(exp.experimentId(), run.info().experimentId());
    assertEquals(Map.of("algo", "GBM", "max_depth", "5"), run.data().params());
    assertEquals(0.2, run.data().metric("loss"), 1e-12); // the highest step wins
    assertEquals(4, run.data().metrics().get("loss").step());
    assertEquals(0.91, run.data().metric("auc"));
    assertEquals(Map.of("stage", "prod"), run.data().tags());
    assertEquals(5, registry.getMetricHistory(runId, "loss").size());
    assertEquals(List.of(1.0, 0.5, 1.0 / 3, 0.25, 0.2),
        registry.getMetricHistory(runId, "loss").stream().map(Metric::value).toList());

    List<DatasetRef> inputs = run.data().inputs();
    assertEquals(2, inputs.size());
    DatasetRef file = inputs.get(0);
    assertEquals(DatasetRef.Kind.FILE, file.kind());
    assertEquals(sha256("a,b\n1,2\n3,4\n"), file.digest());
    DatasetRef delta = inputs.get(1);
    assertEquals(DatasetRef.Kind.DELTA, delta.kind());
    assertEquals(1L, delta.version());
    assertEquals("holdout", delta.context());

    List<RunInfo> children = registry.listChildRuns(runId);
    assertEquals(1, children.size());
    assertEquals("fold-1", children.get(0).runName());
    assertEquals(runId, children.get(0).parentRunId());

    Set<String> top = registry.listArtifacts(runId, null).stream().map(ArtifactInfo::path).collect(Collectors.toSet());
    assertEquals(Set.of("data", "reports", "meta.json", "model.zip"), top);
    assertEquals(List.of("data/train.csv"), registry.listArtifacts(runId, "data").stream().map(ArtifactInfo::path).toList());
    Path back = registry.downloadArtifacts(runId, "data/train.csv", TestSpark.tempDir("dl").resolve("x.csv"));
    assertEquals("a,b\n1,2\n3,4\n", Files.readString(back));
    assertEquals("{\"k\": 1}", new String(registry.readArtifact(runId, "reports/summary.json"), StandardCharsets.UTF_8));
    assertThrows(NotFoundException.class, () -> registry.readArtifact(runId, "missing.txt"));

    // Model registry: versions from the run's artifact, description, tags, aliases, URIs.
    ModelVersion v1 = registry.createModelVersion("churn", runId, "model.zip", "first", Map.of("algo", "GBM"));
    assertEquals(1, v1.version());
    ModelVersion v2 = registry.createModelVersion("churn", runId, "model.zip", null, Map.of());
    assertEquals(2, v2.version());
    assertEquals("not really a zip", Files.readString(Path.of(java.net.URI.create(v2.storageLocation()))));
    registry.updateModelVersion("churn", 2, "better");
    registry.setModelVersionTag("churn", 2, "validated", "yes");
    registry.updateRegisteredModel("churn", "churn classifier");
    registry.setRegisteredModelTag("churn", "domain", "telco");
    registry.setRegisteredModelAlias("churn", "champion", 1);
    registry.setRegisteredModelAlias("churn", "challenger", 2);
    ModelVersion byAlias = registry.getModelVersionByAlias("churn", "champion");
    assertEquals(1, byAlias.version());
    assertEquals(List.of("champion"), byAlias.aliases());
    assertEquals("better", registry.getModelVersion("churn", 2).description());
    assertEquals("yes", registry.getModelVersion("churn", 2).tags().get("validated"));
    RegisteredModel model = registry.getRegisteredModel("churn");
    assertEquals("churn classifier", model.description());
    assertEquals(Map.of("champion", 1, "challenger", 2), model.aliases());
    assertEquals("telco", model.tags().get("domain"));
    assertEquals(2, registry.listModelVersions("churn").size());
    assertTrue(registry.listRegisteredModels().stream().anyMatch(m -> m.name().equals("churn")));

    assertEquals(1, registry.resolveModel("churn@champion").version());
    assertEquals(2, registry.resolveModel("models:/churn/2").version());
    ResolvedModel fromRun = registry.resolveModel("runs:/" + runId + "/model.zip");
    assertEquals(runId, fromRun.runId());
    assertNull(fromRun.version());

    NotFoundException noAlias = assertThrows(NotFoundException.class, () -> registry.resolveModel("churn@production"));
    assertTrue(noAlias.getMessage().contains("production") && noAlias.getMessage().contains("champion"), noAlias.getMessage());
    NotFoundException noModel = assertThrows(NotFoundException.class, () -> registry.resolveModel("nosuch@champion"));
    assertTrue(noModel.getMessage().contains("nosuch"), noModel.getMessage());
    NotFoundException noVersion = assertThrows(NotFoundException.class, () -> registry.resolveModel("churn/9"));
    assertTrue(noVersion.getMessage().contains("9"), noVersion.getMessage());
    assertThrows(RegistryException.class, () -> registry.resolveModel("not a uri"));
    assertThrows(RegistryException.class, () -> registry.setRegisteredModelAlias("churn", "v3", 1));
    assertThrows(NotFoundException.class, () -> registry.setRegisteredModelAlias("churn", "x", 7));
    assertThrows(NotFoundException.class, () -> registry.createModelVersion("churn", runId, "nope.zip", null, Map.of()));

    registry.deleteRegisteredModelAlias("churn", "challenger");
    assertEquals(Map.of("champion", 1), registry.getRegisteredModel("churn").aliases());

    // Compare view: one column per run, params and metrics as rows.
    String other = registry.createRun(exp.experimentId(), "gbm-2").runId();
    registry.logBatch(other, List.of(new Metric("auc", 0.93, 1L, 0)), Map.of("algo", "GBM", "max_depth", "7"), Map.of());
    Dataset<Row> cmp = registry.compareRuns(List.of(runId, other));
    List<String> cols = List.of(cmp.columns());
    assertEquals(List.of("section", "key", runId, other, "differs"), cols);
    Row depth = cmp.where("section = 'param' AND key = 'max_depth'").first();
    assertEquals("5", depth.getAs(runId));
    assertEquals("7", depth.getAs(other));
    assertTrue(depth.<Boolean>getAs("differs"));
    Row algo = cmp.where("section = 'param' AND key = 'algo'").first();
    assertFalse(algo.<Boolean>getAs("differs"));
    assertEquals("0.93", cmp.where("section = 'metric' AND key = 'auc'").first().getAs(other));

    // Plain SQL over the tables.
    long params = spark.sql("SELECT * FROM delta.`" + registry.tablePath(RegistryTables.PARAMS) + "` WHERE run_id = '"
        + runId + "'").count();
    assertEquals(2, params);

    registry.deleteRun(other);
    RegistryException deleted = assertThrows(RegistryException.class, () -> registry.logMetric(other, "x", 1));
    assertTrue(deleted.getMessage().contains("deleted"));
    registry.restoreRun(other);
    registry.logMetric(other, "x", 1);
  }

  @Test
  void failingBodyMarksRunFailedWithItsError() {
    String[] id = new String[1];
    IllegalStateException boom = assertThrows(IllegalStateException.class, () -> registry.withRun("errors", "crash", run -> {
      id[0] = run.runId();
      run.logMetric("partial", 1.0);
      throw new IllegalStateException("training diverged");
    }));
    assertEquals("training diverged", boom.getMessage());
    Run run = registry.getRun(id[0]);
    assertEquals(RunStatus.FAILED, run.info().status());
    assertTrue(run.data().tags().get(OmeletRegistry.ERROR_TAG).contains("training diverged"));
    assertEquals(1.0, run.data().metric("partial")); // logged before the failure: kept
  }

  @Test
  void presetsSaveReplaceListAndDelete() {
    registry.savePreset("automl", "team-a", Map.of("maxModels", "5"), "first");
    registry.savePreset("automl", "team-a", Map.of("maxModels", "8", "nfolds", "3"), "second");
    registry.savePreset("automl", "team-b", Map.of(), null);
    registry.savePreset("other", "team-a", Map.of("x", "1"), null);
    Preset a = registry.getPreset("automl", "team-a");
    assertEquals(Map.of("maxModels", "8", "nfolds", "3"), a.settings());
    assertEquals("second", a.description());
    assertEquals(List.of("team-a", "team-b"), registry.listPresets("automl").stream().map(Preset::name).toList());
    registry.deletePreset("automl", "team-b");
    NotFoundException gone = assertThrows(NotFoundException.class, () -> registry.getPreset("automl", "team-b"));
    assertTrue(gone.getMessage().contains("team-a"), gone.getMessage());
    assertEquals(Map.of("x", "1"), registry.getPreset("other", "team-a").settings());
  }

  @Test
  void unknownRunsAndBadArgumentsSaySo() {
    NotFoundException e = assertThrows(NotFoundException.class, () -> registry.getRun("0123456789abcdef0123456789abcdef"));
    assertTrue(e.getMessage().contains("0123456789abcdef0123456789abcdef"));
    assertThrows(NotFoundException.class, () -> registry.createRun("no-such-experiment", "r"));
    String run = registry.createRun(OmeletRegistry.DEFAULT_EXPERIMENT_ID, "r").runId();
    assertThrows(RegistryException.class, () -> registry.logParam(run, "", "x"));
    assertThrows(RegistryException.class, () -> registry.setTerminated(run, RunStatus.RUNNING));
    assertThrows(RegistryException.class, () -> registry.tablePath("nope"));
  }

  private static String sha256(String s) throws Exception {
    var md = java.security.MessageDigest.getInstance("SHA-256");
    return java.util.HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
