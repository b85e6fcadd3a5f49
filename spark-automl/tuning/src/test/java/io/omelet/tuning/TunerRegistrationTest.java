package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.ModelVersion;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Run;
import io.omelet.registry.SearchRunsRequest;
import io.omelet.registry.Tags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The tuner registers its best model as AutoML does: the version and its FINISHED run together or not at all, then the alias. */
class TunerRegistrationTest {
  @AfterEach
  void disarm() {
    MeanRegressionModel.whileSaving = () -> {};
  }

  private static OmeletTuner tuner(String root) {
    MeanRegressor est = new MeanRegressor();
    return new OmeletTuner().setEstimator(est).setEvaluator(new RegressionEvaluator().setMetricName("rmse"))
        .setSearchSpace(TunerSpace.builder().uniform(est.shift(), -0.5, 0.5).build())
        .setMaxTrials(2).setNumFolds(2).setSeed(3).setPruning(false)
        .setExperimentName("mean-tuning").setRegistryRoot(root).setRegisterModelName("mean").setModelAlias("champion");
  }

  private static List<Integer> versions(OmeletRegistry registry) {
    return registry.listModelVersions("mean").stream().map(ModelVersion::version).toList();
  }

  @Test
  void theAliasIsSetByTheTunerAndAFaultMidRegistrationLeavesNoVersionAndMovesNoAlias() throws Exception {
    String root = Files.createTempDirectory("tuner-registration").resolve("registry").toString();
    TunerModel first = tuner(root).fit(TuningData.creditFeatures());
    OmeletRegistry registry = OmeletRegistry.open(TuningData.spark(), root);
    assertEquals(1, first.registeredVersion().orElseThrow());
    assertEquals(1, registry.getModelVersionByAlias("mean", "champion").version(), "the alias set through the tuner");
    assertEquals("mean/1", registry.getRun(first.trackedRunId().orElseThrow()).data().tags().get(Tags.TUNING_MODEL_VERSION));

    // While the second search saves its best model, the tags table stops being writable (its folder
    // moved away, a plain file in its place): the version is made, then the parent cannot be tagged with it.
    Path base = Paths.get(java.net.URI.create(registry.root()));
    Path tags = base.resolve("tags");
    Path moved = base.resolve("tags.moved");
    MeanRegressionModel.whileSaving = () -> {
      try {
        Files.move(tags, moved);
        Files.writeString(tags, "not a table");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    try {
      assertThrows(RuntimeException.class, () -> tuner(root).fit(TuningData.creditFeatures()));
    } finally {
      Files.deleteIfExists(tags);
      if (Files.exists(moved)) Files.move(moved, tags);
    }
    assertEquals(List.of(1), versions(registry), "the second search's version was deleted again");
    // It was made first: its rollback is the one DELETE in the versions table's history.
    List<String> operations = TuningData.spark().sql("DESCRIBE HISTORY delta.`" + registry.tablePath("model_versions") + "`")
        .select("operation").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertEquals(1, operations.stream().filter("DELETE"::equals).count(), operations.toString());
    assertEquals(1, registry.getModelVersionByAlias("mean", "champion").version(), "the alias did not move");
    String exp = registry.getExperimentByName("mean-tuning").experimentId();
    List<Run> parents = registry.searchRuns(SearchRunsRequest.in(exp).filter("attributes.parent_run_id IS NULL")
        .orderBy("attributes.start_time DESC")).runs();
    assertEquals(2, parents.size());
    Run second = parents.get(0);
    assertNotEquals(first.trackedRunId().orElseThrow(), second.runId());
    assertNotEquals(io.omelet.registry.RunStatus.FINISHED, second.info().status(), "never FINISHED without its version");
    assertNull(second.data().tags().get(Tags.TUNING_MODEL_VERSION));
    try (var copies = Files.list(base.resolve("models").resolve("mean"))) {
      assertEquals(1, copies.count(), "only version 1's stored copy is left");
    }
  }

  @Test
  void anAliasNeedsAModelName() {
    OmeletTuner t = tuner("unused").setRegisterModelName("");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.transformSchema(
        TuningData.creditFeatures().schema()));
    assertTrue(e.getMessage().contains("modelAlias 'champion' needs registerModelName"), e.getMessage());
    assertThrows(io.omelet.registry.RegistryException.class, () -> tuner("unused").setModelAlias("v2")
        .transformSchema(TuningData.creditFeatures().schema()));
  }
}
