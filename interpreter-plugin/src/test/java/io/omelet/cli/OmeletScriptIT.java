package io.omelet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletSpark;
import io.omelet.registry.Run;
import io.omelet.registry.RunStatus;
import io.omelet.registry.SearchRunsRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/omelet} itself, as a user runs it, in the integration-test phase (after the module's
 * jar and class path file are built, so the script finds them and does not build). Checks the
 * one-click run (exit code, printed model URI, registered alias, report and its plots, log in the
 * output folder), a usage error's exit code 2, and Ctrl-C (SIGINT) during training: exit 130 and
 * the run marked KILLED with nothing registered; then {@code omelet serve} on the model it
 * registered, stopped by SIGTERM, with every answered row in the inference table.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class OmeletScriptIT {
  static final Path DATA = Paths.get(System.getProperty("omelet.data.dir", "../data"));
  static final Path SCRIPT = Paths.get(System.getProperty("omelet.repo.dir", "..")).resolve("bin/omelet");
  static Path cwd;

  @BeforeAll
  static void folder() throws Exception {
    cwd = Files.createTempDirectory("omelet-script");
    Files.copy(DATA.resolve("german_credit.csv"), cwd.resolve("german_credit.csv"));
  }

  private static Process start(Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("OMELET_HEAP", "-Xmx3g");
    return pb.start();
  }

  private static OmeletRegistry registry() {
    SparkSession spark = OmeletSpark.builder("script-it", "local[1]").getOrCreate();
    return OmeletRegistry.open(spark, cwd.resolve("omelet-registry").toString());
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void oneClickRunThroughTheScript() throws Exception {
    Path log = cwd.resolve("run.txt");
    Process p = start(log, "run", "-f", "german_credit.csv", "--target", "class", "--profile", "fast",
        "--max-models", "2", "--exclude-algos", "DeepLearning,StackedEnsemble", "--seed", "1");
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "run finished");
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertFalse(out.contains("building first"), "the script used the built jar: " + out);
    assertTrue(out.matches("(?s).*\\n  model_uri: +german_credit@champion\\n.*"), out);
    assertTrue(out.contains("positive class: 'bad' (the minority class: 300 of 1000"), out);
    assertTrue(out.matches("(?s).*\\[automl\\][^\\n]*models? done.*"), "progress counts models: " + out);
    assertTrue(!out.contains("INFO") && !out.contains("WARN"), "library logs stay out of the terminal: " + out);
    Path report = cwd.resolve("omelet-out/german_credit");
    String html = Files.readString(report.resolve("index.html"));
    assertTrue(html.contains("href=\"plots/shap_summary.svg\""));
    assertTrue(Files.isRegularFile(report.resolve("plots/shap_summary.svg")));
    assertTrue(Files.isRegularFile(report.resolve("model/model.zip")));
    assertTrue(Files.size(report.resolve("omelet.log")) > 0, "the log sits in the output folder");
    assertLogsThroughLog4j2(Files.readString(report.resolve("omelet.log")));
    assertEquals(1, registry().getModelVersionByAlias("german_credit", "champion").version());

    Process bad = start(cwd.resolve("bad.txt"), "run", "-f", "german_credit.csv", "--sample", "0", "--target", "class");
    assertTrue(bad.waitFor(2, TimeUnit.MINUTES));
    String badOut = Files.readString(cwd.resolve("bad.txt"));
    assertEquals(2, bad.exitValue(), badOut);
    assertTrue(badOut.length() < 2000, "a usage error is short: " + badOut);
  }

  @Test
  @org.junit.jupiter.api.Order(2)
  void serveWritesWhatItAnsweredWhenStoppedBySigterm() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(cwd.resolve("omelet-registry")), "the run above registered a model");
    Path log = cwd.resolve("serve.txt");
    Process p = start(log, "serve", "--model", "german_credit@champion", "--port", "0", "--reload-interval", "0",
        "--log-flush-secs", "60");
    long deadline = System.currentTimeMillis() + 3 * 60_000;
    java.util.regex.Pattern url = java.util.regex.Pattern.compile("url: +(http://\\S+)");
    java.util.regex.Matcher m = url.matcher("");
    while (p.isAlive() && System.currentTimeMillis() < deadline && !(m = url.matcher(Files.readString(log))).find()) {
      Thread.sleep(200);
    }
    assertTrue(p.isAlive(), "serving: " + Files.readString(log));
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String row = Files.readAllLines(cwd.resolve("german_credit.csv")).get(1);
    List<String> header = List.of(Files.readAllLines(cwd.resolve("german_credit.csv")).get(0).split(","));
    String[] values = row.split(",");
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < header.size(); i++) {
      if (i > 0) json.append(',');
      json.append('"').append(header.get(i).replace("\"", "")).append("\":\"").append(values[i].replace("\"", ""))
          .append('"');
    }
    json.append('}');
    for (int i = 0; i < 5; i++) {
      java.net.http.HttpResponse<String> res = http.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(m.group(1) + "predict")).header("X-Request-Id", "term-" + i)
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json.toString())).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, res.statusCode(), res.body());
    }
    // flushes every 60 s: only the stop can have written these rows
    new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start().waitFor();
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "stopped: " + Files.readString(log));
    SparkSession spark = OmeletSpark.builder("script-it", "local[1]").getOrCreate();
    assertEquals(5, spark.sql("SELECT * FROM delta.`" + cwd.resolve("omelet-registry/inference/german_credit")
        + "` WHERE request_id LIKE 'term-%'").count(), Files.readString(log));
  }

  /**
   * Spark's and H2O's lines reach the log through slf4j 2 and Log4j 2: an slf4j 1.7 on the class
   * path once sent them to slf4j's no-op logger (and hung Spark's task threads in Zeppelin).
   */
  static void assertLogsThroughLog4j2(String log) {
    assertTrue(log.contains("INFO SparkContext: Running Spark version 3.5.7"), "Spark's log lines");
    assertTrue(log.contains("H2O started"), "H2O's log lines");
    assertFalse(log.contains("SLF4J:"), "slf4j found one binding, silently: "
        + log.lines().filter(l -> l.contains("SLF4J:")).limit(5).toList());
  }

  @Test
  void ctrlCDuringTrainingMarksTheRunKilled() throws Exception {
    // A shell that started us with SIGINT ignored passes that on, and a JVM cannot undo it.
    String status = Files.readString(Paths.get("/proc/self/status"));
    long ignored = status.lines().filter(l -> l.startsWith("SigIgn:"))
        .map(l -> Long.parseLong(l.substring(7).trim(), 16)).findFirst().orElse(0L);
    Assumptions.assumeTrue((ignored & 0x2) == 0, "SIGINT is ignored in this process tree");
    Path log = cwd.resolve("cancel.txt");
    Process p = start(log, "run", "-f", "german_credit.csv", "--target", "class", "--profile", "fast",
        "--max-models", "30", "--experiment", "cancelled", "--register", "cancelled", "--seed", "2",
        "-o", "cancelled-out");
    long deadline = System.currentTimeMillis() + 5 * 60_000;
    java.util.regex.Pattern training = java.util.regex.Pattern.compile("\\[automl\\] \\d+% training");
    while (!training.matcher(Files.readString(log)).find() && p.isAlive()
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertTrue(p.isAlive(), "still training: " + Files.readString(log));
    // bin/omelet execs java, so the script's pid is the JVM's
    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "cancelled in time: " + Files.readString(log));
    String out = Files.readString(log);
    assertEquals(130, p.exitValue(), out);
    assertTrue(out.contains("cancelling"), out);
    OmeletRegistry reg = registry();
    List<Run> runs = reg.searchRuns(SearchRunsRequest.in(reg.getExperimentByName("cancelled").experimentId())).runs();
    assertEquals(1, runs.size(), "the parent run only, no child runs: " + runs);
    assertEquals(RunStatus.KILLED, runs.get(0).info().status());
    assertTrue(reg.listRegisteredModels().stream().noneMatch(m -> m.name().equals("cancelled")), "nothing registered");
  }
}
