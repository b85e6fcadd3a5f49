package io.omelet.zeppelin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zeppelin.interpreter.thrift.InterpreterCompletion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code %omelet} under Zeppelin's own interpreter process host ({@code RemoteInterpreterServer}
 * in a child JVM, driven over Thrift as Zeppelin drives it): the example note's paragraphs on the
 * shipped churn data, progress and cancel during AutoML, completion, and the ERROR results of
 * user mistakes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OmeletInterpreterTest {
  static final Path DATA = Paths.get(System.getProperty("omelet.data.dir", "../data"));
  static final Path NOTE = Paths.get(System.getProperty("omelet.repo.dir", "..")).resolve("examples/zeppelin/omelet-churn.zpln");
  Path dir;
  RemoteInterpreterHost host;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("omelet-zeppelin");
    Files.createDirectories(dir.resolve("data"));
    Files.copy(DATA.resolve("mlc_churn.csv"), dir.resolve("data/mlc_churn.csv"));
    List<String> jvm = new ArrayList<>(List.of("-Xmx3g", "-Dspark.ui.enabled=false"));
    for (String a : System.getProperty("omelet.test.addOpens", "").split("\\s+")) if (!a.isBlank()) jvm.add(a);
    for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect")) jvm.add(a);
    }
    host = RemoteInterpreterHost.start(OmeletInterpreter.class.getName(), Map.of(
        "spark.master", "local[2]",
        "omelet.registry.root", "registry",
        "omelet.workDir", dir.toString(),
        "omelet.maxResult", "50"), jvm, dir);
  }

  @AfterAll
  void stop() {
    if (host != null) host.close();
  }

  private RemoteInterpreterHost.Result ok(String text, String paragraphId) throws Exception {
    RemoteInterpreterHost.Result r = host.interpret(text, paragraphId);
    assertEquals("SUCCESS", r.code(), text + " -> " + r.messages() + "\n" + host.tail());
    return r;
  }

  private String error(String text) throws Exception {
    RemoteInterpreterHost.Result r = host.interpret(text, "p-error-" + Math.abs(text.hashCode()));
    assertEquals("ERROR", r.code(), text + " -> " + r.messages());
    String msg = r.text();
    assertTrue(msg.contains("omelet: "), msg);
    String line = msg.substring(msg.lastIndexOf("omelet: ")).strip();
    assertFalse(line.contains("\n"), "one line: " + line);
    assertFalse(msg.contains("\tat ") || msg.contains("Exception:"), "no stack trace: " + msg);
    return line;
  }

  private static String summary(RemoteInterpreterHost.Result r) {
    StringBuilder b = new StringBuilder(r.code());
    for (RemoteInterpreterHost.Message m : r.messages()) {
      b.append("\n").append(m.type()).append(" ").append(m.data().length()).append(": ")
          .append(m.data(), 0, Math.min(300, m.data().length()));
    }
    return b.toString();
  }

  private static List<String> values(List<InterpreterCompletion> cs) {
    return cs.stream().map(InterpreterCompletion::getValue).toList();
  }

  /** The example note's paragraphs, without their %omelet line. */
  private static List<String[]> noteParagraphs() throws Exception {
    JsonNode note = new ObjectMapper().readTree(NOTE.toFile());
    List<String[]> out = new ArrayList<>();
    for (JsonNode p : note.get("paragraphs")) {
      String text = p.get("text").asText();
      assertTrue(text.startsWith("%omelet\n"), text);
      out.add(new String[] {p.get("id").asText(), text.substring("%omelet\n".length()), p.get("title").asText()});
    }
    return out;
  }

  @Test
  @Order(1)
  void completionWithoutSpark() throws Exception {
    assertTrue(values(host.completion("ru", 2)).containsAll(List.of("run", "runs")));
    assertTrue(values(host.completion("run --ta", 8)).containsAll(List.of("--table", "--target")));
    assertTrue(values(host.completion("runs ", 5)).containsAll(List.of("search", "compare", "history")));
    assertTrue(values(host.completion("run --profile ", 14)).contains("fast"));
  }

  @Test
  @Order(2)
  void theExampleNoteRunsParagraphByParagraph() throws Exception {
    List<String[]> paragraphs = noteParagraphs();
    assertEquals(7, paragraphs.size());
    List<RemoteInterpreterHost.Result> results = new ArrayList<>();
    for (String[] p : paragraphs) {
      if (p[1].startsWith("run ")) {
        // poll progress on the second connection while AutoML runs
        List<Integer> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread poller = new Thread(() -> {
          while (!done.get()) {
            try {
              seen.add(host.progress(p[0]));
              Thread.sleep(300);
            } catch (Exception e) {
              return;
            }
          }
        });
        poller.start();
        results.add(ok(p[1], p[0]));
        done.set(true);
        poller.join();
        assertTrue(seen.stream().anyMatch(v -> v > 0 && v < 100), "progress strictly between 0 and 100: " + seen);
        for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i) >= seen.get(i - 1) || seen.get(i) == 0, "went back: " + seen);
      } else {
        results.add(ok(p[1], p[0]));
      }
    }
    // profile: the report fragment
    assertTrue(results.get(0).of("HTML").stream().anyMatch(m -> m.data().contains("<svg") || m.data().contains("<table")));
    // run: leaderboard table, the report inline, the registered model
    RemoteInterpreterHost.Result run = results.get(1);
    String leaderboard = run.of("TABLE").get(0).data();
    assertTrue(leaderboard.startsWith("rank\tmodel_id\talgo"), leaderboard);
    assertEquals(3, leaderboard.strip().split("\n").length, "header and two models: " + leaderboard);
    assertTrue(run.of("HTML").stream().anyMatch(m -> m.data().contains("omelet-run") && m.data().contains("<svg")
        && m.data().strip().endsWith("</div>")), "the whole report, not cut at the output limit: " + summary(run));
    for (int i = 0; i < results.size(); i++) {
      StringBuilder b = new StringBuilder();
      for (RemoteInterpreterHost.Message m : results.get(i).messages()) b.append(' ').append(m.type()).append('(').append(m.data().length()).append(')');
      System.out.println("paragraph " + (i + 1) + " " + results.get(i).code() + ":" + b);
    }
    assertTrue(run.text().contains("zeppelin_churn@champion"), run.text());
    // search: the parent and the two models, best first
    String search = results.get(2).of("TABLE").get(0).data();
    assertTrue(search.split("\n")[0].contains("metrics.holdout_auc"), search);
    assertEquals(4, search.strip().split("\n").length, search);
    // compare: two model runs side by side, as a table and as HTML with charts
    String compare = results.get(3).of("TABLE").get(0).data();
    assertTrue(compare.startsWith("section\tkey\t") && compare.split("\n")[0].endsWith("\tdiffers"), compare);
    assertEquals(5, compare.split("\n")[0].split("\t").length, "two runs: " + compare.split("\n")[0]);
    assertTrue(results.get(3).of("HTML").get(0).data().contains("<svg"));
    // explain: SHAP plots
    assertTrue(results.get(4).of("HTML").stream().anyMatch(m -> m.data().contains("<svg")), summary(results.get(4)));
    // predict: the first scored rows
    assertTrue(results.get(5).of("TABLE").get(0).data().split("\n")[0].contains("prediction"));
    // SQL: every customer scored once
    String sql = results.get(6).of("TABLE").get(0).data();
    assertEquals("churn\tpredicted\tcustomers", sql.split("\n")[0]);
    long total = 0;
    for (String line : sql.strip().split("\n")) if (!line.startsWith("churn")) total += Long.parseLong(line.split("\t")[2]);
    assertEquals(5000, total);
  }

  @Test
  @Order(3)
  void tablesAreCutToMaxResultAndSayIt() throws Exception {
    RemoteInterpreterHost.Result r = ok("sql \"SELECT * FROM scored_churn\"", "p-max");
    assertEquals(51, r.of("TABLE").get(0).data().strip().split("\n").length, "header and omelet.maxResult rows");
    assertTrue(r.text().contains("showing 50 of 5000 rows (omelet.maxResult)"), r.text());
  }

  @Test
  @Order(4)
  void completionFromTheSessionAndTheRegistry() throws Exception {
    assertTrue(values(host.completion("predict --model ", 16)).contains("zeppelin_churn@champion"));
    assertTrue(values(host.completion("run --table ", 12)).contains("scored_churn"));
    assertTrue(values(host.completion("run --table scored_churn --target ", 34)).contains("churn"));
    assertTrue(values(host.completion("runs search --experiment ", 25)).contains("zeppelin_churn"));
    String f = "runs search --experiment zeppelin_churn --filter \"metrics.hold";
    assertTrue(values(host.completion(f, f.length())).contains("metrics.holdout_auc"), values(host.completion(f, f.length())).toString());
    String g = "runs search --filter \"metrics.holdout_auc > 0.8 and params.al";
    assertTrue(values(host.completion(g, g.length())).contains("metrics.holdout_auc > 0.8 and params.algo"));
  }

  @Test
  @Order(5)
  void userMistakesAreOneLineErrors() throws Exception {
    assertTrue(error("bogus").contains("bogus"));
    assertTrue(error("runs search --bogus").contains("--bogus"));
    assertTrue(error("run --table nope --target churn").contains("nope"));
    assertTrue(error("run -f data/mlc_churn.csv --target churm").contains("close matches: churn"));
    assertTrue(error("runs search --filter \"metrics.holdout_auc > \"").contains("position"));
    assertTrue(error("predict --model zeppelin_churn@nope -f data/mlc_churn.csv --into x --view").contains("nope"));
    assertTrue(error("runs search --filter \"open").contains("line 1: a double quote is not closed"));
    // the second command fails: the first one's output is kept, the error names the line
    RemoteInterpreterHost.Result two = host.interpret("experiments list\nmodels versions nomodel", "p-two");
    assertEquals("ERROR", two.code());
    assertFalse(two.of("TABLE").isEmpty(), "the first command's table is kept");
    assertTrue(two.text().contains("line 2 (models)"), two.text());
  }

  @Test
  @Order(6)
  void cancelStopsAutoMLAndMarksTheRunKilled() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<RemoteInterpreterHost.Result> running = pool.submit(() -> host.interpret(
          "run -f data/mlc_churn.csv --target churn --experiment cancelme --register cancelme --max-models 30 --seed 5",
          "p-cancel"));
      long deadline = System.currentTimeMillis() + 180_000;
      int p = 0;
      // past profiling and into training (AutoML reports 10% of its share when training starts)
      while (System.currentTimeMillis() < deadline && !running.isDone() && (p = host.progress("p-cancel")) < 10) Thread.sleep(200);
      assertFalse(running.isDone(), "still running at progress " + p);
      long t0 = System.nanoTime();
      host.cancel("p-cancel");
      RemoteInterpreterHost.Result r = running.get(120, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertEquals("ERROR", r.code());
      assertTrue(r.text().contains("cancelled"), r.text());
      System.out.printf("cancel ended the paragraph after %.1f s%n", seconds);
    } finally {
      pool.shutdownNow();
    }
    String runs = ok("runs search --experiment cancelme --format table", "p-after-cancel").of("TABLE").get(0).data();
    String[] lines = runs.strip().split("\n");
    assertEquals(2, lines.length, "the parent run only: " + runs);
    int status = List.of(lines[0].split("\t")).indexOf("status");
    assertEquals("KILLED", lines[1].split("\t")[status]);
    String models = ok("models list", "p-models").of("TABLE").get(0).data();
    assertFalse(models.contains("cancelme"), models);
  }
}
