package io.omelet.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Names that would address something outside their folder (a model named {@code ..}, an artifact
 * path {@code ../x}) are refused at the registry's API, and nothing on disk changes.
 */
class UnsafeNamesTest {
  static SparkSession spark;
  static OmeletRegistry registry;
  static Path root;
  static String runId;

  @BeforeAll
  static void open() {
    spark = TestSpark.get();
    registry = TestSpark.freshRegistry();
    root = Paths.get(java.net.URI.create(registry.root()));
    String exp = registry.createExperiment("unsafe-names");
    runId = registry.createRun(exp, "r").runId();
    registry.logText(runId, "a model", "model/model.zip");
  }

  @Test
  void aModelNamedDotDotIsRefusedEverywhereAndTheRootStays() {
    for (String bad : List.of("..", ".", "../../tmp", "a/b", "m\u0000")) {
      RegistryException create = assertThrows(RegistryException.class,
          () -> registry.createRegisteredModel(bad, null, Map.of()));
      assertTrue(create.getMessage().startsWith("model name"), create.getMessage());
      RegistryException version = assertThrows(RegistryException.class,
          () -> registry.createModelVersion(bad, runId, "model/model.zip", null, Map.of()));
      assertTrue(version.getMessage().startsWith("model name"), version.getMessage());
    }
    assertTrue(Files.isDirectory(root.resolve("registered_models")));
    assertTrue(registry.listRegisteredModels().stream().noneMatch(m -> m.name().contains(".") || m.name().contains("/")));
  }

  @Test
  void deletingAModelKeptFromBeforeTheCheckLeavesTheRootAlone() throws Exception {
    // A registry written by an older Omelet may hold a model named '..': insert it as such a writer did.
    DeltaStore store = new DeltaStore(spark, registry.root());
    store.append(RegistryTables.REGISTERED_MODELS, RegistryTables.REGISTERED_MODELS_SCHEMA,
        List.of(RowFactory.create("..", null, 1L, 1L, DeltaStore.scalaMap(Map.of()))));
    assertEquals("..", registry.getRegisteredModel("..").name());
    Path marker = Files.writeString(root.resolve("keep-me.txt"), "x");
    registry.deleteRegisteredModel("..");
    assertTrue(Files.exists(marker), "the registry root was deleted");
    assertTrue(Files.isDirectory(root.resolve("runs")));
    assertThrows(NotFoundException.class, () -> registry.getRegisteredModel(".."));
    Files.delete(marker);
  }

  @Test
  void artifactPathsStayInTheRunsFolder() throws Exception {
    Path artifacts = Paths.get(java.net.URI.create(registry.artifactUri(runId)));
    List<String> bad = List.of("../escape.txt", "a/../../escape.txt", "/tmp/escape.txt", "a//b.txt", "./../x",
        "C:/escape.txt", "bell\u0007.txt");
    for (String path : bad) {
      RegistryException write = assertThrows(RegistryException.class, () -> registry.logText(runId, "x", path));
      assertTrue(write.getMessage().startsWith("artifact path"), path + ": " + write.getMessage());
      assertThrows(RegistryException.class, () -> registry.readArtifact(runId, path), path);
      assertThrows(RegistryException.class, () -> registry.listArtifacts(runId, path), path);
      assertThrows(RegistryException.class,
          () -> registry.downloadArtifacts(runId, path, TestSpark.tempDir("dl").resolve("x")), path);
      assertThrows(RegistryException.class,
          () -> registry.createModelVersion("m", runId, path, null, Map.of()), path);
    }
    // a refused version leaves no empty model behind
    assertThrows(NotFoundException.class, () -> registry.getRegisteredModel("m"));
    assertFalse(Files.exists(artifacts.getParent().resolve("escape.txt")));
    assertFalse(Files.exists(Paths.get("/tmp/escape.txt")));
    try (Stream<Path> files = Files.walk(root)) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().contains("escape")));
    }
    // the same names, kept inside, work
    registry.logText(runId, "inside", "notes/escape..txt");
    assertArrayEquals("inside".getBytes(StandardCharsets.UTF_8), registry.readArtifact(runId, "notes/escape..txt"));
    assertEquals(1, registry.listArtifacts(runId, "notes/").size());
  }

  @Test
  void aModelUriCannotReachOutOfTheRun() {
    RegistryException e = assertThrows(RegistryException.class,
        () -> registry.resolveModel("runs:/" + runId + "/../../registered_models"));
    assertTrue(e.getMessage().startsWith("artifact path"), e.getMessage());
    assertEquals(runId, registry.resolveModel("runs:/" + runId + "/model/model.zip").runId());
  }

  @Test
  void aVersionRegisteredFromAnInsidePathWorksAndKeepsItsFolder() {
    ModelVersion v = registry.createModelVersion("churn", runId, "model/model.zip/", null, Map.of());
    assertTrue(v.storageLocation().contains("/models/churn/"), v.storageLocation());
    assertTrue(v.source().endsWith("/model/model.zip"), v.source());
    registry.deleteRegisteredModel("churn");
    assertFalse(Files.exists(root.resolve("models").resolve("churn")));
    assertTrue(Files.isDirectory(root.resolve("registered_models")));
  }

  @Test
  void experimentRunAndPresetNamesAreChecked() {
    assertThrows(RegistryException.class, () -> registry.createExperiment("bad\nname"));
    assertThrows(RegistryException.class, () -> registry.createExperiment("x".repeat(Names.MAX_NAME_LENGTH + 1)));
    String id = registry.createExperiment("/Users/ana/churn"); // MLflow's workspace-style names are fine
    assertEquals(id, registry.getExperimentByName("/Users/ana/churn").experimentId());
    assertThrows(RegistryException.class, () -> registry.createRun(id, "run\u0000"));
    assertThrows(RegistryException.class, () -> registry.setRunName(runId, "a\rb"));
    assertThrows(RegistryException.class, () -> registry.savePreset("automl", "..", Map.of("maxModels", "1"), null));
    assertThrows(RegistryException.class, () -> registry.savePreset("../x", "fast", Map.of("maxModels", "1"), null));
  }
}
