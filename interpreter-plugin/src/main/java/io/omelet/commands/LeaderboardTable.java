package io.omelet.commands;

import io.omelet.automl.AutoMLResult;
import io.omelet.automl.ModelResult;
import io.omelet.automl.ProblemType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An AutoML result as the command line and the run report show it: the leaderboard with each model's
 * holdout figure and what is served in the leader's place, and the leader's headline metrics.
 */
final class LeaderboardTable {
  private LeaderboardTable() {}

  /** The leader's holdout metrics that matter for its problem type, as one line. */
  static String headline(ModelResult leader, ProblemType type) {
    Map<String, Double> h = leader.holdout().values();
    List<String> keys = type == ProblemType.REGRESSION ? List.of("rmse", "mae", "r2")
        : type == ProblemType.BINOMIAL ? List.of("auc", "logloss", "f1") : List.of("logloss", "accuracy", "mean_per_class_error");
    StringBuilder sb = new StringBuilder();
    for (String k : keys) {
      Double x = h.get(k);
      if (x != null) sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ').append(String.format("%.4f", x));
    }
    return sb.toString();
  }

  static List<String> columns(AutoMLResult r) {
    List<String> cols = new ArrayList<>(List.of("rank", "model_id", "algo"));
    cols.addAll(r.leaderboardMetricNames());
    cols.add("holdout_" + holdoutKey(r));
    cols.add("training_time_ms");
    cols.add("training_rows");
    cols.add("served_as");
    return cols;
  }

  private static String holdoutKey(AutoMLResult r) {
    return r.info().problemType() == ProblemType.REGRESSION ? "rmse" : r.info().problemType() == ProblemType.BINOMIAL ? "auc" : "logloss";
  }

  static List<List<Object>> rows(AutoMLResult r) {
    List<List<Object>> rows = new ArrayList<>();
    String hk = holdoutKey(r);
    for (ModelResult m : r.models()) {
      List<Object> row = new ArrayList<>();
      row.add(m.rank());
      row.add(m.modelId());
      row.add(m.algo());
      for (String k : r.leaderboardMetricNames()) row.add(m.leaderboardMetrics().get(k));
      row.add(m.holdout() == null ? null : m.holdout().values().get(hk));
      row.add(m.trainingTimeMs());
      row.add(m.trainingRows());
      // the leader's row says what is served in its place: its refit on all rows, or itself
      row.add(m != r.leader() ? null : r.refit() != null
          ? "refit on all " + r.refit().rows() + " rows: " + r.refit().model().modelId() : "served as trained");
      rows.add(row);
    }
    return rows;
  }

  static CommandResult.Table of(AutoMLResult r, int maxRows) {
    return Tables.of("leaderboard (" + r.sortMetric() + ", " + r.info().problemType().name().toLowerCase() + "; "
        + r.estimate() + ")",
        columns(r), rows(r), maxRows);
  }
}
