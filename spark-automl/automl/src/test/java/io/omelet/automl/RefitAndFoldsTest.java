package io.omelet.automl;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hex.Model;
import hex.ModelBuilder;
import hex.tree.gbm.GBMModel;
import io.omelet.scoring.MojoModel;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import water.DKV;
import water.Key;
import water.fvec.Frame;

/**
 * The served model is refit on every labelled row (an ensemble too), never half-trained; folds
 * are stratified, keep groups together, or come from a fold column; bad fold and group columns
 * fail before training.
 */
class RefitAndFoldsTest {

  private static Dataset<Row> german() {
    return TestSupport.csv("german_credit.csv");
  }

  /** german_credit with a customer id: 1,000 rows in 97 groups of about ten. */
  private static Dataset<Row> withCustomers() {
    return german().withColumn("customer", monotonically_increasing_id().mod(97).cast("int"));
  }

  @Test
  void theLeaderIsRefitOnAllRowsWithGroupsKeptTogether() {
    Dataset<Row> data = withCustomers();
    AutoMLModel model = new OmeletAutoML().setLabelCol("class").setMaxModels(2).setNfolds(3).setSeed(7)
        .setIncludeAlgos("GBM", "StackedEnsemble").setSortMetric("logloss").setGroupCol("customer")
        .setExperimentName("refit-ensemble").setRegisteredModelName("refit_ensemble").setModelAlias("champion")
        .setRegistryRoot(Tracked.registry().root())
        .fit(data);
    AutoMLResult r = model.result();
    assertFalse(r.info().features().contains("customer"), "the group column is not a feature");
    assertNotNull(r.refit(), r.refitNote());
    ModelResult served = r.servedModel();
    assertEquals(served.modelId(), model.scoringModelId(), "transform scores with the refit");
    assertEquals(1000, served.trainingRows());
    assertEquals(1000, served.mojoModel().trainingRows());
    assertEquals(r.info().trainRows(), r.leader().trainingRows());
    assertTrue(r.info().trainRows() < 1000);
    assertEquals(r.leader().algo(), served.algo());
    if (served.algo().equals("stackedensemble")) {
      assertTrue(served.params().get("base_models").contains("_refit"), served.params().get("base_models"));
    }
    // the plan starts with Omelet's shallow GBM (depth 3, learning rate 0.05) before H2O's deep ones
    assertTrue(r.models().stream().anyMatch(m -> m.algo().equals("gbm") && "3".equals(m.params().get("max_depth"))
        && "0.05".equals(m.params().get("learn_rate"))), r.models().stream().map(ModelResult::params).toList().toString());
    assertEquals(1000, model.transform(data).count());

    Row p = model.transform(data.limit(5)).select("prediction").first();
    assertNotNull(p.get(0));
    // what is registered is the refit, with its rows in the version's tags
    var version = Tracked.registry().getModelVersionByAlias("refit_ensemble", "champion");
    assertEquals(model.trackedRun().orElseThrow().servedRunId(), version.runId());
    assertEquals("1000", version.tags().get("training_rows"));
    assertEquals(r.leader().modelId(), version.tags().get("refit_of"));
  }

  @Test
  void anEnsembleIsRefitWithItsBaseModelsCrossValidatedOnAllRows() throws Exception {
    EmbeddedEngineFrames f = EmbeddedEngineFrames.of(german()
        .withColumn(AutoMLJob.FOLD_COL, monotonically_increasing_id().mod(3).cast("int")));
    List<Model<?, ?, ?>> made = new java.util.ArrayList<>();
    try {
      for (int depth : new int[] {2, 4}) {
        GBMModel.GBMParameters p = new GBMModel.GBMParameters();
        p._train = f.frame._key;
        p._response_column = "class";
        p._ntrees = 5;
        p._max_depth = depth;
        p._seed = depth;
        p._fold_column = AutoMLJob.FOLD_COL;
        p._keep_cross_validation_predictions = true;
        made.add((Model<?, ?, ?>) ModelBuilder.make(p).trainModel().get());
      }
      hex.ensemble.StackedEnsembleModel.StackedEnsembleParameters sp =
          new hex.ensemble.StackedEnsembleModel.StackedEnsembleParameters();
      sp._train = f.frame._key;
      sp._response_column = "class";
      @SuppressWarnings("unchecked")
      Key<Model>[] bases = new Key[] {made.get(0)._key, made.get(1)._key};
      sp._base_models = bases;
      sp._seed = 1;
      Model<?, ?, ?> se = (Model<?, ?, ?>) ModelBuilder.make(sp).trainModel().get();
      made.add(se);
      LeaderRefit refit = new LeaderRefit(f.frame, AutoMLJob.FOLD_COL, Long.MAX_VALUE, () -> false);
      hex.ensemble.StackedEnsembleModel again = (hex.ensemble.StackedEnsembleModel) refit.refit(se);
      assertEquals(se._key + "_refit", again._key.toString());
      for (int i = 0; i < 2; i++) {
        Model<?, ?, ?> b = again._parms._base_models[i].get();
        assertEquals(bases[i] + "_refit", b._key.toString());
        assertEquals(5, ((Model.GetNTrees) b._output).getNTrees(), "trees carried over");
        assertNotNull(b._output._cross_validation_holdout_predictions_frame_id, "the metalearner learns out of fold");
      }
      java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
      again.getMojo().writeTo(zip);
      MojoModel mojo = MojoModel.of(zip.toByteArray());
      assertTrue(mojo.isClassifier());
      refit.cleanUp(null);
      assertNull(DKV.get(again._key), "the refit and its base models are removed again");
      assertNull(DKV.get(Key.make(bases[0] + "_refit")));
    } finally {
      for (Model<?, ?, ?> m : made) {
        m.deleteCrossValidationPreds();
        m.delete();
      }
      f.frame.delete();
    }
  }

  @Test
  void refitOffServesTheLeaderAsTrained() {
    AutoMLModel model = new OmeletAutoML().setLabelCol("class").setMaxModels(1).setNfolds(0).setSeed(3)
        .setIncludeAlgos("GLM").setRefitOnAllRows(false).fit(german());
    AutoMLResult r = model.result();
    assertNull(r.refit());
    assertTrue(r.refitNote().startsWith("refitOnAllRows is off"), r.refitNote());
    assertEquals(r.leader().modelId(), model.scoringModelId());
    assertTrue(r.leader().trainingRows() < r.info().trainRows(),
        "without cross-validation H2O keeps validation rows back: " + r.leader().trainingRows());
    assertEquals(r.leader().trainingRows(), r.leader().mojoModel().trainingRows());
  }

  @Test
  void noHoldoutWithCrossValidationHasNothingToRefit() {
    AutoMLResult r = new OmeletAutoML().setLabelCol("class").setMaxModels(1).setNfolds(3).setSeed(3)
        .setIncludeAlgos("GLM").setHoldoutFraction(0).fit(german()).result();
    assertNull(r.refit());
    assertTrue(r.refitNote().startsWith("nothing to refit"), r.refitNote());
    assertEquals(1000, r.servedModel().trainingRows());
  }

  @Test
  void pastItsDeadlineARefitStopsAndLeavesNoModel() {
    EmbeddedEngineFrames f = EmbeddedEngineFrames.of(german());
    try {
      GBMModel.GBMParameters p = new GBMModel.GBMParameters();
      p._train = f.frame._key;
      p._response_column = "class";
      p._ntrees = 5;
      p._seed = 1;
      Model<?, ?, ?> gbm = (Model<?, ?, ?>) ModelBuilder.make(p).trainModel().get();
      try {
        LeaderRefit late = new LeaderRefit(f.frame, null, System.currentTimeMillis() - 1, () -> false);
        LeaderRefit.Skipped e = assertThrows(LeaderRefit.Skipped.class, () -> late.refit(gbm));
        assertTrue(e.getMessage().contains("time budget ran out"), e.getMessage());
        assertNull(DKV.get(Key.make(gbm._key + "_refit")), "no half-trained refit is left");
        LeaderRefit cancelled = new LeaderRefit(f.frame, null, Long.MAX_VALUE, () -> true);
        assertTrue(assertThrows(LeaderRefit.Skipped.class, () -> cancelled.refit(gbm)).getMessage().contains("cancelled"));
        // with time, the same refit keeps the trees the model has
        LeaderRefit onTime = new LeaderRefit(f.frame, null, Long.MAX_VALUE, () -> false);
        Model<?, ?, ?> again = onTime.refit(gbm);
        assertEquals(5, ((Model.GetNTrees) again._output).getNTrees());
        onTime.cleanUp(null);
        assertNull(DKV.get(again._key));
      } finally {
        gbm.delete();
      }
    } finally {
      f.frame.delete();
    }
  }

  @Test
  void aBudgetTooSmallForTheRefitSaysSo() {
    long now = 1_000_000;
    LeaderRefit.Skipped e = assertThrows(LeaderRefit.Skipped.class,
        () -> RefitOnAllRows.checkRefitBudget("GBM_1", 1000, 30_000, now, now + 10_000, 60));
    assertEquals("the time budget is too small to refit GBM_1 on all 1000 rows: it needs about 30 s,"
        + " 10 s of maxRuntimeSecs 60 are left", e.getMessage());
    RefitOnAllRows.checkRefitBudget("GBM_1", 1000, 30_000, now, now + 40_000, 60);
    RefitOnAllRows.checkRefitBudget("GBM_1", 1000, 30_000, now, Long.MAX_VALUE, 0);
  }

  @Test
  void classificationFoldsAreStratifiedAndTheHoldoutToo() {
    Dataset<Row> s = new AutoMLJob(TestSupport.h2o(), new OmeletAutoML().setLabelCol("Status").setNfolds(5).setSeed(11))
        .splits(TestSupport.csv("credit_data.csv")).cache();
    Map<String, Long> perClass = counts(s.groupBy("Status").count());
    for (Row c : s.filter("not holdout").groupBy("Status", AutoMLJob.FOLD_COL).count().collectAsList()) {
      long n = perClass.get(c.getString(0));
      long train = n - Math.round(0.2 * n);
      long fold = c.getLong(2);
      assertTrue(Math.abs(fold - train / 5.0) <= 1, c + " of " + train + " training rows of its class");
    }
    for (Row c : s.filter("holdout").groupBy("Status").count().collectAsList()) {
      assertEquals(Math.round(0.2 * perClass.get(c.getString(0))), c.getLong(1), "holdout share of " + c.getString(0));
    }
    // every row, holdout included, has a fold for the refit of an ensemble, stratified as well
    assertEquals(0, s.filter(col(AutoMLJob.ALL_FOLD_COL).isNull()).count());
    for (Row c : s.groupBy("Status", AutoMLJob.ALL_FOLD_COL).count().collectAsList()) {
      assertTrue(Math.abs(c.getLong(2) - perClass.get(c.getString(0)) / 5.0) <= 1, c.toString());
    }
    s.unpersist();
  }

  @Test
  void aGroupLiesInOneFoldAndOnOneSideOfTheHoldout() {
    Dataset<Row> s = new AutoMLJob(TestSupport.h2o(), new OmeletAutoML().setLabelCol("class").setNfolds(4).setSeed(5)
        .setGroupCol("customer")).splits(withCustomers()).cache();
    assertEquals(1000, s.count());
    Row spread = s.groupBy("split").agg(countDistinct("holdout"), countDistinct(AutoMLJob.FOLD_COL),
        countDistinct(AutoMLJob.ALL_FOLD_COL)).selectExpr("max(`count(DISTINCT holdout)`)",
        "max(`count(DISTINCT " + AutoMLJob.FOLD_COL + ")`)", "max(`count(DISTINCT " + AutoMLJob.ALL_FOLD_COL + ")`)").first();
    assertEquals(1L, spread.getLong(0), "no group on both sides of the holdout");
    assertEquals(1L, spread.getLong(1), "no group in two folds");
    assertEquals(1L, spread.getLong(2), "no group in two folds of the refit");
    long heldGroups = s.filter("holdout").select("split").distinct().count();
    assertEquals(Math.round(0.2 * 97), heldGroups);
    assertEquals(4, s.filter("not holdout").select(AutoMLJob.FOLD_COL).distinct().count());
    s.unpersist();
  }

  @Test
  void aFoldColumnGivesTheFolds() {
    Dataset<Row> data = german().withColumn("fold", monotonically_increasing_id().mod(3).cast("string"));
    Dataset<Row> s = new AutoMLJob(TestSupport.h2o(), new OmeletAutoML().setLabelCol("class").setSeed(5).setFoldCol("fold"))
        .splits(data);
    assertEquals(0, s.filter(col(AutoMLJob.FOLD_COL).notEqual(col("split"))).count());
    assertEquals(3, s.select(AutoMLJob.FOLD_COL).distinct().count());
    assertFalse(List.of(s.columns()).contains("fold"), "the fold column is not a feature");
  }

  @Test
  void badFoldAndGroupColumnsFailBeforeTraining() {
    AutoMLJobTest.Recorder rec = new AutoMLJobTest.Recorder();
    Dataset<Row> g = withCustomers();
    Map<OmeletAutoML, String> cases = new java.util.LinkedHashMap<>();
    cases.put(new OmeletAutoML().setLabelCol("class").setGroupCol("foreign_worker"), "group column 'foreign_worker' has 2 groups");
    cases.put(new OmeletAutoML().setLabelCol("class").setGroupCol("customer").setFoldCol("customer"), "foldCol and groupCol both set");
    cases.put(new OmeletAutoML().setLabelCol("class").setFoldCol("no_such"), "fold column 'no_such' does not exist");
    cases.put(new OmeletAutoML().setLabelCol("class").setFoldCol("class"), "is the label");
    cases.put(new OmeletAutoML().setLabelCol("class").setFoldCol("customer").setNfolds(0), "nfolds is 0");
    for (Map.Entry<OmeletAutoML, String> c : cases.entrySet()) {
      AutoMLInputException e = assertThrows(AutoMLInputException.class,
          () -> new AutoMLJob(TestSupport.h2o(), c.getKey()).addListener(rec).run(g));
      assertTrue(e.getMessage().contains(c.getValue()), e.getMessage());
    }
    Dataset<Row> oneGroup = g.withColumn("one", org.apache.spark.sql.functions.lit("all"));
    AutoMLInputException e = assertThrows(AutoMLInputException.class, () -> new AutoMLJob(TestSupport.h2o(),
        new OmeletAutoML().setLabelCol("class").setGroupCol("one")).addListener(rec).run(oneGroup));
    assertTrue(e.getMessage().startsWith("group column 'one' has one group in the labelled rows"), e.getMessage());
    e = assertThrows(AutoMLInputException.class, () -> new AutoMLJob(TestSupport.h2o(),
        new OmeletAutoML().setLabelCol("class").setFoldCol("one")).addListener(rec).run(oneGroup));
    assertTrue(e.getMessage().startsWith("fold column 'one' has one value in the labelled rows; cross-validation needs"),
        e.getMessage());
    Dataset<Row> withNull = g.withColumn("customer", org.apache.spark.sql.functions.expr("if(customer = 3, null, customer)"));
    e = assertThrows(AutoMLInputException.class, () -> new AutoMLJob(TestSupport.h2o(),
        new OmeletAutoML().setLabelCol("class").setGroupCol("customer")).addListener(rec).run(withNull));
    assertTrue(e.getMessage().contains("is null in 11 labelled rows"), e.getMessage());
    assertEquals(0, rec.models.size());
    assertFalse(rec.events.contains("start"), "no job started: " + rec.events);
    assertEquals(8, rec.events.size(), "each failure reported: " + rec.events);
  }

  private static Map<String, Long> counts(Dataset<Row> grouped) {
    Map<String, Long> m = new TreeMap<>();
    for (Row r : grouped.collectAsList()) m.put(r.getString(0), r.getLong(1));
    return m;
  }

  /** A DataFrame moved into the test JVM's H2O node. */
  private record EmbeddedEngineFrames(Frame frame) {
    static EmbeddedEngineFrames of(Dataset<Row> df) {
      return new EmbeddedEngineFrames(TestSupport.h2o().toH2OFrame(df, Key.make("refit_test_" + System.nanoTime())));
    }
  }
}
