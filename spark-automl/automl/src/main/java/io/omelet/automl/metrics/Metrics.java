package io.omelet.automl.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Holdout metrics computed from predictions in plain Java (no engine involved), so every model is
 * judged the same way, from what its MOJO returns.
 */
public final class Metrics {
  /** Probabilities are clipped to [EPS, 1-EPS] for log loss, as Spark MLlib and H2O do. */
  static final double EPS = 1e-15;

  private Metrics() {}

  /**
   * Binary metrics. {@code actual[i]} is 1 for the positive class ({@code labels[1]}, the one the user cares about),
   * 0 otherwise; {@code p1[i]} the predicted probability of the positive class. AUC and AUCPR are
   * threshold-free (AUCPR by the trapezoidal rule over the precision-recall curve at every
   * distinct score, starting at recall 0 with the first point's precision, as Spark MLlib does);
   * accuracy, balanced accuracy, F1, precision, recall, MCC and the confusion matrix use the
   * threshold that maximises F1.
   */
  public static HoldoutMetrics binary(int[] actual, double[] p1, String[] labels) {
    int n = actual.length;
    if (n == 0) throw new IllegalArgumentException("no rows to evaluate");
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Double.compare(p1[b], p1[a]));
    long pos = 0;
    for (int y : actual) pos += y;
    long neg = n - pos;

    double auc = 0, aucpr = 0;
    double prevTpr = 0, prevFpr = 0, prevRecall = 0, prevPrecision = Double.NaN;
    long tp = 0, fp = 0;
    double bestF1 = -1, bestThreshold = Double.NaN;
    long bestTp = 0, bestFp = 0;
    for (int i = 0; i < n; ) {
      double score = p1[order[i]];
      // all rows with the same score move together (ties)
      while (i < n && p1[order[i]] == score) {
        if (actual[order[i]] == 1) tp++;
        else fp++;
        i++;
      }
      double tpr = pos == 0 ? 0 : (double) tp / pos;
      double fpr = neg == 0 ? 0 : (double) fp / neg;
      auc += (fpr - prevFpr) * (tpr + prevTpr) / 2;
      double precision = (double) tp / (tp + fp);
      if (Double.isNaN(prevPrecision)) prevPrecision = precision;
      aucpr += (tpr - prevRecall) * (precision + prevPrecision) / 2;
      prevTpr = tpr;
      prevFpr = fpr;
      prevRecall = tpr;
      prevPrecision = precision;
      double f1 = tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + (pos - tp));
      if (f1 > bestF1) {
        bestF1 = f1;
        bestThreshold = score;
        bestTp = tp;
        bestFp = fp;
      }
    }
    long tn = neg - bestFp, fn = pos - bestTp;
    double logloss = 0;
    for (int i = 0; i < n; i++) {
      double p = clip(p1[i]);
      logloss -= actual[i] == 1 ? Math.log(p) : Math.log(1 - p);
    }
    logloss /= n;
    double precision = bestTp + bestFp == 0 ? 0 : (double) bestTp / (bestTp + bestFp);
    double recall = pos == 0 ? 0 : (double) bestTp / pos;
    double specificity = neg == 0 ? 0 : (double) tn / neg;
    double mccDen = Math.sqrt((double) (bestTp + bestFp) * (bestTp + fn) * (tn + bestFp) * (tn + fn));
    double mcc = mccDen == 0 ? 0 : ((double) bestTp * tn - (double) bestFp * fn) / mccDen;

    Map<String, Double> v = new LinkedHashMap<>();
    v.put("auc", pos == 0 || neg == 0 ? Double.NaN : auc);
    v.put("aucpr", pos == 0 ? Double.NaN : aucpr);
    v.put("logloss", logloss);
    v.put("accuracy", (double) (bestTp + tn) / n);
    v.put("balanced_accuracy", (recall + specificity) / 2);
    v.put("f1", bestF1 < 0 ? 0 : bestF1);
    v.put("precision", precision);
    v.put("recall", recall);
    v.put("mcc", mcc);
    v.put("threshold", bestThreshold);
    long[][] cm = {{tn, bestFp}, {fn, bestTp}};
    return new HoldoutMetrics(v, labels.clone(), cm, bestThreshold, n);
  }

  /**
   * Multiclass metrics from the predicted class and the class probabilities ({@code probs[i][c]}).
   * Per-class figures are averaged over the classes present among the actual labels: macro (plain
   * mean) and weighted (by actual class size); micro F1, precision and recall equal accuracy for
   * single-label data. Mean per-class error is 1 - the macro recall.
   */
  public static HoldoutMetrics multiclass(int[] actual, int[] predicted, double[][] probs,
                                          String[] labels) {
    int n = actual.length;
    if (n == 0) throw new IllegalArgumentException("no rows to evaluate");
    int k = labels.length;
    long[][] cm = new long[k][k];
    double logloss = 0;
    long correct = 0;
    for (int i = 0; i < n; i++) {
      cm[actual[i]][predicted[i]]++;
      if (actual[i] == predicted[i]) correct++;
      logloss -= Math.log(clip(probs[i][actual[i]]));
    }
    logloss /= n;
    double macroP = 0, macroR = 0, macroF = 0, wP = 0, wR = 0, wF = 0;
    int present = 0;
    for (int c = 0; c < k; c++) {
      long support = 0, predictedC = 0;
      for (int j = 0; j < k; j++) {
        support += cm[c][j];
        predictedC += cm[j][c];
      }
      if (support == 0) continue;
      present++;
      long tp = cm[c][c];
      double p = predictedC == 0 ? 0 : (double) tp / predictedC;
      double r = (double) tp / support;
      double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
      macroP += p;
      macroR += r;
      macroF += f;
      double w = (double) support / n;
      wP += w * p;
      wR += w * r;
      wF += w * f;
    }
    double accuracy = (double) correct / n;
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("logloss", logloss);
    v.put("accuracy", accuracy);
    v.put("mean_per_class_error", 1 - macroR / present);
    v.put("macro_f1", macroF / present);
    v.put("macro_precision", macroP / present);
    v.put("macro_recall", macroR / present);
    v.put("micro_f1", accuracy);
    v.put("micro_precision", accuracy);
    v.put("micro_recall", accuracy);
    v.put("weighted_f1", wF);
    v.put("weighted_precision", wP);
    v.put("weighted_recall", wR);
    return new HoldoutMetrics(v, labels.clone(), cm, null, n);
  }

  /**
   * Regression metrics. RMSLE is NaN when any actual or predicted value is at or below -1 (its
   * logarithm is undefined); mean residual deviance is that of the Gaussian distribution H2O's
   * AutoML uses for regression by default, i.e. the MSE.
   */
  public static HoldoutMetrics regression(double[] actual, double[] predicted) {
    int n = actual.length;
    if (n == 0) throw new IllegalArgumentException("no rows to evaluate");
    double sse = 0, sae = 0, sle = 0, mean = 0;
    boolean logDefined = true;
    for (int i = 0; i < n; i++) mean += actual[i];
    mean /= n;
    double sst = 0;
    for (int i = 0; i < n; i++) {
      double e = predicted[i] - actual[i];
      sse += e * e;
      sae += Math.abs(e);
      sst += (actual[i] - mean) * (actual[i] - mean);
      if (actual[i] <= -1 || predicted[i] <= -1) logDefined = false;
      else {
        double le = Math.log1p(predicted[i]) - Math.log1p(actual[i]);
        sle += le * le;
      }
    }
    double mse = sse / n;
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("rmse", Math.sqrt(mse));
    v.put("mse", mse);
    v.put("mae", sae / n);
    v.put("rmsle", logDefined ? Math.sqrt(sle / n) : Double.NaN);
    v.put("r2", sst == 0 ? Double.NaN : 1 - sse / sst);
    v.put("mean_residual_deviance", mse);
    return new HoldoutMetrics(v, null, null, null, n);
  }

  private static double clip(double p) {
    return Math.min(1 - EPS, Math.max(EPS, p));
  }
}
