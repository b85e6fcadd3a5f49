package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Regression and missing values on real data, small budgets. */
class RealDataTest {

  @Test
  void diamondsSampleRegression() {
    Dataset<Row> diamonds = TestSupport.csv("diamonds.csv");
    OmeletAutoML s = new OmeletAutoML().setLabelCol("price").setMaxModels(2).setNfolds(2).setSeed(42)
        .setIncludeAlgos("GBM", "GLM").setSample(3000);
    RegistryTracker tracker = Tracked.tracker("diamonds", diamonds);
    AutoMLResult r = new AutoMLJob(TestSupport.h2o(), s).addListener(tracker).run(diamonds);
    Tracked.assertVisible(tracker, r, "diamonds");
    assertEquals(ProblemType.REGRESSION, r.info().problemType());
    assertEquals(3000, r.info().usedRows());
    assertEquals(600, r.info().holdoutRows(), 60);
    for (ModelResult m : r.models()) {
      assertNotNull(m.holdout(), m.modelId() + " " + m.error());
      for (String k : List.of("rmse", "mse", "mae", "rmsle", "r2", "mean_residual_deviance")) {
        assertTrue(m.holdout().values().containsKey(k), k);
      }
      assertTrue(m.leaderboardMetrics().containsKey("rmse"), m.leaderboardMetrics().toString());
    }
    // carat, cut, colour and clarity explain most of a diamond's price
    assertTrue(r.leader().holdout().get("r2") > 0.85, r.leader().holdout().values().toString());
    assertTrue(r.leader().holdout().get("rmse") < 2000, r.leader().holdout().values().toString());
  }

  @Test
  void creditDataWithMissingValues() {
    // a weight column too: bad loans count double
    Dataset<Row> credit = TestSupport.csv("credit_data.csv")
        .withColumn("w", org.apache.spark.sql.functions.expr("IF(Status = 'bad', 2.0, 1.0)"));
    assertTrue(credit.filter("Income IS NULL OR Assets IS NULL OR Debt IS NULL").count() > 0);
    OmeletAutoML s = new OmeletAutoML().setLabelCol("Status").setMaxModels(2).setNfolds(2).setSeed(42)
        .setExcludeAlgos("DeepLearning", "StackedEnsemble").setWeightCol("w").setPositiveClass("good");
    RegistryTracker tracker = Tracked.tracker("credit_data", credit);
    AutoMLResult r = new AutoMLJob(TestSupport.h2o(), s).addListener(tracker).run(credit);
    Tracked.assertVisible(tracker, r, "credit_data");
    assertEquals("w", r.leader().params().get("weights_column"), r.leader().params().toString());
    assertTrue(!List.of(r.leader().mojoModel().features()).contains("w"),
        "the weight is not a feature: " + List.of(r.leader().mojoModel().features()));
    assertEquals(credit.count(), io.omelet.scoring.MojoScoring.transform(credit.drop("w", "Status"),
        r.leader().mojoModel(), io.omelet.scoring.ScoringColumns.defaults(), "test").count());
    assertEquals(ProblemType.BINOMIAL, r.info().problemType());
    assertEquals(credit.count(), r.info().usedRows());
    double auc = r.leader().holdout().get("auc");
    assertTrue(auc > 0.75, "holdout AUC " + auc);
    assertEquals(2, r.models().size());
    // the majority class, asked for: the figures describe 'good', H2O's second label
    assertEquals("good", r.info().positiveClass());
    assertEquals("as asked", r.info().positiveClassReason());
    assertEquals(List.of("bad", "good"), List.of(r.leader().holdout().labels()));
    long[][] cm = r.leader().holdout().confusionMatrix();
    long heldGood = cm[1][0] + cm[1][1];
    assertTrue(heldGood > cm[0][0] + cm[0][1], "good is the majority of the holdout");
    assertEquals((double) cm[1][1] / heldGood, r.leader().holdout().get("recall"), 1e-12);
  }
}
