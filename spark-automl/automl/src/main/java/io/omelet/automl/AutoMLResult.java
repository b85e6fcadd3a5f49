package io.omelet.automl;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The outcome of an AutoML job: every leaderboard model, best first.
 *
 * @param projectName H2O's AutoML project name
 * @param info what the job trained on
 * @param sortMetric the leaderboard's sort metric as H2O reports it
 * @param models leaderboard order, leader first
 * @param refit the leader refit on every labelled row, which is what is served; null when it was
 *     not refit (see {@code refitNote})
 * @param refitNote why the leader was not refit (off, nothing to add, or the budget ran out);
 *     null when it was
 * @param engineMessages warnings and errors from H2O AutoML's event log (e.g. a model that failed
 *     to train and was skipped: a failed model does not abort the job)
 * @param durationMs wall time of the whole job
 */
public record AutoMLResult(String projectName, AutoMLRunInfo info, String sortMetric,
                           List<ModelResult> models, Refit refit, String refitNote,
                           List<String> engineMessages, long durationMs) implements Serializable {

  /** The best model of the search, as the leaderboard ranks it. */
  public ModelResult leader() {
    return models.get(0);
  }

  /** The model that is served: the leader refit on all rows, or the leader when it was not refit. */
  public ModelResult servedModel() {
    return refit != null ? refit.model() : leader();
  }


  /** Where the leaderboard's figures come from, e.g. "5-fold cross-validation on 7886 rows". */
  public String estimate() {
    int k = info.settings().nfolds();
    String lb = k >= 2 ? k + "-fold cross-validation on " + info.trainRows() + " rows"
        : "H2O's validation rows split off the " + info.trainRows() + " training rows";
    return info.holdoutRows() > 0 ? lb + "; holdout metrics on " + info.holdoutRows() + " held-out rows" : lb;
  }

  /** A leaderboard model, or the refit, by id. */
  public ModelResult model(String modelId) {
    for (ModelResult m : models) if (m.modelId().equals(modelId)) return m;
    if (refit != null && refit.model().modelId().equals(modelId)) return refit.model();
    throw new IllegalArgumentException("no model '" + modelId + "' on the leaderboard; have "
        + models.stream().map(ModelResult::modelId).toList()
        + (refit == null ? "" : " and the refit " + refit.model().modelId()));
  }

  /** The leaderboard metric names, in H2O's column order. */
  public List<String> leaderboardMetricNames() {
    Set<String> names = new LinkedHashSet<>();
    for (ModelResult m : models) names.addAll(m.leaderboardMetrics().keySet());
    return new ArrayList<>(names);
  }

  /**
   * model_id, algo, the leaderboard metrics for the problem type, training_time_ms,
   * predict_time_per_row_ms, then {@code estimate} (where the metrics come from) and
   * {@code served_model_id} (on the leader's row: the refit that is served in its place, or the
   * leader itself when it was not refit; null on the other rows); leader first.
   */
  public Dataset<Row> leaderboard(SparkSession spark) {
    List<String> metrics = leaderboardMetricNames();
    StructType schema = new StructType()
        .add("model_id", DataTypes.StringType, false)
        .add("algo", DataTypes.StringType, false);
    for (String m : metrics) schema = schema.add(m, DataTypes.DoubleType, true);
    schema = schema.add("training_time_ms", DataTypes.LongType, false)
        .add("predict_time_per_row_ms", DataTypes.DoubleType, false)
        .add("estimate", DataTypes.StringType, false)
        .add("served_model_id", DataTypes.StringType, true);
    String estimate = estimate();
    List<Row> rows = new ArrayList<>();
    for (ModelResult m : models) {
      Object[] v = new Object[metrics.size() + 6];
      v[0] = m.modelId();
      v[1] = m.algo();
      for (int i = 0; i < metrics.size(); i++) v[2 + i] = m.leaderboardMetrics().get(metrics.get(i));
      v[metrics.size() + 2] = m.trainingTimeMs();
      v[metrics.size() + 3] = m.predictTimePerRowMs();
      v[metrics.size() + 4] = estimate;
      v[metrics.size() + 5] = m == leader() ? servedModel().modelId() : null;
      rows.add(RowFactory.create(v));
    }
    return spark.createDataFrame(rows, schema);
  }
}
