package io.omelet.zeppelin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/**
 * A real, headless Zeppelin 0.10.0 server (from Maven Central's jars), the interpreter installed
 * from the archive the build writes, the example note imported and run through Zeppelin's REST
 * API: every paragraph must end FINISHED with the results a user sees (their types, sizes and
 * first lines). Part of every {@code mvn verify}: run opt-in, this test once rotted unseen while
 * a class-path change hung every paragraph.
 */
class ZeppelinServerIT {
  /** The example note's paragraphs: the types of their results, in order. */
  static final List<List<String>> TYPES = List.of(
      List.of("TEXT", "TABLE", "TEXT", "TABLE", "HTML", "TEXT"),   // profile: overview, variables, alerts, report
      List.of("TEXT", "TABLE", "TEXT", "HTML", "TEXT"),            // run: leaderboard, metrics, the report
      List.of("TEXT", "TABLE"),                                    // runs search
      List.of("TEXT", "TABLE", "HTML"),                            // runs compare, with its charts
      List.of("TEXT", "TABLE", "HTML"),                            // explain: SHAP values and plots
      List.of("TEXT", "TABLE", "TEXT"),                            // predict into a view
      List.of("TABLE"));                                           // SQL
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
      for (int i = 0; i < results.size(); i++) {
        ZeppelinServerHarness.ParagraphResult r = results.get(i);
        assertTrue(r.finished(), r.toString().substring(0, Math.min(3000, r.toString().length()))
            + "\n" + tail(work.resolve("home/logs")));
        assertEquals(TYPES.get(i), r.messages().stream().map(ZeppelinServerHarness.Message::type).toList(), r.title());
      }
      checkResults(results);
      assertTrue(logOf(work.resolve("home/logs"), ".log").lines()
          .anyMatch(l -> l.contains("SparkContext") && l.contains("Running Spark version 3.5.7")),
          "Spark logs through Log4j 2 into the interpreter's log");
      assertFalse(logOf(work.resolve("home/logs"), ".out").contains("Executor task launch worker"),
          "no Spark task thread died:\n" + tail(work.resolve("home/logs")));
    }
  }

  /** What each paragraph shows: sizes within bounds, the tables' first lines and row counts. */
  static void checkResults(List<ZeppelinServerHarness.ParagraphResult> results) {
    String profile = results.get(0).data("HTML").get(0);
    assertBetween(50_000, 2_000_000, profile.length(), "the profile report");
    assertTrue(profile.contains("<svg"), "the profile's histograms");
    assertTrue(results.get(0).data("TABLE").get(0).lines().count() > 20, "a row per column of mlc_churn");

    String leaderboard = results.get(1).data("TABLE").get(0);
    assertTrue(leaderboard.startsWith("rank\tmodel_id\talgo"), leaderboard);
    assertEquals(3, leaderboard.strip().lines().count(), "header and two models: " + leaderboard);
    String report = results.get(1).data("HTML").get(0);
    assertBetween(200_000, 5_000_000, report.length(), "the run report");
    assertTrue(report.contains("omelet-run") && report.strip().endsWith("</div>"), "the whole report, not cut");
    assertTrue(results.get(1).data("TEXT").stream().anyMatch(t -> t.contains("zeppelin_churn@champion")), "the model URI");

    String search = results.get(2).data("TABLE").get(0);
    assertTrue(search.lines().findFirst().orElse("").contains("metrics.holdout_auc"), search);
    assertEquals(4, search.strip().lines().count(), "the parent run and its two models: " + search);

    String compare = results.get(3).data("TABLE").get(0);
    assertTrue(compare.startsWith("section\tkey\t"), compare);
    assertEquals(5, compare.lines().findFirst().orElse("").split("\t").length, "two runs side by side");
    assertTrue(results.get(3).data("HTML").get(0).contains("<svg"), "the comparison's charts");

    assertTrue(results.get(4).data("TABLE").get(0).strip().lines().count() > 10, "SHAP values per row");
    assertBetween(20_000, 5_000_000, results.get(4).data("HTML").get(0).length(), "the SHAP plots");

    assertTrue(results.get(5).data("TABLE").get(0).lines().findFirst().orElse("").contains("prediction"));

    String sql = results.get(6).data("TABLE").get(0);
    assertEquals("churn\tpredicted\tcustomers", sql.lines().findFirst().orElse(""));
    long scored = sql.strip().lines().skip(1).mapToLong(l -> Long.parseLong(l.split("\t")[2])).sum();
    assertEquals(5000, scored, "every customer scored once: " + sql);
  }

  static void assertBetween(long low, long high, long value, String what) {
    assertTrue(value >= low && value <= high, what + ": " + value + " not in [" + low + ", " + high + "]");
  }

  private static String logOf(Path logs, String suffix) throws java.io.IOException {
    StringBuilder b = new StringBuilder();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(logs, "zeppelin-interpreter-*" + suffix)) {
      for (Path f : ds) b.append(Files.readString(f));
    }
    return b.toString();
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
