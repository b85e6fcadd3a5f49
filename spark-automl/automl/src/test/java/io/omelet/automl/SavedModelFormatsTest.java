package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saved AutoML models: the format-1 fixture (saved with Java serialization by Omelet before the
 * JSON format; GLM and GBM on penguins) still loads and scores, and re-saves as format 2; damaged
 * files fail naming what is wrong. Scoring needs no H2O node, only Spark.
 */
class SavedModelFormatsTest {
  static Dataset<Row> penguins;
  static AutoMLModel format1;

  @BeforeAll
  static void load() throws Exception {
    penguins = TestSupport.csvNa("penguins.csv").cache();
    format1 = AutoMLModel.load(fixture().toString());
  }

  static Path fixture() throws URISyntaxException {
    return Path.of(SavedModelFormatsTest.class.getResource("/fixtures/automl-model-v1").toURI());
  }

  @Test
  void format1ModelStillLoadsAndScores() {
    assertEquals(ProblemType.MULTINOMIAL, format1.problemType());
    assertEquals(List.of("Adelie", "Chinstrap", "Gentoo"), format1.result().info().classLabels());
    assertTrue(format1.models().size() >= 2, format1.models().toString());
    assertEquals("species", format1.result().info().labelCol());
    List<Row> rows = format1.transform(penguins).select("species", "prediction").collectAsList();
    long agree = rows.stream().filter(r -> r.getString(0).equals(r.getString(1))).count();
    assertTrue(agree > 0.9 * rows.size(), agree + "/" + rows.size());
    for (ModelResult m : format1.models()) {
      assertTrue(m.hasMojo(), m.modelId());
      assertTrue(m.mojoZip().isLoaded()); // format 1 held every MOJO inline
    }
  }

  @Test
  void format1ResavesAsFormat2WithTheSameModels(@TempDir Path dir) throws Exception {
    Path saved = dir.resolve("m");
    format1.write().save(saved.toString());
    assertTrue(Files.exists(saved.resolve("data/result.json")));
    assertFalse(Files.exists(saved.resolve("data/result.ser")));
    AutoMLModel again = AutoMLModel.load(saved.toString());
    assertEquals(format1.uid(), again.uid());
    assertEquals(format1.scoringModelId(), again.scoringModelId());
    for (int i = 0; i < format1.models().size(); i++) {
      ModelResult a = format1.models().get(i);
      ModelResult b = again.models().get(i);
      assertEquals(a.modelId(), b.modelId());
      assertEquals(a.leaderboardMetrics(), b.leaderboardMetrics());
      assertEquals(a.holdout().values(), b.holdout().values());
      assertArrayEquals(a.mojo(), b.mojo());
    }
    assertEquals(format1.transform(penguins).select("prediction", "probability").collectAsList(),
        again.transform(penguins).select("prediction", "probability").collectAsList());
  }

  @Test
  void aReplacedMojoFailsNamingItsFile(@TempDir Path dir) throws Exception {
    Path saved = dir.resolve("m");
    format1.write().save(saved.toString());
    Path zip = saved.resolve("data/models/01.zip");
    byte[] other = Files.readAllBytes(saved.resolve("data/models/02.zip"));
    Files.write(zip, other);
    Files.deleteIfExists(saved.resolve("data/models/.01.zip.crc")); // as a tool other than Hadoop would leave it
    AutoMLModel loaded = AutoMLModel.load(saved.toString());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> loaded.transform(penguins));
    assertTrue(e.getMessage().contains("01.zip") && e.getMessage().contains("not the one saved"), e.getMessage());
  }

  @Test
  void aFormat1FileWithForeignClassesIsRefused(@TempDir Path dir) throws Exception {
    Path saved = dir.resolve("m");
    copy(fixture(), saved);
    try (OutputStream out = Files.newOutputStream(saved.resolve("data/result.ser"));
         ObjectOutputStream o = new ObjectOutputStream(out)) {
      o.writeObject(new java.io.File("/etc/passwd")); // any class outside Omelet's result records
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> AutoMLModel.load(saved.toString()));
    assertTrue(e.getMessage().contains("format-1") && e.getMessage().contains("save it again"), e.getMessage());
  }

  @Test
  void anUnknownFormatSaysWhichItReads(@TempDir Path dir) throws Exception {
    Path saved = dir.resolve("m");
    format1.write().save(saved.toString());
    Path json = saved.resolve("data/result.json");
    Files.writeString(json, Files.readString(json).replace("\"format\" : 2", "\"format\" : 7"));
    Files.deleteIfExists(saved.resolve("data/.result.json.crc"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AutoMLModel.load(saved.toString()));
    assertTrue(e.getMessage().contains("format 7") && e.getMessage().contains("format 2"), e.getMessage());
    Files.delete(json);
    e = assertThrows(IllegalArgumentException.class, () -> AutoMLModel.load(saved.toString()));
    assertTrue(e.getMessage().contains("no AutoML result"), e.getMessage());
  }

  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t);
      }
    }
  }
}
