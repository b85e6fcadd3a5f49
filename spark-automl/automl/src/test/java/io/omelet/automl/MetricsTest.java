package io.omelet.automl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.automl.metrics.HoldoutMetrics;
import io.omelet.automl.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.mllib.evaluation.MulticlassMetrics;
import org.apache.spark.mllib.evaluation.RegressionMetrics;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** Checks the pure-Java holdout metrics against Spark MLlib on the same predictions. */
class MetricsTest {
  private static JavaSparkContext jsc() {
    return JavaSparkContext.fromSparkContext(TestSupport.spark().sparkContext());
  }

  @Test
  void binaryMatchesMllib() {
    Random rnd = new Random(7);
    int n = 3000;
    int[] y = new int[n];
    double[] p = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = rnd.nextDouble() < 0.2 ? 1 : 0;
      // informative but noisy scores, rounded so there are ties
      p[i] = Math.round(Math.min(0.999, Math.max(0.001, 0.3 * y[i] + 0.7 * rnd.nextDouble())) * 100) / 100.0;
    }
    HoldoutMetrics m = Metrics.binary(y, p, new String[] {"no", "yes"});
    List<Tuple2<Object, Object>> scoreAndLabel = new ArrayList<>();
    for (int i = 0; i < n; i++) scoreAndLabel.add(new Tuple2<>(p[i], (double) y[i]));
    BinaryClassificationMetrics bm =
        new BinaryClassificationMetrics(jsc().parallelize(scoreAndLabel, 2).rdd(), 0);
    assertEquals(bm.areaUnderROC(), m.get("auc"), 1e-9);
    assertEquals(bm.areaUnderPR(), m.get("aucpr"), 1e-9);

    double t = m.threshold();
    List<Tuple2<Object, Object>> predAndLabel = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double pred = p[i] >= t ? 1.0 : 0.0;
      predAndLabel.add(new Tuple2<>(pred, (double) y[i]));
    }
    MulticlassMetrics mm = new MulticlassMetrics(jsc().parallelize(predAndLabel, 2).rdd());
    assertEquals(mm.accuracy(), m.get("accuracy"), 1e-12);
    assertEquals(mm.precision(1.0), m.get("precision"), 1e-12);
    assertEquals(mm.recall(1.0), m.get("recall"), 1e-12);
    assertEquals(mm.fMeasure(1.0), m.get("f1"), 1e-12);
    assertEquals((mm.recall(1.0) + mm.recall(0.0)) / 2, m.get("balanced_accuracy"), 1e-12);
    org.apache.spark.mllib.linalg.Matrix cm = mm.confusionMatrix();
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 2; b++) assertEquals(cm.apply(a, b), m.confusionMatrix()[a][b], 0.0);
    }
    // MCC and log loss from their definitions, computed independently of Metrics
    double tp = cm.apply(1, 1), tn = cm.apply(0, 0), fp = cm.apply(0, 1), fn = cm.apply(1, 0);
    double mcc = (tp * tn - fp * fn) / Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
    assertEquals(mcc, m.get("mcc"), 1e-12);
    double ll = 0;
    for (int i = 0; i < n; i++) ll += y[i] == 1 ? -Math.log(p[i]) : -Math.log(1 - p[i]);
    assertEquals(ll / n, m.get("logloss"), 1e-12);
    // F1-optimal: no other threshold gives a higher F1
    for (double other = 0.0; other <= 1.0; other += 0.01) {
      long otp = 0, ofp = 0, ofn = 0;
      for (int i = 0; i < n; i++) {
        boolean pr = p[i] >= other;
        if (pr && y[i] == 1) otp++;
        else if (pr) ofp++;
        else if (y[i] == 1) ofn++;
      }
      double f1 = 2.0 * otp / (2.0 * otp + ofp + ofn);
      assertEquals(true, f1 <= m.get("f1") + 1e-12, "threshold " + other + " beats the F1-optimal one");
    }
  }

  @Test
  void multiclassMatchesMllib() {
    Random rnd = new Random(11);
    int n = 2000, k = 3;
    int[] y = new int[n];
    int[] pred = new int[n];
    double[][] probs = new double[n][k];
    List<Tuple2<Object, Object>> pl = new ArrayList<>();
    List<org.apache.spark.sql.Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      y[i] = rnd.nextDouble() < 0.5 ? 0 : (rnd.nextDouble() < 0.7 ? 1 : 2);
      double sum = 0;
      for (int c = 0; c < k; c++) {
        probs[i][c] = rnd.nextDouble() + (c == y[i] ? 0.8 : 0);
        sum += probs[i][c];
      }
      int best = 0;
      for (int c = 0; c < k; c++) {
        probs[i][c] /= sum;
        if (probs[i][c] > probs[i][best]) best = c;
      }
      pred[i] = best;
      pl.add(new Tuple2<>((double) pred[i], (double) y[i]));
      rows.add(org.apache.spark.sql.RowFactory.create((double) pred[i], (double) y[i],
          org.apache.spark.ml.linalg.Vectors.dense(probs[i])));
    }
    HoldoutMetrics m = Metrics.multiclass(y, pred, probs, new String[] {"a", "b", "c"});
    MulticlassMetrics mm = new MulticlassMetrics(jsc().parallelize(pl, 2).rdd());
    assertEquals(mm.accuracy(), m.get("accuracy"), 1e-12);
    assertEquals(mm.weightedFMeasure(), m.get("weighted_f1"), 1e-12);
    assertEquals(mm.weightedPrecision(), m.get("weighted_precision"), 1e-12);
    assertEquals(mm.weightedRecall(), m.get("weighted_recall"), 1e-12);
    double macroF = 0, macroP = 0, macroR = 0;
    for (double l : mm.labels()) {
      macroF += mm.fMeasure(l);
      macroP += mm.precision(l);
      macroR += mm.recall(l);
    }
    assertEquals(macroF / 3, m.get("macro_f1"), 1e-12);
    assertEquals(macroP / 3, m.get("macro_precision"), 1e-12);
    assertEquals(macroR / 3, m.get("macro_recall"), 1e-12);
    assertEquals(1 - macroR / 3, m.get("mean_per_class_error"), 1e-12);
    assertEquals(mm.accuracy(), m.get("micro_f1"), 1e-12);
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        assertEquals(mm.confusionMatrix().apply(a, b), m.confusionMatrix()[a][b], 0.0);
      }
    }
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
        .add("prediction", "double").add("label", "double")
        .add("probability", org.apache.spark.ml.linalg.SQLDataTypes.VectorType());
    double ll = new org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator()
        .setMetricName("logLoss")
        .evaluate(TestSupport.spark().createDataFrame(rows, schema));
    assertEquals(ll, m.get("logloss"), 1e-9);
  }

  @Test
  void regressionMatchesMllib() {
    Random rnd = new Random(3);
    int n = 1500;
    double[] y = new double[n];
    double[] p = new double[n];
    List<Tuple2<Object, Object>> pl = new ArrayList<>();
    double sle = 0;
    for (int i = 0; i < n; i++) {
      y[i] = 100 + 50 * rnd.nextGaussian();
      p[i] = y[i] + 10 * rnd.nextGaussian();
      pl.add(new Tuple2<>(p[i], y[i]));
      sle += Math.pow(Math.log(p[i] + 1) - Math.log(y[i] + 1), 2);
    }
    HoldoutMetrics m = Metrics.regression(y, p);
    RegressionMetrics rm = new RegressionMetrics(jsc().parallelize(pl, 2).rdd());
    assertEquals(rm.rootMeanSquaredError(), m.get("rmse"), 1e-9);
    assertEquals(rm.meanSquaredError(), m.get("mse"), 1e-9);
    assertEquals(rm.meanAbsoluteError(), m.get("mae"), 1e-9);
    assertEquals(rm.r2(), m.get("r2"), 1e-9);
    assertEquals(rm.meanSquaredError(), m.get("mean_residual_deviance"), 1e-9);
    HoldoutMetrics neg = Metrics.regression(new double[] {-2, 1}, new double[] {0, 1});
    assertTrue(Double.isNaN(neg.get("rmsle")), "RMSLE is undefined for a label below -1");
  }

  @Test
  void rmsleOnLabelsWhereItIsDefined() {
    // Labels drawn as above can fall below -1, where both sides would be NaN and prove nothing: keep them positive.
    Random rnd = new Random(4);
    int n = 1000;
    double[] y = new double[n];
    double[] p = new double[n];
    double sle = 0;
    for (int i = 0; i < n; i++) {
      y[i] = Math.exp(3 + rnd.nextGaussian());
      p[i] = Math.max(0, y[i] * (1 + 0.2 * rnd.nextGaussian()));
      sle += Math.pow(Math.log1p(p[i]) - Math.log1p(y[i]), 2);
    }
    double expected = Math.sqrt(sle / n);
    assertFalse(Double.isNaN(expected));
    assertTrue(expected > 0.05, "a non-trivial error: " + expected);
    assertEquals(expected, Metrics.regression(y, p).get("rmsle"), 1e-9);
  }
}
