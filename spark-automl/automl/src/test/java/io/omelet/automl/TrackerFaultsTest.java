package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.NotFoundException;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Run;
import io.omelet.registry.RunStatus;
import io.omelet.registry.SearchRunsRequest;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** A tracked AutoML job that fails at any step ends FAILED, with its child runs written once. */
class TrackerFaultsTest {
  @Test
  void registeringAModelWithoutAMojoIsAnErrorAndTheChildrenAreWrittenOnce() throws Exception {
    OmeletRegistry registry = OmeletRegistry.open(TestSupport.spark(),
        Files.createTempDirectory("tracker-faults").resolve("registry").toString());
    RegistryTracker tracker = new RegistryTracker(registry, "no-mojo", null, List.of(), "nomojo", "champion");
    OmeletAutoML settings = new OmeletAutoML().setLabelCol("y").setNfolds(2).setSeed(1);
    AutoMLRunInfo info = new AutoMLRunInfo(AutoMLRunSettings.of(settings), ProblemType.REGRESSION, "y", List.of("x"), null, 10, 10, 10, 0,
        1, List.of(), null, null);
    // Two models as H2O reports them when their MOJO could not be made: the same path as a real job's.
    ModelResult leader = model("GLM_1", 1);
    ModelResult second = model("GBM_1", 2);
    tracker.onStart(info);
    tracker.onModel(leader);
    tracker.onModel(second);
    AutoMLResult result = new AutoMLResult("p", info, "rmse", List.of(leader, second), null,
        "nothing to refit", List.of(), 5);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> tracker.onComplete(result));
    assertTrue(e.getMessage().contains("cannot register 'nomojo'") && e.getMessage().contains("has no MOJO"),
        e.getMessage());
    tracker.onFailure(e); // what AutoMLJob does with the error

    String exp = registry.getExperimentByName("no-mojo").experimentId();
    List<Run> runs = registry.searchRuns(SearchRunsRequest.in(exp)).runs();
    List<Run> parents = runs.stream().filter(r -> r.info().parentRunId() == null).toList();
    assertEquals(1, parents.size());
    assertEquals(RunStatus.FAILED, parents.get(0).info().status());
    assertTrue(parents.get(0).data().tags().get(OmeletRegistry.ERROR_TAG).contains("has no MOJO"));
    List<Run> children = runs.stream().filter(r -> parents.get(0).runId().equals(r.info().parentRunId())).toList();
    assertEquals(List.of("GBM_1", "GLM_1"), children.stream().map(r -> r.info().runName()).sorted().toList(),
        "each model's child run exactly once");
    assertThrows(NotFoundException.class, () -> registry.getRegisteredModel("nomojo"));
  }

  @Test
  void anErrorThatIsNotAnExceptionStillEndsTheRunFailed() throws Exception {
    TestSupport.h2o();
    String root = Files.createTempDirectory("tracker-error").resolve("registry").toString();
    Dataset<Row> penguins = TestSupport.csvNa("penguins.csv");
    OmeletAutoML automl = new OmeletAutoML().setLabelCol("species").setMaxModels(1).setNfolds(2).setSeed(1)
        .setIncludeAlgos(new String[] {"GLM"}).setExperimentName("errors").setRegistryRoot(root)
        .setRegisteredModelName("penguins").setModelAlias("champion")
        .addListener(new AutoMLListener() {
          @Override
          public void onModel(ModelResult model) {
            throw new OutOfMemoryError("simulated: no heap left while collecting " + model.modelId());
          }
        });
    OutOfMemoryError oom = assertThrows(OutOfMemoryError.class, () -> automl.fit(penguins));
    assertTrue(oom.getMessage().startsWith("simulated"));
    OmeletRegistry registry = OmeletRegistry.open(TestSupport.spark(), root);
    List<Run> runs = registry.searchRuns(SearchRunsRequest.in(registry.getExperimentByName("errors").experimentId())
        .filter("attributes.parent_run_id IS NULL")).runs();
    assertEquals(1, runs.size());
    assertEquals(RunStatus.FAILED, runs.get(0).info().status());
    assertTrue(runs.get(0).data().tags().get(OmeletRegistry.ERROR_TAG).contains("OutOfMemoryError: simulated"),
        runs.get(0).data().tags().get(OmeletRegistry.ERROR_TAG));
    assertThrows(NotFoundException.class, () -> registry.getRegisteredModel("penguins"));
  }

  private static ModelResult model(String id, int rank) {
    return new ModelResult(id, id.substring(0, 3).toLowerCase(java.util.Locale.ROOT), rank, 10, Map.of("seed", "1"),
        Map.of("rmse", 1.0 + rank), Map.of("rmse", 1.0 + rank), Map.of("rmse", 0.5), null, List.of(), 100, 0.01,
        null, "MOJO export failed: not supported");
  }
}
