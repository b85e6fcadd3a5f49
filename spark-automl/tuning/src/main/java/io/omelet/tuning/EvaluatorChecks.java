package io.omelet.tuning;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Whether an evaluator can score what the estimator makes: its columns, and a binary evaluator's label values. */
final class EvaluatorChecks {
  private EvaluatorChecks() {}

  /** The label is in the data or made by the estimator (numeric for Spark's evaluators); the prediction is made. */
  static void checkColumns(Evaluator ev, StructType output) {
    String evName = ev.getClass().getSimpleName();
    String label = stringParam(ev, "labelCol");
    if (label != null) {
      StructField f = find(output, label);
      if (f == null) {
        throw new IllegalArgumentException(evName + "'s label column '" + label + "' is neither in the data nor made by the"
            + " estimator; the columns are " + String.join(", ", output.fieldNames()));
      }
      boolean standard = ev instanceof BinaryClassificationEvaluator || ev instanceof RegressionEvaluator
          || ev instanceof MulticlassClassificationEvaluator;
      if (standard && !(f.dataType() instanceof NumericType) && !(f.dataType() instanceof BooleanType)) {
        throw new IllegalArgumentException(evName + " needs a numeric label, but '" + label + "' is " + f.dataType().simpleString()
            + (ev instanceof BinaryClassificationEvaluator || ev instanceof MulticlassClassificationEvaluator
                ? "; index it first (a StringIndexer in the pipeline)" : ""));
      }
    }
    String pred = ev instanceof BinaryClassificationEvaluator ? stringParam(ev, "rawPredictionCol") : stringParam(ev, "predictionCol");
    if (pred != null && find(output, pred) == null) {
      throw new IllegalArgumentException(evName + " reads column '" + pred + "', which the estimator does not make; its output"
          + " columns are " + String.join(", ", output.fieldNames()));
    }
  }

  /**
   * A binary evaluator needs a label with at most 2 values, 0 and 1 (integral): checked with one small job
   * (at most 3 distinct values read) on the label, or on the input of the StringIndexer that makes it.
   */
  static void checkBinaryLabel(Evaluator ev, PipelineStage estimator, Dataset<?> data) {
    if (!(ev instanceof BinaryClassificationEvaluator)) return;
    String label = stringParam(ev, "labelCol");
    String column = label;
    boolean indexed = false;
    if (find(data.schema(), label) == null) {
      column = null;
      for (PipelineStage s : PipelineStages.of(estimator)) {
        if (s instanceof StringIndexer si && si.isDefined(si.outputCol()) && label.equals(si.getOutputCol())
            && si.isDefined(si.inputCol())) {
          column = si.getInputCol();
          indexed = true;
        }
      }
      if (column == null) return;
    }
    List<Row> values = data.select(functions.col(column)).distinct().limit(3).collectAsList();
    List<Object> seen = new ArrayList<>();
    for (Row r : values) seen.add(r.get(0));
    if (values.size() > 2) {
      throw new IllegalArgumentException("BinaryClassificationEvaluator needs a label with 2 values, but '" + column + "'"
          + (indexed ? " (indexed into '" + label + "')" : "") + " has more than 2 (e.g. " + seen + "); use"
          + " MulticlassClassificationEvaluator or RegressionEvaluator");
    }
    if (!indexed) {
      for (Object v : seen) {
        if (v instanceof Number n && (n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 0 || n.doubleValue() > 1)) {
          throw new IllegalArgumentException("BinaryClassificationEvaluator needs a 0/1 label, but '" + column + "' holds " + v
              + "; use RegressionEvaluator for a quantity, or index the classes");
        }
      }
    }
  }

  /** The evaluator's metric (e.g. areaUnderROC, rmse), else its class name. */
  static String metricName(Evaluator ev) {
    String m = stringParam(ev, "metricName");
    return m != null ? m : ev.getClass().getSimpleName();
  }

  private static String stringParam(Params p, String name) {
    if (!p.hasParam(name)) return null;
    Param<?> param = p.getParam(name);
    return p.isDefined(param) ? String.valueOf(p.getOrDefault(param)) : null;
  }

  private static StructField find(StructType schema, String name) {
    for (StructField f : schema.fields()) if (f.name().equals(name)) return f;
    return null;
  }
}
