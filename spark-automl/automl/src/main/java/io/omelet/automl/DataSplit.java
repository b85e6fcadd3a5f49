package io.omelet.automl;

import static io.omelet.automl.AutoMLJob.ALL_FOLD_COL;
import static io.omelet.automl.AutoMLJob.FOLD_COL;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.row_number;

import io.omelet.common.RowSampler;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.storage.StorageLevel;

/**
 * A plan's labelled rows sampled, split into training rows (each with its cross-validation fold)
 * and holdout rows, counted and checked for enough rows per fold. The tagged rows are persisted
 * until {@link #release()}.
 *
 * <p>Folds are drawn here, not by H2O: H2O's default assigns folds by row position, which inflates
 * cross-validation scores on rows that arrive in order (docs/ARCHITECTURE.md).
 */
final class DataSplit {
  /** The fold or group value of a row, as text (from the user's fold or group column). */
  static final String SPLIT = "__omelet_split";
  private static final String U = "__omelet_u", RN = "__omelet_rn", CNT = "__omelet_cnt", HOLD = "__omelet_holdout",
      GU = "__omelet_gu";

  private final Dataset<Row> tagged;
  final long trainRows, holdoutRows;

  private DataSplit(Dataset<Row> tagged, long trainRows, long holdoutRows) {
    this.tagged = tagged;
    this.trainRows = trainRows;
    this.holdoutRows = holdoutRows;
  }

  /**
   * Splits and counts the plan's rows (one Spark job, per class for classification).
   *
   * @throws AutoMLInputException when too few rows are left to train, or a class is too rare for the folds
   */
  static DataSplit of(TrainingPlan plan, AutoMLRunSettings settings) {
    Dataset<Row> tagged = tag(plan, settings).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // One job counts both parts, per class for classification.
      Column classKey = plan.type.isClassification() ? TrainingPlan.quoted(plan.label) : lit("all");
      long trainRows = 0, holdoutRows = 0;
      Map<String, Long> trainPerClass = new TreeMap<>();
      for (Row c : tagged.groupBy(col(HOLD), classKey.as("k")).count().collectAsList()) {
        if (c.getBoolean(0)) {
          holdoutRows += c.getLong(2);
        } else {
          trainRows += c.getLong(2);
          trainPerClass.put(c.getString(1), c.getLong(2));
        }
      }
      int minRows = Math.max(10, 2 * settings.nfolds());
      if (trainRows < minRows) {
        throw new AutoMLInputException("too few rows: " + trainRows + " training rows (of "
            + plan.inputRows + " input rows, after dropping rows without a label, sampling and a "
            + Math.round(settings.holdoutFraction() * 100) + "% holdout); "
            + (settings.nfolds() >= 2 ? settings.nfolds() + "-fold cross-validation" : "training")
            + " needs at least " + minRows);
      }
      if (plan.type.isClassification() && settings.nfolds() >= 2 && plan.foldCol == null && plan.groupCol == null) {
        // Stratified folds give every fold one row of each class only if each class has nfolds.
        for (Map.Entry<String, Long> c : trainPerClass.entrySet()) {
          if (c.getValue() < settings.nfolds()) {
            throw new AutoMLInputException("too few rows: class '" + c.getKey() + "' of label '"
                + plan.label + "' has " + c.getValue() + " training rows; " + settings.nfolds()
                + "-fold cross-validation needs at least " + settings.nfolds()
                + " per class (lower nfolds, or drop the rare class)");
          }
        }
      }
      return new DataSplit(tagged, trainRows, holdoutRows);
    } catch (RuntimeException | Error e) {
      tagged.unpersist(false);
      throw e;
    }
  }

  long usedRows() {
    return trainRows + holdoutRows;
  }

  /**
   * The training rows with their fold, in a random order (sorted by their random draw): anything
   * positional in the engine then sees shuffled rows, not rows grouped by class or in the input's order.
   */
  Dataset<Row> training() {
    return tagged.filter(col(HOLD).equalTo(false)).orderBy(col(U)).drop(U, RN, CNT, HOLD, SPLIT, ALL_FOLD_COL);
  }

  Dataset<Row> holdout() {
    return tagged.filter(col(HOLD).equalTo(true)).drop(U, RN, CNT, HOLD, SPLIT, FOLD_COL, ALL_FOLD_COL);
  }

  /** Every labelled row in a random order, for the refit; with cross-validation, its fold among all rows as the fold. */
  Dataset<Row> allRows(boolean crossValidation) {
    Dataset<Row> all = tagged.orderBy(col(U)).drop(U, RN, CNT, HOLD, SPLIT);
    return crossValidation ? all.drop(FOLD_COL).withColumnRenamed(ALL_FOLD_COL, FOLD_COL) : all;
  }

  void release() {
    tagged.unpersist(false);
  }

  /**
   * Marks each labelled row held out or not and gives it its fold ({@link AutoMLJob#FOLD_COL}, for the
   * training rows) and its fold among all rows ({@link AutoMLJob#ALL_FOLD_COL}, for an ensemble's refit):
   * <ul>
   *   <li>by default at random, stratified for classification: within each class rows in random
   *       order, the first round(h * n_class) held out and the rest dealt to the folds in turn;
   *   <li>with a group column, whole groups: groups in a random order (a seeded hash), the first
   *       round(h * groups) held out and the rest dealt to the folds in turn;
   *   <li>with a fold column, the holdout as by default and the folds as the column says.
   * </ul>
   */
  static Dataset<Row> tag(TrainingPlan plan, AutoMLRunSettings settings) {
    Dataset<Row> d = sample(plan.selected, settings.sample(), plan.labelledRows, plan.seed);
    double h = settings.holdoutFraction();
    int k = settings.nfolds();
    d = d.withColumn(U, rand(plan.seed));
    if (plan.groupCol != null) {
      // one row per group with its place in a seeded random order, joined back
      Dataset<Row> groups = d.select(col(SPLIT)).distinct()
          .withColumn(GU, org.apache.spark.sql.functions.xxhash64(col(SPLIT), lit(plan.seed)))
          .withColumn(RN, row_number().over(Window.orderBy(col(GU), col(SPLIT))))
          .withColumn(CNT, count(lit(1)).over(Window.partitionBy()))
          .drop(GU);
      d = d.join(org.apache.spark.sql.functions.broadcast(groups), SPLIT);
    } else if (plan.type.isClassification()) {
      WindowSpec byClass = Window.partitionBy(TrainingPlan.quoted(plan.label));
      d = d.withColumn(RN, row_number().over(byClass.orderBy(U)))
          .withColumn(CNT, count(lit(1)).over(byClass));
    }
    if (plan.groupCol != null || plan.type.isClassification()) {
      Column nHold = floor(col(CNT).multiply(h).plus(0.5));
      if (plan.groupCol != null && h > 0) nHold = org.apache.spark.sql.functions.greatest(nHold, lit(1));
      d = d.withColumn(HOLD, col(RN).leq(nHold));
      if (k >= 2 && plan.foldCol == null) {
        d = d.withColumn(FOLD_COL, org.apache.spark.sql.functions.pmod(col(RN).minus(nHold).minus(1), lit(k)).cast("int"))
            .withColumn(ALL_FOLD_COL, col(RN).minus(1).mod(k).cast("int"));
      }
    } else {
      d = d.withColumn(HOLD, col(U).lt(h)).withColumn(RN, lit(0)).withColumn(CNT, lit(0));
      if (k >= 2 && plan.foldCol == null) {
        d = d.withColumn(FOLD_COL, floor(rand(plan.seed + 1).multiply(k)).cast("int"))
            .withColumn(ALL_FOLD_COL, col(FOLD_COL));
      }
    }
    if (plan.foldCol != null) d = d.withColumn(FOLD_COL, col(SPLIT)).withColumn(ALL_FOLD_COL, col(SPLIT));
    return d;
  }

  /**
   * The rows a run uses: all (0 or 1), a fraction in (0, 1), or {@code sample} rows (a count
   * above 1), drawn with {@code seed}.
   */
  static Dataset<Row> sample(Dataset<Row> rows, double sample, long labelledRows, long seed) {
    if (sample > 0 && sample < 1) return rows.sample(false, sample, seed);
    if (sample > 1 && sample < labelledRows) {
      return RowSampler.sample(rows, (int) sample, seed, labelledRows);
    }
    return rows;
  }

  /** {@link #tag}'s rows for tests: the selected columns, {@code holdout}, the two fold columns and {@code split}. */
  static Dataset<Row> tagged(TrainingPlan plan, AutoMLRunSettings settings) {
    return tag(plan, settings).withColumnRenamed(HOLD, "holdout").withColumnRenamed(SPLIT, "split").drop(U, RN, CNT);
  }
}
