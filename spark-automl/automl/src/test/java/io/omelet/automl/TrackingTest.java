package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.ArtifactInfo;
import io.omelet.registry.DatasetRef;
import io.omelet.registry.ModelVersion;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Run;
import io.omelet.registry.RunStatus;
import io.omelet.registry.SearchRunsRequest;
import io.omelet.registry.Tags;
import io.omelet.scoring.MojoModel;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** AutoML tracked in the registry: parent run, a child run per model, the leader registered under an alias. */
class TrackingTest {

  @Test
  void fitTracksParentChildrenAndRegistersTheLeader() throws Exception {
    TestSupport.h2o();
    String root = Files.createTempDirectory("tracking").resolve("registry").toString();
    // Read from a Delta table so the runs record the table and its version.
    String table = Files.createTempDirectory("tracking-data").resolve("penguins").toString();
    TestSupport.csvNa("penguins.csv").write().format("delta").save(table);
    Dataset<Row> penguins = TestSupport.spark().read().format("delta").load(table);

    AutoMLModel model = new OmeletAutoML().setLabelCol("species").setMaxModels(2).setNfolds(3).setSeed(11)
        .setExcludeAlgos("DeepLearning", "StackedEnsemble")
        .setExperimentName("penguins").setRunName("automl-penguins")
        .setRegisteredModelName("penguins").setModelAlias("champion").setRegistryRoot(root)
        .fit(penguins);
    RegistryTracker.TrackedRun tracked = model.trackedRun().orElseThrow();
    OmeletRegistry registry = OmeletRegistry.open(TestSupport.spark(), root);

    Run parent = registry.getRun(tracked.parentRunId());
    assertEquals(RunStatus.FINISHED, parent.info().status());
    assertEquals("automl-penguins", parent.info().runName());
    assertEquals("species", parent.data().params().get("label"));
    assertEquals("MULTINOMIAL", parent.data().params().get("problem_type"));
    assertEquals("automl", parent.data().tags().get(Tags.KIND));
    assertTrue(parent.data().metric("holdout_accuracy") > 0.85, parent.data().metrics().toString());
    DatasetRef ref = parent.data().inputs().get(0);
    assertEquals(DatasetRef.Kind.DELTA, ref.kind());
    assertEquals(0L, ref.version());
    assertTrue(ref.path().endsWith("penguins"), ref.path());

    String exp = parent.info().experimentId();
    List<Run> children = registry.searchAllRuns(SearchRunsRequest.in(exp)
        .filter("attributes.parent_run_id = '" + parent.runId() + "' and tags.`omelet.kind` = 'automl-model'")
        .orderBy("metrics.rank"), 100);
    assertEquals(model.models().size(), children.size());
    for (int i = 0; i < children.size(); i++) {
      Run child = children.get(i);
      ModelResult m = model.models().get(i);
      assertEquals(m.modelId(), child.info().runName());
      assertEquals(RunStatus.FINISHED, child.info().status());
      assertEquals(m.algo(), child.data().params().get("algo"));
      assertTrue(child.data().params().size() > 5, "hyper-parameters logged");
      assertEquals(m.holdout().get("accuracy"), child.data().metric("holdout_accuracy"), 1e-12);
      assertTrue(child.data().metrics().keySet().stream().anyMatch(k -> k.startsWith("cv_")));
      assertEquals(ref, child.data().inputs().get(0));
      Set<String> files = registry.listArtifacts(child.runId(), null).stream().map(ArtifactInfo::path)
          .collect(Collectors.toSet());
      assertTrue(files.containsAll(Set.of("model", "holdout", "variable_importance.csv")), files.toString());
    }
    assertEquals(tracked.childRunIds().get(model.leader().modelId()), tracked.leaderRunId());

    // The search finds the tracked models by their metrics and algorithm.
    assertEquals(children.size(), registry.searchRuns(SearchRunsRequest.in(exp)
        .filter("metrics.holdout_accuracy > 0.5 and tags.`omelet.kind` = 'automl-model'")).runs().size());

    // The served model (the leader refit on all rows) is registered and aliased, from its own
    // child run; its MOJO is the one the model scores with.
    ModelVersion champion = registry.getModelVersionByAlias("penguins", "champion");
    assertEquals(tracked.registeredVersion().version(), champion.version());
    assertEquals(tracked.servedRunId(), champion.runId());
    assertEquals(tracked.childRunIds().get(model.servedModel().modelId()), tracked.servedRunId());
    byte[] mojo = registry.readArtifact(champion.runId(), "model/model.zip");
    assertEquals(model.mojo().key(), MojoModel.of(mojo).key());
    assertEquals(model.result().info().usedRows(), MojoModel.of(mojo).trainingRows());
  }

  @Test
  void aFailedJobLeavesAFailedRunWithItsError() throws Exception {
    TestSupport.h2o();
    String root = Files.createTempDirectory("tracking-fail").resolve("registry").toString();
    // One class only: the schema is fine, the job's own checks refuse it before training.
    Dataset<Row> penguins = TestSupport.csvNa("penguins.csv").where("species = 'Adelie'");
    OmeletAutoML automl = new OmeletAutoML().setLabelCol("species").setMaxModels(2)
        .setExperimentName("failures").setRegistryRoot(root);
    assertThrows(AutoMLInputException.class, () -> automl.fit(penguins));
    OmeletRegistry registry = OmeletRegistry.open(TestSupport.spark(), root);
    String exp = registry.getExperimentByName("failures").experimentId();
    List<Run> runs = registry.searchRuns(SearchRunsRequest.in(exp)).runs();
    assertEquals(1, runs.size());
    assertEquals(RunStatus.FAILED, runs.get(0).info().status());
    assertNotNull(runs.get(0).info().endTime());
    assertTrue(runs.get(0).data().tags().get(OmeletRegistry.ERROR_TAG).contains("one class"),
        runs.get(0).data().tags().toString());
  }

  @Test
  void badModelNamesAndAliasesAreRefusedBeforeAnyJobOrRun() throws Exception {
    String root = Files.createTempDirectory("tracking-names").resolve("registry").toString();
    Dataset<Row> penguins = TestSupport.csvNa("penguins.csv").cache();
    penguins.count();
    for (String[] bad : new String[][] {{"..", null}, {"a/b", null}, {"m@x", null}, {"churn", "v2"}, {"churn", "../x"}}) {
      OmeletAutoML automl = new OmeletAutoML().setLabelCol("species").setMaxModels(1).setExperimentName("names")
          .setRegistryRoot(root).setRegisteredModelName(bad[0]);
      if (bad[1] != null) automl.setModelAlias(bad[1]);
      RuntimeException[] e = new RuntimeException[1];
      int jobs = TestSupport.jobsDuring(() -> e[0] = assertThrows(io.omelet.registry.RegistryException.class, () -> automl.fit(penguins)));
      assertTrue(e[0].getMessage().startsWith(bad[1] == null ? "model name" : "alias"), e[0].getMessage());
      assertEquals(0, jobs, "no Spark job before the names are checked: " + bad[0] + " " + bad[1]);
    }
    // nothing was opened, so no registry was made at all
    assertFalse(Files.exists(java.nio.file.Paths.get(root)));
  }

  @Test
  void registeringNeedsAnExperiment() {
    OmeletAutoML automl = new OmeletAutoML().setLabelCol("species").setRegisteredModelName("x");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> automl.fit(TestSupport.csvNa("penguins.csv")));
    assertTrue(e.getMessage().contains("experimentName"));
  }
}
