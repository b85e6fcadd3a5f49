package io.omelet.zeppelin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A real, headless Zeppelin 0.10.0 server (from Maven Central's jars), the interpreter installed
 * from the archive the build writes, the example note imported and run through Zeppelin's REST
 * API: every paragraph must end FINISHED. Opt-in (minutes, and the server's jars are fetched):
 * {@code mvn -B verify -pl interpreter-plugin -am -Domelet.it.zeppelinServer=true}.
 */
@EnabledIfSystemProperty(named = "omelet.it.zeppelinServer", matches = "true",
    disabledReason = "set -Domelet.it.zeppelinServer=true to run the real Zeppelin server test")
class ZeppelinServerIT {
  static final Path REPO = Paths.get(System.getProperty("omelet.repo.dir", ".."));
  static final Path TARGET = Paths.get("target").toAbsolutePath();

  @Test
  void theExampleNoteRunsOnARealZeppelinServer() throws Exception {
    Path deps = Paths.get(System.getProperty("omelet.it.zeppelinDeps", TARGET.resolve("zeppelin-deps").toString()));
    Path work = TARGET.resolve("zeppelin-server-it");
    deleteTree(work);
    Files.createDirectories(work);
    // the interpreter exactly as a user installs it: the archive unpacked
    Path archive;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(TARGET, "omelet-zeppelin-*.tar.gz")) {
      archive = ds.iterator().next();
    }
    Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", work.toString()).inheritIO().start();
    assertTrue(tar.waitFor(5, TimeUnit.MINUTES) && tar.exitValue() == 0, "unpacked " + archive);
    Path data = Files.createDirectories(work.resolve("notebook-data/data"));
    Files.copy(REPO.resolve("data/mlc_churn.csv"), data.resolve("mlc_churn.csv"));

    List<String> jvm = new ArrayList<>(List.of("-Xmx3g", "-Dspark.ui.enabled=false"));
    long t0 = System.currentTimeMillis();
    try (ZeppelinServerHarness zeppelin = ZeppelinServerHarness.start(ZeppelinServerHarness.config(
            work.resolve("home"), deps.resolve("server-lib"), Map.of("omelet", work.resolve("omelet")), jvm)
        .withInterpreterApiClasspath(List.of(deps.resolve("interpreter-api"))))) {
      System.out.println("Zeppelin 0.10.0 answered after " + zeppelin.startupMillis() + " ms");
      JsonNode settings = zeppelin.interpreterSettings();
      assertTrue(settings.toString().contains("io.omelet.zeppelin.OmeletInterpreter"), "the omelet group is listed");
      zeppelin.setInterpreterProperty("omelet", "omelet.workDir", work.resolve("notebook-data").toString());
      zeppelin.setInterpreterProperty("omelet", "omelet.registry.root", "registry");
      zeppelin.setInterpreterProperty("omelet", "spark.master", "local[2]");

      String noteId = zeppelin.importNote(REPO.resolve("examples/zeppelin/omelet-churn.zpln"), "/omelet/churn-example");
      long n0 = System.currentTimeMillis();
      List<ZeppelinServerHarness.ParagraphResult> results = zeppelin.runNote(noteId, Duration.ofMinutes(20));
      long noteMs = System.currentTimeMillis() - n0;
      for (ZeppelinServerHarness.ParagraphResult r : results) {
        StringBuilder types = new StringBuilder();
        for (ZeppelinServerHarness.Message m : r.messages()) types.append(' ').append(m.type()).append('(').append(m.data().length()).append(')');
        System.out.printf("paragraph '%s': %s in %d ms:%s%n", r.title(), r.status(), r.elapsedMs(), types);
      }
      System.out.printf("example note: %d paragraphs in %.1f s (server start to end %.1f s)%n", results.size(),
          noteMs / 1000.0, (System.currentTimeMillis() - t0) / 1000.0);
      assertEquals(7, results.size());
      for (ZeppelinServerHarness.ParagraphResult r : results) {
        assertTrue(r.finished(), r.toString().substring(0, Math.min(3000, r.toString().length()))
            + "\n" + tail(work.resolve("home/logs")));
      }
      assertTrue(results.get(1).data("TABLE").get(0).startsWith("rank\tmodel_id"), "the leaderboard");
      assertTrue(results.get(1).data("HTML").stream().anyMatch(h -> h.contains("omelet-run")), "the run report");
      assertTrue(results.get(6).data("TABLE").get(0).startsWith("churn\tpredicted\tcustomers"), "SQL scores");
    }
  }

  private static String tail(Path logs) {
    StringBuilder b = new StringBuilder();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(logs, "zeppelin-interpreter-*")) {
      for (Path f : ds) {
        List<String> lines = Files.readAllLines(f);
        b.append("== ").append(f.getFileName()).append('\n')
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()))).append('\n');
      }
    } catch (Exception e) {
      b.append("(no interpreter logs: ").append(e).append(')');
    }
    return b.toString();
  }

  private static void deleteTree(Path p) throws Exception {
    if (!Files.exists(p)) return;
    try (var s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }
}
