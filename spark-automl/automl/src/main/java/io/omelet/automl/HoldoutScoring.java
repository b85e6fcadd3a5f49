package io.omelet.automl;

import io.omelet.automl.metrics.HoldoutMetrics;
import io.omelet.automl.metrics.Metrics;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.MojoScoring;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Holdout metrics of a model: the holdout rows scored by its MOJO, rows with a label the model does
 * not know left out; binary metrics describe the plan's positive class.
 */
final class HoldoutScoring {
  private HoldoutScoring() {}

  /** {@code r}'s metrics on the holdout rows, scored through its MOJO as it will be served. */
  static HoldoutMetrics evaluate(ModelResult r, Dataset<Row> holdout, TrainingPlan plan) {
    MojoModel mojo = MojoModel.of(r.mojo());
    List<double[]> scored = MojoScoring.scoreWithLabel(holdout, mojo, plan.label);
    int n = 0;
    for (double[] s : scored) if (!Double.isNaN(s[s.length - 1])) n++;
    if (n == 0) throw new IllegalStateException("no holdout row has a label the model knows");
    if (plan.type == ProblemType.REGRESSION) {
      double[] y = new double[n], p = new double[n];
      int i = 0;
      for (double[] s : scored) {
        if (Double.isNaN(s[s.length - 1])) continue;
        y[i] = s[s.length - 1];
        p[i++] = s[0];
      }
      return Metrics.regression(y, p);
    }
    String[] labels = mojo.responseDomain();
    int k = labels.length;
    int[] y = new int[n];
    if (k == 2) {
      // The model's domain is sorted, its p1 is the second label's; the user's positive class
      // may be the first, then actual and probability are flipped and the labels reordered.
      int pos = plan.positiveClass == null ? 1 : Math.max(0, Arrays.asList(labels).indexOf(plan.positiveClass));
      double[] p = new double[n];
      int i = 0;
      for (double[] s : scored) {
        if (Double.isNaN(s[s.length - 1])) continue;
        int actual = (int) s[s.length - 1];
        y[i] = actual == pos ? 1 : 0;
        p[i++] = s[1 + pos];
      }
      return Metrics.binary(y, p, new String[] {labels[1 - pos], labels[pos]});
    }
    int[] pred = new int[n];
    double[][] probs = new double[n][];
    int i = 0;
    for (double[] s : scored) {
      if (Double.isNaN(s[s.length - 1])) continue;
      y[i] = (int) s[s.length - 1];
      pred[i] = (int) s[0];
      probs[i++] = Arrays.copyOfRange(s, 1, 1 + k);
    }
    return Metrics.multiclass(y, pred, probs, labels);
  }
}
