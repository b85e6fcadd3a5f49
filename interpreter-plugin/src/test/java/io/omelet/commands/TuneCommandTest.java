package io.omelet.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.ModelVersion;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RunStatus;
import io.omelet.scoring.ModelLoader;
import io.omelet.testing.SharedSpark;
import io.omelet.tuning.TunerSpace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code omelet tune} in-process on a real local Spark session and a real Delta registry: a small TPE
 * search with a choice of model on credit_data, its registered pipeline scored by {@code omelet predict},
 * a regression search on diamonds, and the bad inputs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TuneCommandTest {
  static final Path DATA = SharedSpark.dataDir();
  SparkSession spark;
  Path dir;
  String registry;
  CommandsTest.Result credit;

  @BeforeAll
  void setUp() throws Exception {
    spark = SharedSpark.session();
    dir = Files.createTempDirectory("omelet-tune");
    registry = dir.resolve("registry").toString();
    Files.copy(DATA.resolve("credit_data.csv"), dir.resolve("credit.csv"));
    Files.copy(DATA.resolve("diamonds.csv"), dir.resolve("diamonds.csv"));
    Files.copy(DATA.resolve("penguins.csv"), dir.resolve("penguins.csv"));
    // A team's saved space: small ranges keep the test short; the built-in ones are checked without fitting.
    GBTClassifier gbt = new GBTClassifier();
    LogisticRegression lr = new LogisticRegression();
    TunerSpace.builder().choice("model",
            TunerSpace.option("gbt", gbt).integer(gbt.maxDepth(), 2, 4).integer(gbt.maxIter(), 5, 15),
            TunerSpace.option("linear", lr).logUniform(lr.regParam(), 1e-4, 1.0).uniform(lr.elasticNetParam(), 0, 1))
        .build().savePreset(OmeletRegistry.open(spark, registry), "credit-small", "gbt or logistic regression");
    credit = exec("tune", "-f", "credit.csv", "--target", "Status", "--algo", "any", "--space", "credit-small",
        "--trials", "5", "--folds", "2", "--sample", "1500", "--seed", "3", "--experiment", "credit", "--registry", registry);
    assertEquals(0, credit.outcome().exitCode(), credit.outcome().error());
  }

  CommandsTest.Result exec(String... args) {
    CommandSink.Collecting sink = CommandSink.collecting();
    CommandContext ctx = CommandContext.of(spark, sink, dir);
    return new CommandsTest.Result(OmeletCommands.execute(ctx, args), sink);
  }

  void failing(int code, String expected, String... args) {
    CommandsTest.Result r = exec(args);
    assertEquals(code, r.outcome().exitCode(), "exit code of " + String.join(" ", args) + ": " + r.outcome().error());
    assertNotNull(r.outcome().error());
    assertFalse(r.outcome().error().contains("\n"), "one line: " + r.outcome().error());
    assertFalse(r.outcome().unexpected(), "a known bad input: " + r.outcome().error());
    assertTrue(r.outcome().error().contains(expected), r.outcome().error());
  }

  @Test
  void aSearchWithAChoiceOfModelIsTrackedRegisteredAndReported() {
    CommandResult.Table trials = credit.first(CommandResult.Table.class);
    assertEquals(5, trials.rows().size(), trials.toString());
    assertEquals(List.of("trial", "state", "areaUnderROC", "model"), trials.columns().subList(0, 4));
    Set<Object> states = trials.rows().stream().map(r -> r.get(1)).collect(Collectors.toSet());
    assertTrue(Set.of("COMPLETE", "PRUNED", "FAILED").containsAll(states), states.toString());
    assertTrue(states.contains("COMPLETE"), states.toString());
    // Each trial has its own model's parameters only.
    int model = trials.columns().indexOf("model");
    int gbtDepth = trials.columns().indexOf("gbt.maxDepth");
    int lrReg = trials.columns().indexOf("linear.regParam");
    for (List<Object> row : trials.rows()) {
      if ("linear".equals(row.get(model))) {
        assertNotNull(row.get(lrReg));
        if (gbtDepth >= 0) assertEquals(null, row.get(gbtDepth));
      }
    }
    assertFalse(credit.sink().of(CommandResult.Html.class).isEmpty());
    assertTrue(credit.sink().of(CommandResult.Html.class).get(0).html().contains("<svg"));

    Map<String, Object> v = credit.sink().of(CommandResult.Values.class).get(0).values();
    assertEquals("credit-tuned@champion", v.get("model_uri"));
    double best = (Double) v.get("best_areaUnderROC");
    assertTrue(best > 0.7 && best <= 1, "AUC " + best);
    OmeletRegistry reg = OmeletRegistry.open(spark, registry);
    String runId = (String) v.get("run_id");
    assertEquals(RunStatus.FINISHED, reg.getRun(runId).info().status());
    Path plots = Path.of(java.net.URI.create((String) v.get("plots")));
    assertTrue(Files.exists(plots.resolve("history.svg")), plots.toString());
    ModelVersion version = reg.getModelVersionByAlias("credit-tuned", "champion");
    assertEquals(v.get("model_version"), version.version());
    assertEquals(runId, version.runId());
    // Every text column of credit_data is a category (few values): none is left out.
    assertFalse(credit.text().contains("left out"), credit.text());
    assertTrue(credit.text().contains("1500 rows with a target, 13 features"), credit.text());
  }

  @Test
  void theRegisteredPipelineIsScoredByPredictWithClassLabels() throws Exception {
    CommandsTest.Result r = exec("predict", "--model", "credit-tuned@champion", "-f", "credit.csv", "-o", "out/tuned.csv",
        "--registry", registry);
    assertEquals(0, r.outcome().exitCode(), r.outcome().error());
    List<String> lines = Files.readAllLines(dir.resolve("out/tuned.csv"));
    assertEquals(4455, lines.size());
    assertTrue(lines.get(0).endsWith(",Price,prediction,p_bad,p_good"), lines.get(0));
    String last = lines.get(1);
    String label = last.split(",")[last.split(",").length - 3];
    assertTrue(label.equals("good") || label.equals("bad"), last);
    // SQL scoring serves MOJOs; a Spark ML model is named as such, with the way to score it.
    OmeletRegistry reg = OmeletRegistry.open(spark, registry);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(reg, "credit-tuned@champion"));
    assertTrue(e.getMessage().contains("is a Spark ML model (org.apache.spark.ml.PipelineModel)"), e.getMessage());
  }

  @Test
  void aRegressionSearchOnASingleSplitWithItsOwnMetric() {
    CommandsTest.Result r = exec("tune", "-f", "diamonds.csv", "--target", "price", "--algo", "dt", "--trials", "3",
        "--train-ratio", "0.7", "--sample", "800", "--metric", "mae", "--sampler", "random", "--no-register",
        "--save-space", "diamonds-dt", "--registry", registry);
    assertEquals(0, r.outcome().exitCode(), r.outcome().error());
    OmeletRegistry reg = OmeletRegistry.open(spark, registry);
    assertEquals(1, reg.listPresets(TunerSpace.PRESET_KIND).stream().filter(p -> p.name().equals("diamonds-dt")).count());
    CommandResult.Table trials = r.first(CommandResult.Table.class);
    assertEquals(List.of("trial", "state", "mae", "maxDepth", "minInstancesPerNode", "duration_s"), trials.columns());
    Map<String, Object> v = r.sink().of(CommandResult.Values.class).get(0).values();
    assertFalse(v.containsKey("model_uri"));
    double mae = (Double) v.get("best_mae");
    assertTrue(mae > 0 && mae < 3000, "MAE " + mae);
    assertTrue(r.text().contains("regression"), r.text());
  }

  @Test
  void badInputsFailWithOneLine() {
    failing(2, "--algo must be one of gbt, rf, dt, linear, any", "tune", "-f", "credit.csv", "--target", "Status",
        "--algo", "xgb", "--registry", registry);
    failing(2, "--trials 0 needs --timeout-secs", "tune", "-f", "credit.csv", "--target", "Status", "--trials", "0",
        "--registry", registry);
    failing(2, "--metric for a regression target: rmse, mae, r2 or mse, got 'auc'", "tune", "-f", "diamonds.csv",
        "--target", "price", "--metric", "auc", "--registry", registry);
    failing(2, "--folds must be 2 or more", "tune", "-f", "credit.csv", "--target", "Status", "--folds", "1",
        "--registry", registry);
    failing(1, "target column 'Statuss' does not exist", "tune", "-f", "credit.csv", "--target", "Statuss",
        "--registry", registry);
    failing(1, "gradient-boosted trees are binary or regression only, and 'species' has 3 classes", "tune", "-f",
        "penguins.csv", "--target", "species", "--algo", "gbt", "--registry", registry);
    failing(1, "credit-nope", "tune", "-f", "credit.csv", "--target", "Status", "--space", "credit-nope",
        "--registry", registry);
  }

  @Test
  void ctrlCEndsTheSearchKilledAndRegistersNothing() {
    AtomicReference<CommandContext> ref = new AtomicReference<>();
    AtomicBoolean asked = new AtomicBoolean();
    CommandSink.Collecting collected = CommandSink.collecting();
    CommandSink sink = new CommandSink() {
      @Override
      public void result(CommandResult r) {
        collected.result(r);
      }

      @Override
      public void progress(ProgressEvent e) {
        // Ctrl-C once a trial has finished, from another thread as a signal handler would
        if (e.step().equals("tune") && !e.done() && asked.compareAndSet(false, true)) new Thread(() -> ref.get().cancel()).start();
      }
    };
    CommandContext ctx = CommandContext.of(spark, sink, dir);
    ref.set(ctx);
    OmeletCommands.Outcome o = OmeletCommands.execute(ctx, "tune", "-f", "credit.csv", "--target", "Status", "--algo", "dt",
        "--trials", "30", "--parallelism", "1", "--sample", "600", "--experiment", "cancelme", "--registry", registry);
    assertEquals(OmeletCommands.CANCELLED, o.exitCode(), o.error());
    OmeletRegistry reg = OmeletRegistry.open(spark, registry);
    var exp = reg.getExperimentByName("cancelme");
    var runs = reg.searchRuns(io.omelet.registry.SearchRunsRequest.in(exp.experimentId())).runs();
    var parent = runs.stream().filter(r -> r.info().runName().startsWith("omelet-tune-")).toList();
    assertEquals(1, parent.size(), runs.toString());
    assertEquals(RunStatus.KILLED, parent.get(0).info().status());
    assertTrue(runs.size() < 31, "fewer trials than asked: " + runs.size());
    assertTrue(reg.listRegisteredModels().stream().noneMatch(m -> m.name().equals("cancelme-tuned")));
  }
}
