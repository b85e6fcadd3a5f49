package io.omelet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** One registration path: a version with its run's closing steps, all or nothing, then the alias. */
class ModelRegistrationTest {
  private final OmeletRegistry registry = TestSpark.registryOf(ModelRegistrationTest.class);

  /** A FINISHED-to-be run with a model artifact, and version 1 of {@code name} from it as champion. */
  private String runWithChampion(String experiment, String name) {
    String runId = registry.createRun(registry.createExperiment(experiment), "r").runId();
    registry.logText(runId, "model bytes", "model/model.zip");
    ModelVersion v1 = registry.createModelVersion(name, runId, "model/model.zip", null, Map.of());
    registry.setRegisteredModelAlias(name, "champion", v1.version());
    return runId;
  }

  private List<Integer> versions(String name) {
    return registry.listModelVersions(name).stream().map(ModelVersion::version).toList();
  }

  @Test
  void theVersionItsRunsStepsAndThenTheAlias() {
    String runId = runWithChampion("registration-ok", "reg-ok");
    List<String> seen = new ArrayList<>();
    ModelVersion v = ModelRegistration.of(registry, "reg-ok").source(runId, "model/model.zip").description("second")
        .tags(Map.of("algo", "gbm")).alias("champion")
        .register(version -> {
          // the alias has not moved yet while the run finishes
          seen.add(version.version() + "@" + registry.getModelVersionByAlias("reg-ok", "champion").version());
          registry.setTerminated(runId, RunStatus.FINISHED);
        });
    assertEquals(List.of("2@1"), seen);
    assertEquals(2, v.version());
    assertEquals("second", v.description());
    assertEquals(Map.of("algo", "gbm"), v.tags());
    assertEquals(2, registry.getModelVersionByAlias("reg-ok", "champion").version());
    assertEquals(RunStatus.FINISHED, registry.getRunInfo(runId).status());
  }

  @Test
  void aFailedStepDeletesTheVersionAndMovesNoAlias() throws Exception {
    String runId = runWithChampion("registration-rollback", "reg-rollback");
    IllegalStateException fault = new IllegalStateException("simulated: the run could not be finished");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ModelRegistration.of(registry, "reg-rollback")
        .source(runId, "model/model.zip").alias("champion").register(version -> {
          throw fault;
        }));
    assertSame(fault, e, "the step's own error, rethrown");
    assertEquals(List.of(1), versions("reg-rollback"), "no version 2 left behind");
    assertEquals(1, registry.getModelVersionByAlias("reg-rollback", "champion").version(), "the alias did not move");
    Path folder = Paths.get(java.net.URI.create(registry.root())).resolve("models").resolve("reg-rollback");
    try (Stream<Path> copies = Files.list(folder)) {
      assertEquals(1, copies.count(), "only version 1's stored copy is left");
    }
  }

  @Test
  void aFailedFirstRegistrationLeavesNoEmptyModel() {
    String runId = registry.createRun(registry.createExperiment("registration-first"), "r").runId();
    registry.logText(runId, "model bytes", "model/model.zip");
    assertThrows(IllegalStateException.class, () -> ModelRegistration.of(registry, "reg-first")
        .source(runId, "model/model.zip").register(version -> {
          throw new IllegalStateException("simulated");
        }));
    assertThrows(NotFoundException.class, () -> registry.getRegisteredModel("reg-first"));
  }

  @Test
  void aFailedAliasMoveKeepsTheVersionAndSaysWhyOnTheRun() throws Exception {
    String runId = runWithChampion("registration-alias", "reg-alias");
    Path root = Paths.get(java.net.URI.create(registry.root()));
    // Once the run finished, the aliases table stops being readable: its folder moved away, a plain file in its place.
    Path aliases = root.resolve(RegistryTables.MODEL_ALIASES);
    Path moved = root.resolve("model_aliases.moved");
    RegistryException e;
    try {
      e = assertThrows(RegistryException.class, () -> ModelRegistration.of(registry, "reg-alias")
          .source(runId, "model/model.zip").alias("champion").register(version -> {
            registry.setTerminated(runId, RunStatus.FINISHED);
            try {
              Files.move(aliases, moved);
              Files.writeString(aliases, "not a table");
            } catch (java.io.IOException io) {
              throw new java.io.UncheckedIOException(io);
            }
          }));
    } finally {
      Files.deleteIfExists(aliases);
      if (Files.exists(moved)) Files.move(moved, aliases);
    }
    assertTrue(e.getMessage().contains("registered reg-alias version 2, but alias 'champion' was not moved"), e.getMessage());
    assertEquals(List.of(1, 2), versions("reg-alias"), "the finished run's version stays");
    assertEquals(1, registry.getModelVersionByAlias("reg-alias", "champion").version());
    assertEquals(e.getMessage(), registry.getRun(runId).data().tags().get(Tags.ALIAS_ERROR));
  }

  @Test
  void badNamesAreRefusedBeforeAnyWork() {
    assertThrows(RegistryException.class, () -> ModelRegistration.checkNames("a/b", null));
    assertThrows(RegistryException.class, () -> ModelRegistration.checkNames("churn", "v3"));
    assertThrows(RegistryException.class, () -> ModelRegistration.of(registry, "churn").alias("latest"));
    ModelRegistration.checkNames("churn", null);
    assertFalse(registry.listRegisteredModels().stream().anyMatch(m -> m.name().equals("churn")));
    assertThrows(IllegalStateException.class, () -> ModelRegistration.of(registry, "churn").register(),
        "a registration needs its source run");
  }
}
