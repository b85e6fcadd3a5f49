package io.omelet.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.ModelVersion;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Run;
import io.omelet.registry.RunStatus;
import io.omelet.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The command language in-process, on a real local Spark session, a real Delta registry in a
 * temporary folder and a real embedded H2O node: one small {@code run} on mlc_churn, then every
 * other command against what it tracked and registered, and the bad inputs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandsTest {
  static final Path DATA = SharedSpark.dataDir();
  SparkSession spark;
  Path dir;
  String registry;
  CommandResult.Values runDone;

  @BeforeAll
  void setUp() throws Exception {
    spark = SharedSpark.session();
    dir = Files.createTempDirectory("omelet-commands");
    registry = dir.resolve("registry").toString();
    Files.copy(DATA.resolve("mlc_churn.csv"), dir.resolve("churn.csv"));
    // two models, however long they take: a time budget runs out on a loaded machine before any is built
    Result r = exec("run", "-f", "churn.csv", "--target", "churn", "--max-models", "2", "--max-runtime-secs", "0",
        "--exclude-algos", "DeepLearning,StackedEnsemble,GLM", "--seed", "7", "--explain-rows", "300",
        "--registry", registry, "-o", "report");
    assertEquals(0, r.outcome.exitCode(), r.outcome.error());
    runDone = r.sink.of(CommandResult.Values.class).get(0);
  }

  @AfterAll
  void tearDown() {
    // the session is shared with nothing else in this JVM; H2O stays up until the JVM ends
  }

  record Result(OmeletCommands.Outcome outcome, CommandSink.Collecting sink) {
    <T extends CommandResult> T first(Class<T> kind) {
      List<T> l = sink.of(kind);
      assertFalse(l.isEmpty(), "no " + kind.getSimpleName() + " in " + sink.results());
      return l.get(0);
    }

    String text() {
      StringBuilder sb = new StringBuilder();
      for (CommandResult.Text t : sink.of(CommandResult.Text.class)) sb.append(t.text()).append('\n');
      return sb.toString();
    }
  }

  Result exec(String... args) {
    CommandSink.Collecting sink = CommandSink.collecting();
    CommandContext ctx = CommandContext.of(spark, sink, dir);
    return new Result(OmeletCommands.execute(ctx, args), sink);
  }

  Result failing(int code, String... args) {
    Result r = exec(args);
    assertEquals(code, r.outcome.exitCode(), "exit code of " + String.join(" ", args) + ": " + r.outcome.error());
    assertNotNull(r.outcome.error());
    assertFalse(r.outcome.error().contains("\n"), "one line: " + r.outcome.error());
    assertFalse(r.outcome.unexpected(), "a known bad input, not an unexpected failure: " + r.outcome.error());
    return r;
  }

  // ------------------------------------------------------------ run

  @Test
  void runTracksRegistersExplainsAndWritesTheReport() throws Exception {
    assertEquals("churn@champion", runDone.values().get("model_uri"));
    OmeletRegistry reg = OmeletRegistry.open(spark, registry);
    String runId = (String) runDone.values().get("run_id");
    Run parent = reg.getRun(runId);
    assertEquals(RunStatus.FINISHED, parent.info().status());
    ModelVersion champion = reg.getModelVersionByAlias("churn", "champion");
    assertEquals(1, champion.version());
    // the parent holds the profile and the report; the explained child its SHAP plots
    assertTrue(reg.listArtifacts(runId, "profile").stream().anyMatch(a -> a.path().endsWith("profile.json")));
    assertTrue(reg.listArtifacts(runId, "report").stream().anyMatch(a -> a.path().endsWith("index.html")));
    Path report = dir.resolve("report");
    for (String f : List.of("index.html", "leaderboard.csv", "metrics.json", "profile.html", "model/model.zip",
        "plots/shap_summary.svg")) {
      assertTrue(Files.isRegularFile(report.resolve(f)), f);
    }
    // what is registered and written is the leader refit on all 5,000 rows
    assertTrue(((String) runDone.values().get("served")).contains("refit on all 5000 rows"), runDone.values().toString());
    io.omelet.scoring.MojoModel written = io.omelet.scoring.MojoModel.of(Files.readAllBytes(report.resolve("model/model.zip")));
    assertEquals(5000, written.trainingRows());
    assertEquals(written.key(), io.omelet.scoring.MojoModel.of(reg.readArtifact(champion.runId(), "model/model.zip")).key());
    String html = Files.readString(report.resolve("index.html"));
    assertTrue(html.contains("href=\"plots/shap_summary.svg\""));
    assertTrue(html.contains("<svg"), "plots embedded inline");
    assertTrue(html.contains("SELECT omelet_predict('churn@champion', *)"));
    assertFalse(html.matches("(?s).*<(script|link)[^>]+(src|href)=\"https?:.*"), "no network references");
    String csv = Files.readString(report.resolve("leaderboard.csv"));
    assertTrue(csv.startsWith("rank,model_id,algo,auc"), csv);
    assertEquals(3, csv.strip().lines().count(), "header and two models");
    var metrics = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.resolve("metrics.json").toFile());
    assertEquals(runId, metrics.get("run_id").asText());
    assertTrue(metrics.get("holdout").get("auc").asDouble() > 0.7, metrics.toString());
    // churn 'yes' is the minority: the binary figures describe it, and the run says so
    assertEquals("yes", runDone.values().get("positive_class"));
    assertEquals("yes", metrics.get("positive_class").asText());
    assertEquals("yes", parent.data().params().get("positive_class"));
    assertTrue(html.contains("the minority class"), "the report says why");
  }

  // ------------------------------------------------------------ registry commands

  @Test
  void searchShowCompareAndModels() {
    Result search = exec("runs", "search", "--experiment", "churn", "--filter", "metrics.holdout_auc > 0.5",
        "--order-by", "metrics.holdout_auc DESC", "--registry", registry);
    assertEquals(0, search.outcome.exitCode(), search.outcome.error());
    CommandResult.Table runs = search.first(CommandResult.Table.class);
    assertEquals(3, runs.rows().size(), "the parent and two model runs have a holdout AUC");
    int auc = runs.columns().indexOf("metrics.holdout_auc");
    assertTrue((Double) runs.rows().get(0).get(auc) >= (Double) runs.rows().get(1).get(auc));

    String runId = (String) runDone.values().get("run_id");
    Result show = exec("runs", "show", runId, "--registry", registry);
    assertEquals(runId, show.first(CommandResult.Values.class).values().get("run_id"));
    assertTrue(show.sink.of(CommandResult.Table.class).stream().anyMatch(t -> t.title().equals("inputs")));

    String a = (String) runs.rows().get(1).get(0), b = (String) runs.rows().get(2).get(0);
    Result compare = exec("runs", "compare", a, b, "--registry", registry);
    CommandResult.Table cmp = compare.first(CommandResult.Table.class);
    assertTrue(cmp.columns().containsAll(List.of(a, b, "differs")));
    String cmpHtml = compare.first(CommandResult.Html.class).html();
    assertTrue(cmpHtml.contains("holdout_auc") && cmpHtml.contains("<svg"), "a bar chart per differing metric");

    Result history = exec("runs", "history", a, b, "--metric", "holdout_auc", "--registry", registry);
    assertEquals(0, history.outcome.exitCode(), history.outcome.error());
    assertEquals(2, history.first(CommandResult.Table.class).rows().size(), "one point per run");
    assertTrue(history.first(CommandResult.Html.class).html().contains("<polyline")
        || history.first(CommandResult.Html.class).html().contains("<circle"));
    assertTrue(failing(1, "runs", "history", a, "--metric", "nope", "--registry", registry).outcome.error()
        .contains("has no metric 'nope'; its metrics: "));

    CommandResult.Table models = exec("models", "list", "--registry", registry).first(CommandResult.Table.class);
    assertEquals("churn", models.rows().get(0).get(0));
    assertEquals("champion=1", models.rows().get(0).get(3));
    assertEquals(0, exec("models", "alias", "set", "churn", "challenger", "1", "--registry", registry).outcome.exitCode());
    CommandResult.Table versions = exec("models", "versions", "churn", "--registry", registry).first(CommandResult.Table.class);
    assertEquals("challenger, champion", versions.rows().get(0).get(1));
    assertEquals(0, exec("models", "alias", "delete", "churn", "challenger", "--registry", registry).outcome.exitCode());
    CommandResult.Table exps = exec("experiments", "list", "--registry", registry).first(CommandResult.Table.class);
    assertTrue(exps.rows().stream().anyMatch(r -> r.get(1).equals("churn") && ((Long) r.get(2)) == 4L),
        "the parent, two model runs and the refit: " + exps.rows());
  }

  @Test
  void sqlScoresWithTheRegistrysModels() throws Exception {
    spark.read().option("header", "true").option("inferSchema", "true").csv(dir.resolve("churn.csv").toString())
        .createOrReplaceTempView("customers");
    Result r = exec("sql", "SELECT churn, omelet_predict('churn@champion', *).prediction AS predicted FROM customers",
        "--registry", registry);
    assertEquals(0, r.outcome.exitCode(), r.outcome.error());
    CommandResult.Table t = r.first(CommandResult.Table.class);
    assertEquals(List.of("churn", "predicted"), t.columns());
    assertEquals(5000, t.totalRows());
    assertTrue(t.rows().stream().allMatch(row -> List.of("yes", "no").contains(row.get(1))), t.rows().toString());
    assertTrue(failing(1, "sql", "SELECT nope FROM customers", "--registry", registry).outcome.error().contains("nope"));
    assertTrue(failing(1, "sql", "SELEC 1", "--registry", registry).outcome.error().startsWith("SQL syntax"));
    assertTrue(failing(1, "sql", "SELECT omelet_predict('churn@nope', *) FROM customers", "--registry", registry)
        .outcome.error().contains("nope"));
    // a model URI that tries to climb out of the registry is refused, naming it
    assertTrue(failing(1, "sql", "SELECT omelet_predict('../x@champion', *) FROM customers", "--registry", registry)
        .outcome.error().contains("../x@champion"));
  }

  @Test
  void markFailedEndsARunningRun() {
    OmeletRegistry reg = OmeletRegistry.open(spark, registry);
    String id = reg.startRun("dead", "left running").runId();
    reg.getRunInfo(id);
    assertEquals(0, exec("runs", "mark-failed", id, "--reason", "driver lost", "--registry", registry).outcome.exitCode());
    assertEquals(RunStatus.FAILED, reg.getRunInfo(id).status());
    failing(1, "runs", "mark-failed", id, "--registry", registry);
  }

  @Test
  void presetsSaveShowList() {
    assertEquals(0, exec("presets", "save", "team-quick", "--based-on", "fast", "--set", "maxModels=2",
        "--description", "tests", "--registry", registry).outcome.exitCode());
    CommandResult.Table show = exec("presets", "show", "team-quick", "--registry", registry).first(CommandResult.Table.class);
    assertTrue(show.rows().contains(List.of("maxModels", "2")), show.rows().toString());
    assertTrue(show.rows().contains(List.of("nfolds", "3")), "from fast");
    CommandResult.Table list = exec("presets", "list", "--registry", registry).first(CommandResult.Table.class);
    assertTrue(list.rows().stream().anyMatch(r -> r.get(0).equals("team-quick")));
    failing(2, "presets", "save", "x", "--set", "maxModelz=2", "--registry", registry);
  }

  // ------------------------------------------------------------ predict, explain, profile

  @Test
  void predictWritesOneFileWithProbabilities() throws Exception {
    Result r = exec("predict", "--model", "churn@champion", "-f", "churn.csv", "-o", "out/scored.csv", "--registry", registry);
    assertEquals(0, r.outcome.exitCode(), r.outcome.error());
    List<String> lines = Files.readAllLines(dir.resolve("out/scored.csv"));
    assertEquals(5001, lines.size());
    assertTrue(lines.get(0).endsWith("prediction,probability,p_no,p_yes"), lines.get(0));
    failing(1, "predict", "--model", "churn@champion", "-f", "churn.csv", "-o", "out/scored.csv", "--registry", registry);
  }

  @Test
  void predictLogAppendsTheScoredRowsToTheModelsInferenceTableInOneCommit() throws Exception {
    // inference tables are per registered model: a run artifact is refused before anything is scored
    ModelVersion champion = OmeletRegistry.open(spark, registry).getModelVersionByAlias("churn", "champion");
    String byRun = failing(1, "predict", "--model", "runs:/" + champion.runId() + "/model/model.zip", "-f", "churn.csv",
        "--log", "--registry", registry).outcome.error();
    assertTrue(byRun.contains("--log needs a registered model") && byRun.contains("is a run artifact"), byRun);
    // a registry root that cannot take the table: refused before scoring, naming the folder
    // (another test's tables, e.g. serve's, are set aside: this one starts on a new table)
    Path inference = Path.of(registry, "inference");
    if (Files.exists(inference)) Files.move(inference, Path.of(registry, "inference-" + System.nanoTime()));
    Files.writeString(inference, "a file where the folder goes");
    try {
      String unwritable = failing(1, "predict", "--model", "churn@champion", "-f", "churn.csv", "--log",
          "--registry", registry).outcome.error();
      assertTrue(unwritable.contains("cannot write inference tables under") && unwritable.contains("/inference"), unwritable);
    } finally {
      Files.delete(inference);
    }

    Result r = exec("predict", "--model", "churn@champion", "-f", "churn.csv", "--log", "-o", "out/logged.csv",
        "--registry", registry);
    assertEquals(0, r.outcome.exitCode(), r.outcome.error());
    String table = Path.of(registry, "inference", "churn").toUri().toString();
    assertTrue(r.text().contains("logged 5000 scored rows to the inference table ") && r.text().contains("/inference/churn"),
        r.text());
    var logged = spark.read().format("delta").load(table);
    assertEquals(5000, logged.count());
    assertEquals(1, spark.sql("DESCRIBE HISTORY delta.`" + table + "`").where("operation = 'WRITE'").count(),
        "one commit for the job");
    assertEquals(5000, logged.select("request_id").distinct().count());
    assertEquals(1, logged.select("model_version", "model_alias", "timestamp").distinct().count());
    // the same predictions as the file written in the same command
    var file = spark.read().option("header", "true").csv(dir.resolve("out/logged.csv").toString());
    assertEquals(file.groupBy("prediction").count().orderBy("prediction").collectAsList(),
        logged.groupBy("prediction").count().orderBy("prediction").collectAsList());
    assertEquals(0, logged.where("status <> 200 OR label IS NOT NULL OR extra_features NOT LIKE '%\"churn\"%'").count(),
        "the label column of the input is kept in extra_features");
  }

  @Test
  void explainWritesPlotsAndRows() throws Exception {
    Result r = exec("explain", "--model", "churn/1", "-f", "churn.csv", "--limit", "100", "--plots", "shap",
        "-o", "shap.json", "--registry", registry);
    assertEquals(0, r.outcome.exitCode(), r.outcome.error());
    assertTrue(Files.isRegularFile(dir.resolve("shap/shap_summary.svg")));
    assertEquals(100, Files.readAllLines(dir.resolve("shap.json")).size());
    CommandResult.Table imp = r.first(CommandResult.Table.class);
    assertEquals(19, imp.rows().size(), "one value per input column");
  }

  @Test
  void profileAndDriftAgainstIt() throws Exception {
    Result p = exec("profile", "-f", "churn.csv", "-o", "prof", "--mode", "univariate");
    assertEquals(0, p.outcome.exitCode(), p.outcome.error());
    assertTrue(Files.isRegularFile(dir.resolve("prof/profile.html")));
    Files.write(dir.resolve("half.csv"), Files.readAllLines(dir.resolve("churn.csv")).subList(0, 2000));
    Result d = exec("profile", "-f", "half.csv", "-o", "prof2", "--against", "prof/profile.json", "--mode", "univariate");
    assertEquals(0, d.outcome.exitCode(), d.outcome.error());
    assertTrue(d.sink.of(CommandResult.Table.class).stream().anyMatch(t -> t.title().equals("drift")));
    assertTrue(Files.isRegularFile(dir.resolve("prof2/drift.json")));
  }

  // ------------------------------------------------------------ bad input: one line, nothing claimed

  @Test
  void badInputsFailWithOneLine() throws Exception {
    assertTrue(failing(1, "run", "-f", "nope.csv", "--target", "churn", "--registry", registry).outcome.error()
        .contains("no such file"));
    Files.writeString(dir.resolve("empty.csv"), "");
    assertTrue(failing(1, "run", "-f", "empty.csv", "--target", "churn", "--registry", registry).outcome.error().contains("is empty"));
    Files.writeString(dir.resolve("header.csv"), "a,b,churn\n");
    assertTrue(failing(1, "profile", "-f", "header.csv").outcome.error().contains("no data rows"));
    Files.writeString(dir.resolve("ragged.csv"), "a,b,churn\n1,2,yes\n\"x,y\",3,no\n4,5\n6,7,no\n");
    String ragged = failing(1, "run", "-f", "ragged.csv", "--target", "churn", "--registry", registry).outcome.error();
    assertTrue(ragged.contains("line 4: 2 fields, the header has 3"), ragged);
    // A quote inside an unquoted field: the shape check reads a quoted section, Spark's parser a
    // literal quote and then a record of 4 fields.
    Files.writeString(dir.resolve("quote.csv"), "a,b,churn\n1,2,yes\np\"q,1,no\nr,s\",2,yes\n3,4,no\n");
    String quote = failing(1, "profile", "-f", "quote.csv", "-o", "quote-out").outcome.error();
    assertTrue(quote.startsWith("the input has a record the file parser refuses") && quote.endsWith("[r,s\",2]."), quote);
    byte[] binary = new byte[300];
    new java.util.Random(3).nextBytes(binary);
    binary[100] = 0;
    Files.write(dir.resolve("binary.csv"), binary);
    assertTrue(failing(1, "run", "-f", "binary.csv", "--target", "churn", "--registry", registry).outcome.error()
        .contains("binary.csv is not a text CSV file: it has a NUL byte at offset"));
    Files.write(dir.resolve("latin1.csv"), "a,churn\ncaf\u00e9,yes\nna\u00efve,no\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertTrue(failing(1, "profile", "-f", "latin1.csv").outcome.error()
        .contains("latin1.csv is not UTF-8 text: byte 11 is 0xe9"));
    String unknown = failing(1, "run", "-f", "churn.csv", "--target", "churm", "--registry", registry).outcome.error();
    assertTrue(unknown.contains("close matches: churn"), unknown);
    Files.writeString(dir.resolve("constant.csv"), "a,churn\n1,yes\n2,yes\n3,yes\n");
    assertTrue(failing(1, "run", "-f", "constant.csv", "--target", "churn", "--registry", registry).outcome.error()
        .contains("single value 'yes'"));
    Files.writeString(dir.resolve("nulls.csv"), "a,churn\n1,\n2,\n3,\n");
    assertTrue(failing(1, "run", "-f", "nulls.csv", "--target", "churn", "--registry", registry).outcome.error()
        .contains("null in every row"));
    assertTrue(failing(1, "run", "-f", "churn.csv", "--target", "churn", "--profile", "nope", "--registry", registry)
        .outcome.error().contains("no AutoML profile named 'nope'"));
    assertTrue(failing(1, "run", "-f", "churn.csv", "--target", "churn", "--positive-class", "maybe", "--registry", registry)
        .outcome.error().contains("positive class 'maybe' is not a class of label 'churn'; the classes are no, yes"));
    // three area codes cannot fill 3 folds and a holdout group: said before any training
    String groups = failing(1, "run", "-f", "churn.csv", "--target", "churn", "--group-col", "area_code",
        "--registry", registry).outcome.error();
    assertTrue(groups.contains("group column 'area_code' has 3 groups in the labelled rows; 3-fold cross-validation"
        + " with a holdout of 1 group needs at least 4 groups"), groups);
    failing(2, "run", "-f", "churn.csv", "--target", "churn", "--sample", "0");
    failing(2, "run", "-f", "churn.csv", "--target", "churn", "--sample", "-5");
    failing(2, "run", "-f", "churn.csv");
    failing(2, "bogus");
    assertTrue(failing(1, "predict", "--model", "churn@nope", "-f", "churn.csv", "-o", "x.csv", "--registry", registry)
        .outcome.error().contains("nope"));
    failing(1, "predict", "--model", "nomodel@champion", "-f", "churn.csv", "-o", "x.csv", "--registry", registry);
    failing(1, "models", "versions", "nomodel", "--registry", registry);
    failing(1, "models", "alias", "set", "churn", "champion", "9", "--registry", registry);
    // names that would address files outside their folder are refused at every entry
    assertTrue(failing(1, "run", "-f", "churn.csv", "--target", "churn", "--experiment", "names", "--register", "..",
        "--registry", registry).outcome.error().contains("model name '..' is not valid"));
    assertTrue(failing(1, "run", "-f", "churn.csv", "--target", "churn", "--experiment", "names", "--register", "m",
        "--alias", "../x", "--registry", registry).outcome.error().contains("alias '../x' is not valid"));
    assertTrue(failing(1, "models", "alias", "set", "..", "champion", "1", "--registry", registry).outcome.error()
        .contains(".."));
    String filter = failing(1, "runs", "search", "--filter", "metrics.auc > ", "--registry", registry).outcome.error();
    assertTrue(filter.contains("position"), filter);
    Files.writeString(dir.resolve("afile"), "x");
    assertTrue(failing(1, "run", "-f", "churn.csv", "--target", "churn", "-o", "afile/sub", "--registry", registry)
        .outcome.error().contains("cannot be written"));
    failing(1, "runs", "search", "--registry", dir.resolve("afile").toString());
    // nothing above left a run or a version behind
    OmeletRegistry reg = OmeletRegistry.open(spark, registry);
    assertEquals(1, reg.listModelVersions("churn").size());
    assertEquals(List.of("churn"), reg.listRegisteredModels().stream().map(m -> m.name()).toList());
    for (String e : List.of("ragged", "constant", "nulls", "empty")) {
      assertEquals(null, reg.findExperimentByName(e), "no experiment for the failed run on " + e);
    }
  }

  @Test
  void dryRunChecksAndTellsWhatWouldBeTrainedWithoutWritingAnything() throws Exception {
    String fresh = dir.resolve("dry-registry").toString();
    Result ok = exec("run", "-f", "churn.csv", "--target", "churn", "--dry-run", "--sample", "2000",
        "--experiment", "dry", "-o", "dry-out", "--registry", fresh);
    assertEquals(0, ok.outcome.exitCode(), ok.outcome.error());
    var v = ok.first(CommandResult.Values.class).values();
    assertEquals("binomial", v.get("problem_type"));
    assertEquals(5000L, v.get("input_rows"));
    long used = (Long) v.get("rows_used");
    assertTrue(used >= 1900 && used <= 2100, "about 2000 rows sampled: " + used);
    assertEquals(used, (Long) v.get("train_rows") + (Long) v.get("holdout_rows"));
    assertTrue(((String) v.get("features")).startsWith("19: "), String.valueOf(v.get("features")));
    assertEquals("dry@champion", v.get("would_register"));
    assertFalse(Files.exists(dir.resolve("dry-out")), "no output folder");
    assertFalse(Files.exists(Path.of(fresh)), "no registry");

    // bad settings fail as a real run would, before training
    assertTrue(failing(1, "run", "-f", "churn.csv", "--target", "churn", "--dry-run", "--fold-col", "nope",
        "--registry", fresh).outcome.error().contains("nope"));
    assertTrue(failing(1, "run", "-f", "churn.csv", "--target", "churn", "--dry-run", "--sample", "12",
        "--registry", fresh).outcome.error().startsWith("too few rows"));
    assertTrue(failing(1, "run", "-f", "churn.csv", "--target", "churn", "--dry-run", "--register", "..",
        "--registry", fresh).outcome.error().contains(".."));
    assertFalse(Files.exists(Path.of(fresh)), "no registry after the failed checks either");
  }

  @Test
  void serveLogsEveryAnsweredRowToTheInferenceTableUntilCancelled() throws Exception {
    java.util.concurrent.CompletableFuture<CommandResult.Values> started = new java.util.concurrent.CompletableFuture<>();
    CommandSink sink = new CommandSink() {
      @Override
      public void result(CommandResult r) {
        if (r instanceof CommandResult.Values v) started.complete(v);
      }

      @Override
      public void progress(ProgressEvent e) {
      }
    };
    CommandContext ctx = CommandContext.of(spark, sink, dir);
    java.util.concurrent.CompletableFuture<OmeletCommands.Outcome> outcome = java.util.concurrent.CompletableFuture
        .supplyAsync(() -> OmeletCommands.execute(ctx, "serve", "--model", "churn@champion", "--port", "0",
            "--reload-interval", "0", "--registry", registry));
    CommandResult.Values v = started.get(120, java.util.concurrent.TimeUnit.SECONDS);
    String table = String.valueOf(v.values().get("inference log"));
    assertTrue(table.endsWith("/inference/churn"), v.values().toString());
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String row = "{\"state\": \"KS\", \"account_length\": 128, \"total_day_minutes\": 265.1}";
    for (int i = 0; i < 3; i++) {
      java.net.http.HttpResponse<String> res = http.send(java.net.http.HttpRequest
          .newBuilder(java.net.URI.create(v.values().get("url") + "predict")).header("X-Request-Id", "cli-" + i)
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(row)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals("cli-" + i, res.headers().firstValue("X-Request-Id").orElse(""), res.body());
    }
    ctx.cancel();
    OmeletCommands.Outcome o = outcome.get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(o.exitCode() == 0 || o.exitCode() == OmeletCommands.CANCELLED, o.exitCode() + ": " + o.error());
    // a stop writes what the log holds: the three requests are in the table
    assertEquals(3, spark.sql("SELECT * FROM delta.`" + table + "` WHERE request_id LIKE 'cli-%'").count());
  }

  @Test
  void cancelMarksTheRunKilledAndRegistersNothing() throws Exception {
    java.util.concurrent.atomic.AtomicReference<CommandContext> ref = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean asked = new java.util.concurrent.atomic.AtomicBoolean();
    CommandSink.Collecting collected = CommandSink.collecting();
    CommandSink sink = new CommandSink() {
      @Override
      public void result(CommandResult r) {
        collected.result(r);
      }

      @Override
      public void progress(ProgressEvent e) {
        // Ctrl-C once AutoML trains, from another thread as a signal handler would
        if (e.step().equals("automl") && e.message().startsWith("training") && asked.compareAndSet(false, true)) {
          new Thread(() -> ref.get().cancel()).start();
        }
      }
    };
    CommandContext ctx = CommandContext.of(spark, sink, dir);
    ref.set(ctx);
    OmeletCommands.Outcome o = OmeletCommands.execute(ctx, "run", "-f", "churn.csv", "--target", "churn",
        "--experiment", "cancelme", "--max-models", "20", "--seed", "3", "--registry", registry, "-o", "cancelled");
    assertEquals(OmeletCommands.CANCELLED, o.exitCode(), o.error());
    OmeletRegistry reg = OmeletRegistry.open(spark, registry);
    var exp = reg.getExperimentByName("cancelme");
    var runs = reg.searchRuns(io.omelet.registry.SearchRunsRequest.in(exp.experimentId())).runs();
    assertEquals(1, runs.size(), "the parent only: no child runs that would look like results");
    assertEquals(RunStatus.KILLED, runs.get(0).info().status());
    assertTrue(reg.listRegisteredModels().stream().noneMatch(m -> m.name().equals("cancelme")));
    assertFalse(Files.exists(dir.resolve("cancelled/index.html")));
  }

  @Test
  void helpOfEveryCommandHasExamples() {
    for (String[] cmd : List.of(new String[] {"run"}, new String[] {"tune"}, new String[] {"profile"}, new String[] {"runs", "search"},
        new String[] {"runs", "show"}, new String[] {"runs", "compare"}, new String[] {"runs", "mark-failed"},
        new String[] {"experiments", "list"}, new String[] {"models", "list"}, new String[] {"models", "versions"},
        new String[] {"models", "alias", "set"}, new String[] {"models", "alias", "delete"}, new String[] {"predict"},
        new String[] {"explain"}, new String[] {"presets", "list"}, new String[] {"presets", "show"},
        new String[] {"presets", "save"}, new String[] {"serve"}, new String[] {"monitor", "labels"})) {
      String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
      args[cmd.length] = "--help";
      Result r = exec(args);
      assertEquals(0, r.outcome.exitCode(), String.join(" ", args));
      assertTrue(r.text().contains("Usage: omelet " + String.join(" ", cmd)), r.text());
      assertTrue(r.text().contains("Example"), "examples in " + String.join(" ", cmd) + " --help");
    }
  }
}
