package io.omelet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A run whose last batch cannot be written ends FAILED; a version can be deleted with its aliases and files. */
class RunEndFaultsTest {
  @Test
  void aRunWhoseLastBatchCannotBeWrittenEndsFailedNotFinished() throws Exception {
    OmeletRegistry registry = TestSpark.registryOf(RunEndFaultsTest.class);
    Path root = Paths.get(java.net.URI.create(registry.root()));
    ActiveRun run = registry.startRun("flush-faults", "r");
    run.logParam("p", "1");
    run.flush();
    run.logMetric("loss", 0.5);
    // The metrics table stops being writable: its folder is moved away and a plain file takes its place.
    Path metrics = root.resolve(RegistryTables.METRICS);
    Path moved = root.resolve("metrics.moved");
    Files.move(metrics, moved);
    Files.writeString(metrics, "not a table");
    RuntimeException e;
    try {
      e = assertThrows(RuntimeException.class, run::close);
    } finally {
      Files.delete(metrics);
      Files.move(moved, metrics);
    }
    Run back = registry.getRun(run.runId());
    assertEquals(RunStatus.FAILED, back.info().status(), "never FINISHED with its last metrics missing");
    String why = back.data().tags().get(OmeletRegistry.ERROR_TAG);
    assertTrue(why != null && why.contains("could not be written"), String.valueOf(why));
    assertEquals("1", back.data().params().get("p"));
    run.close(); // ended: closing again does nothing
    assertEquals(RunStatus.FAILED, registry.getRun(run.runId()).info().status());
    assertThrows(RegistryException.class, () -> run.logMetric("loss", 0.4));
  }

  @Test
  void deletingAVersionTakesItsAliasesAndFilesAndLeavesTheOthers() throws Exception {
    OmeletRegistry registry = TestSpark.registryOf(RunEndFaultsTest.class);
    String exp = registry.createExperiment("versions");
    String runId = registry.createRun(exp, "r").runId();
    registry.logText(runId, "model bytes", "model/model.zip");
    ModelVersion v1 = registry.createModelVersion("churn", runId, "model/model.zip", null, Map.of());
    ModelVersion v2 = registry.createModelVersion("churn", runId, "model/model.zip", null, Map.of());
    registry.setRegisteredModelAlias("churn", "champion", v2.version());
    registry.setRegisteredModelAlias("churn", "stable", v1.version());
    Path v2Files = Paths.get(java.net.URI.create(v2.storageLocation()));
    assertTrue(Files.exists(v2Files));

    registry.deleteModelVersion("churn", v2.version());
    assertThrows(NotFoundException.class, () -> registry.getModelVersion("churn", v2.version()));
    assertEquals(Map.of("stable", v1.version()), registry.getRegisteredModel("churn").aliases());
    assertThrows(NotFoundException.class, () -> registry.getModelVersionByAlias("churn", "champion"));
    assertFalse(Files.exists(v2Files.getParent()), "the version's own folder is gone");
    assertTrue(Files.exists(Paths.get(java.net.URI.create(v1.storageLocation()))), "the other version's files stay");
    assertEquals(List.of(v1.version()), registry.listModelVersions("churn").stream().map(ModelVersion::version).toList());
    assertThrows(NotFoundException.class, () -> registry.deleteModelVersion("churn", v2.version()));
  }
}
