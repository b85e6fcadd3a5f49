package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.automl.metrics.HoldoutMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** AutoML on real data through the job API (the estimator is tested in OmeletAutoMLTest). */
class AutoMLJobTest {

  /** Records what a listener sees. */
  static final class Recorder implements AutoMLListener {
    final List<String> events = new ArrayList<>();
    final List<Double> percents = new ArrayList<>();
    final List<ModelResult> models = new ArrayList<>();
    AutoMLRunInfo info;
    Throwable failure;

    @Override public void onStart(AutoMLRunInfo i) { info = i; events.add("start"); }
    Phase last;

    @Override public void onProgress(Phase p, double pct, String msg) {
      percents.add(pct);
      if (p != last) System.err.println(java.time.LocalTime.now() + " phase " + p + " " + pct);
      last = p;
    }
    @Override public void onModel(ModelResult m) { models.add(m); events.add("model"); }
    @Override public void onComplete(AutoMLResult r) { events.add("complete"); }
    @Override public void onFailure(Throwable t) { failure = t; events.add("failure"); }
  }

  static OmeletAutoML small(String label) {
    return new OmeletAutoML().setLabelCol(label).setMaxModels(3).setNfolds(3).setSeed(42)
        .setExcludeAlgos("DeepLearning");
  }

  @Test
  void lendingClubBinaryImbalanced() {
    Dataset<Row> lc = TestSupport.csv("lending_club.csv");
    Recorder rec = new Recorder();
    // GLM and GBM, then the stacked ensembles over them (XGBoost is covered by the penguins and
    // credit_data runs, where it is cheaper)
    OmeletAutoML s = new OmeletAutoML().setLabelCol("Class").setMaxModels(2).setNfolds(3).setSeed(42)
        .setIncludeAlgos("GBM", "GLM", "StackedEnsemble");
    RegistryTracker tracker = Tracked.tracker("lending_club", lc);
    AutoMLResult r = new AutoMLJob(TestSupport.h2o(), s).addListener(rec).addListener(tracker).run(lc);
    Tracked.assertVisible(tracker, r, "lending_club");
    assertTrue(r.models().stream().anyMatch(m -> m.algo().equals("stackedensemble")),
        r.models().stream().map(ModelResult::modelId).toList().toString());

    assertEquals(ProblemType.BINOMIAL, r.info().problemType());
    long n = lc.count();
    assertEquals(List.of("bad", "good"), r.info().classLabels());
    // binary figures describe the minority class, not H2O's second label ("good", the majority)
    long bad = lc.filter("Class = 'bad'").count();
    assertTrue(bad < n / 2.0);
    assertEquals("bad", r.info().positiveClass());
    assertTrue(r.info().positiveClassReason().startsWith("the minority class: " + bad + " of "),
        r.info().positiveClassReason());
    assertEquals("bad", Tracked.registry().getRun(tracker.tracked().parentRunId()).data().params().get("positive_class"));
    HoldoutMetrics lh = r.leader().holdout();
    assertArrayEquals(new String[] {"good", "bad"}, lh.labels());
    long heldBad = lh.confusionMatrix()[1][0] + lh.confusionMatrix()[1][1];
    assertEquals(Math.round(0.2 * bad), heldBad, "stratified holdout keeps the bad share");
    assertEquals((double) lh.confusionMatrix()[1][1] / heldBad, lh.get("recall"), 1e-12);
    assertEquals(22, r.info().features().size());
    assertEquals(n, r.info().trainRows() + r.info().holdoutRows());
    assertEquals(0.2, (double) r.info().holdoutRows() / n, 0.01);
    assertTrue(r.models().size() >= 2, "models: " + r.models().size());
    assertEquals("start", rec.events.get(0));
    assertEquals("complete", rec.events.get(rec.events.size() - 1));
    assertEquals(r.models().size(), rec.models.size());
    assertNull(rec.failure);
    for (int i = 1; i < rec.percents.size(); i++) {
      assertTrue(rec.percents.get(i) >= rec.percents.get(i - 1), "progress went back: " + rec.percents);
    }
    assertEquals(100.0, rec.percents.get(rec.percents.size() - 1));

    for (ModelResult m : r.models()) {
      assertNull(m.error(), m.modelId() + ": " + m.error());
      assertNotNull(m.mojo());
      assertFalse(m.params().isEmpty());
      assertTrue(m.leaderboardMetrics().containsKey("auc"), m.leaderboardMetrics().toString());
      assertTrue(m.crossValidationMetrics().get("auc") > 0.55, m.crossValidationMetrics().toString());
      assertTrue(m.trainingTimeMs() > 0);
      HoldoutMetrics h = m.holdout();
      assertNotNull(h, m.modelId());
      assertEquals(r.info().holdoutRows(), h.rows());
      for (String k : List.of("auc", "aucpr", "logloss", "accuracy", "balanced_accuracy", "f1",
          "precision", "recall", "mcc")) {
        assertTrue(h.values().containsKey(k), k);
      }
      assertEquals(h.rows(), h.confusionMatrix()[0][0] + h.confusionMatrix()[0][1]
          + h.confusionMatrix()[1][0] + h.confusionMatrix()[1][1]);
      if (!m.algo().equals("stackedensemble")) {
        assertFalse(m.variableImportance().isEmpty(), m.modelId());
      }
    }
    double auc = r.leader().holdout().get("auc");
    assertTrue(auc > 0.65, "holdout AUC of the leader: " + auc);
    Map<String, String> p = r.leader().params();
    assertTrue(p.containsKey("seed"), p.toString());
    assertEquals(AutoMLJob.FOLD_COL, p.get("fold_column"), p.toString());

    // The served model is the leader refit on every row; the leaderboard models saw the training rows.
    assertNotNull(r.refit(), r.refitNote());
    assertNull(r.refitNote());
    ModelResult served = r.servedModel();
    assertEquals(r.leader().modelId(), r.refit().leaderModelId());
    assertEquals(r.leader().algo(), served.algo());
    assertEquals(n, r.refit().rows());
    assertEquals(n, served.trainingRows());
    assertEquals(r.info().trainRows(), r.leader().trainingRows());
    io.omelet.scoring.MojoModel servedMojo = served.mojoModel();
    assertEquals(n, servedMojo.trainingRows(), "rows in the MOJO's own metadata");
    assertEquals(r.leader().modelId(), servedMojo.refitOf());
    assertEquals(r.info().trainRows(), r.leader().mojoModel().trainingRows());
    assertNull(r.leader().mojoModel().refitOf());
    assertEquals(0, served.rank());
    assertTrue(served.holdout() == null, "the refit saw the holdout: it has no holdout figures");
    if (!served.algo().equals("stackedensemble")) {
      assertEquals(r.leader().params().get("ntrees"), served.params().get("ntrees"), "trees carried over");
    }
    assertEquals(4, countAllRows(served, lc), "prediction, two probabilities and the label");
    System.err.println("served " + served.modelId() + " refit in " + r.refit().durationMs() + " ms");
    assertTrue(r.estimate().startsWith("3-fold cross-validation on " + r.info().trainRows() + " rows"), r.estimate());

    Dataset<Row> lb = r.leaderboard(TestSupport.spark());
    assertEquals(served.modelId(), lb.first().getAs("served_model_id"));
    assertEquals(r.estimate(), lb.first().getAs("estimate"));
    assertEquals(r.models().size(), lb.count());
    List<String> cols = List.of(lb.columns());
    for (String c : List.of("model_id", "algo", "auc", "logloss", "aucpr", "training_time_ms",
        "predict_time_per_row_ms")) {
      assertTrue(cols.contains(c), c + " in " + cols);
    }
  }

  /** Scores every row with a model's MOJO and returns the width of its prediction rows (as a check it ran). */
  static int countAllRows(ModelResult m, Dataset<Row> data) {
    List<double[]> scored = io.omelet.scoring.MojoScoring.scoreWithLabel(data, m.mojoModel(), "Class");
    assertEquals(data.count(), scored.size());
    return scored.get(0).length;
  }
}
