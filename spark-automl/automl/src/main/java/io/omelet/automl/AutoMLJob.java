package io.omelet.automl;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.row_number;

import ai.h2o.automl.Algo;
import ai.h2o.automl.AutoML;
import ai.h2o.automl.AutoMLBuildSpec;
import hex.Model;
import hex.ModelMetrics;
import hex.ModelMetricsBinomial;
import hex.ModelMetricsMultinomial;
import hex.ModelMetricsRegression;
import hex.ModelMetricsSupervised;
import hex.ScoreKeeper;
import hex.leaderboard.Leaderboard;
import io.omelet.automl.engine.H2OEngine;
import io.omelet.automl.engine.OmeletSteps;
import io.omelet.automl.engine.SparkToH2O;
import io.omelet.automl.metrics.HoldoutMetrics;
import io.omelet.automl.metrics.Metrics;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.MojoScoring;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import water.Job;
import water.Key;
import water.fvec.Frame;
import water.util.TwoDimTable;

/**
 * One AutoML run on the H2O engine, from a DataFrame to a leaderboard of evaluated models:
 * validate the input (clear errors before any training), sample, split off a holdout (stratified
 * for classification) and assign cross-validation folds at random (stratified too), move the
 * training rows into H2O, run H2O AutoML, then collect every model's parameters, metrics,
 * variable importance and MOJO and score the holdout through the MOJO.
 *
 * <p>Folds are given to H2O as a fold column drawn at random: H2O's default assigns folds by row
 * position, which inflates cross-validation scores on rows that arrive in order (docs/ARCHITECTURE.md).
 *
 * <p>Tracking hooks in through {@link AutoMLListener}. A job runs once; {@link #cancel()} may be
 * called from another thread.
 */
public final class AutoMLJob {
  private static final Logger LOG = LoggerFactory.getLogger(AutoMLJob.class);
  /** The fold column added to the training frame. */
  public static final String FOLD_COL = "__omelet_fold";
  static final int MAX_CLASSES = 1000;
  /** The share of a time budget kept for refitting the leader on all rows. */
  static final double REFIT_SHARE = 0.2;
  /** The fold assignment of every labelled row (holdout included), for the refit of an ensemble. */
  static final String ALL_FOLD_COL = "__omelet_fold_all";
  private static final String U = "__omelet_u", RN = "__omelet_rn", CNT = "__omelet_cnt",
      HOLD = "__omelet_holdout", SPLIT = "__omelet_split", GU = "__omelet_gu";

  private final H2OEngine engine;
  private final AutoMLRunSettings settings;
  private final List<AutoMLListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean cancelled;

  /** A job with the values {@code params} hold now (a named profile is not applied: see {@link OmeletAutoML#fit}). */
  public AutoMLJob(H2OEngine engine, AutoMLParams params) {
    this.engine = engine;
    this.settings = AutoMLRunSettings.of(params);
  }

  public AutoMLJob addListener(AutoMLListener listener) {
    listeners.add(listener);
    return this;
  }

  /** Stops the job: training stops at once and {@link #run} throws AutoMLCancelledException. */
  public void cancel() {
    cancelled = true;
    // the polling loop of run() stops the H2O job; calling into H2O from here could race its start
  }

  /**
   * Checks the input as {@link #run} does before it trains (columns, types, label, folds, rows per
   * class after sampling and the holdout) and returns what the run would be, training nothing.
   * Bad input fails with {@link AutoMLInputException}, as {@code run} would.
   */
  public AutoMLRunInfo check(Dataset<Row> data) {
    Prepared p = prepare(data);
    p.tagged.unpersist(false);
    return p.info;
  }

  /** The input checked, sampled and split, with what the run's listeners are told at its start. */
  private record Prepared(Plan plan, Dataset<Row> tagged, Dataset<Row> trainDf, Dataset<Row> holdoutDf,
                          long trainRows, long holdoutRows, long usedRows, AutoMLRunInfo info) {}

  private Prepared prepare(Dataset<Row> data) {
    progress(AutoMLListener.Phase.VALIDATING, 0, "checking the input");
    Plan plan = validate(data);
    checkCancelled();

    progress(AutoMLListener.Phase.PREPARING, 3, "sampling and splitting");
    Dataset<Row> tagged = split(plan).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // Rows go into H2O in a random order (sorted by their random draw): anything positional in
      // the engine then sees shuffled rows, not rows grouped by class or in the input's order.
      Dataset<Row> trainDf = tagged.filter(col(HOLD).equalTo(false)).orderBy(col(U))
          .drop(U, RN, CNT, HOLD, SPLIT, ALL_FOLD_COL);
      Dataset<Row> holdoutDf = tagged.filter(col(HOLD).equalTo(true)).drop(U, RN, CNT, HOLD, SPLIT, FOLD_COL, ALL_FOLD_COL);
      // One job counts both parts, per class for classification.
      Column classKey = plan.type.isClassification() ? quoted(plan.label) : lit("all");
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
      long usedRows = trainRows + holdoutRows;
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
      AutoMLRunInfo info = new AutoMLRunInfo(settings, plan.type, plan.label,
          List.copyOf(plan.features), plan.classes == null ? null : List.copyOf(plan.classes),
          plan.inputRows, usedRows, trainRows, holdoutRows, plan.seed, List.copyOf(plan.warnings),
          plan.positiveClass, plan.positiveClassReason);
      return new Prepared(plan, tagged, trainDf, holdoutDf, trainRows, holdoutRows, usedRows, info);
    } catch (RuntimeException | Error e) {
      tagged.unpersist(false);
      throw e;
    }
  }

  /** Runs the job to the end; bad input fails with {@link AutoMLInputException} before training. */
  public AutoMLResult run(Dataset<Row> data) {
    long t0 = System.currentTimeMillis();
    Dataset<Row> tagged = null;
    Frame train = null;
    AutoML aml = null;
    try {
      Prepared prepared = prepare(data);
      tagged = prepared.tagged;
      Plan plan = prepared.plan;
      Dataset<Row> trainDf = prepared.trainDf;
      Dataset<Row> holdoutDf = prepared.holdoutDf;
      long trainRows = prepared.trainRows, holdoutRows = prepared.holdoutRows, usedRows = prepared.usedRows;
      AutoMLRunInfo info = prepared.info;
      for (AutoMLListener l : listeners) l.onStart(info);
      checkCancelled();

      progress(AutoMLListener.Phase.CONVERTING, 5, "moving " + trainRows + " rows into H2O");
      engine.start();
      String project = "omelet_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      train = engine.toH2OFrame(trainDf, Key.make(project + "_train"));
      checkCancelled();

      // A time budget covers the whole job: AutoML gets what is left of it, less a share kept for
      // the refit when there will be one.
      boolean refitPlanned = settings.refitOnAllRows() && (holdoutRows > 0 || settings.nfolds() < 2);
      double automlSecs = 0;
      if (settings.maxRuntimeSecs() > 0) {
        double left = settings.maxRuntimeSecs() - (System.currentTimeMillis() - t0) / 1000.0;
        automlSecs = Math.max(1, refitPlanned ? left * (1 - REFIT_SHARE) : left);
      }
      aml = AutoML.startAutoML(buildSpec(plan, train, project, automlSecs));
      progress(AutoMLListener.Phase.TRAINING, 10, modelsDone(aml) + "; AutoML started");
      Job<AutoML> job = aml.job();
      boolean stopped = false;
      while (job.isRunning()) {
        // A lost node never ends the job: fail instead of waiting on it (nothing more is asked of H2O).
        engine.checkHealthy();
        if ((cancelled || Thread.currentThread().isInterrupted()) && !stopped) {
          // keep polling after the stop request: the job ends once its current model stops
          stopped = stopQuietly(aml);
        }
        progress(AutoMLListener.Phase.TRAINING, 10 + 75 * job.progress(),
            modelsDone(aml) + (job.progress_msg() == null ? "" : "; " + job.progress_msg()));
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          cancelled = true;
        }
      }
      if (stopped) awaitModelJobs(60_000);
      checkCancelled();
      if (job.isCrashed() && job.ex() != null) {
        throw new IllegalStateException("H2O AutoML failed: " + job.ex(), job.ex());
      }

      progress(AutoMLListener.Phase.COLLECTING, 85, "collecting models");
      engine.checkHealthy();
      Leaderboard lb = aml.leaderboard();
      Model[] models = lb == null ? new Model[0] : lb.getModels();
      if (models.length == 0) {
        throw new IllegalStateException("H2O AutoML built no model; its warnings and errors:\n"
            + String.join("\n", engineMessages(aml)));
      }
      Map<String, Map<String, Object>> table = leaderboardTable(lb);
      // With cross-validation the main model of each is trained on every training row; without,
      // on what AutoML kept after splitting off its validation rows.
      long leaderRows = settings.nfolds() >= 2 || aml.getTrainingFrame() == null ? trainRows
          : aml.getTrainingFrame().numRows();
      List<ModelResult> results = new ArrayList<>();
      for (int i = 0; i < models.length; i++) {
        results.add(collect(models[i], i + 1, leaderRows, null, table.get(models[i]._key.toString()), plan));
        checkCancelled();
      }

      List<ModelResult> evaluated = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        ModelResult r = results.get(i);
        engine.checkHealthy();
        progress(AutoMLListener.Phase.EVALUATING, 90 + 10.0 * i / results.size(),
            "scoring the holdout with " + r.modelId());
        if (holdoutRows > 0 && r.hasMojo()) {
          try {
            r = r.withHoldout(evaluate(r, holdoutDf, plan), null);
          } catch (RuntimeException e) {
            LOG.warn("holdout scoring failed for {}", r.modelId(), e);
            r = r.withHoldout(null, "holdout scoring failed: " + e);
          }
        }
        evaluated.add(r);
        for (AutoMLListener l : listeners) l.onModel(r);
        checkCancelled();
      }
      Refit refit = null;
      String refitNote;
      if (!settings.refitOnAllRows()) {
        refitNote = "refitOnAllRows is off: the leader is served as trained, on " + leaderRows + " rows";
      } else if (!refitPlanned) {
        refitNote = "nothing to refit: the leader was trained on all " + leaderRows + " labelled rows";
      } else {
        try {
          refit = refitLeader(models[0], tagged, plan, project, usedRows, trainRows, t0);
          refitNote = null;
        } catch (LeaderRefit.Skipped e) {
          refitNote = e.getMessage() + "; the leader is served as trained, on " + leaderRows + " rows";
          LOG.warn("no refit: {}", refitNote);
        }
      }
      checkCancelled();
      String sortMetric = lb.getSortMetric();
      AutoMLResult result = new AutoMLResult(project, info, sortMetric, List.copyOf(evaluated), refit,
          refitNote, engineMessages(aml), System.currentTimeMillis() - t0);
      // A cancel that came in while collecting must not register anything.
      checkCancelled();
      progress(AutoMLListener.Phase.DONE, 100, "done: " + evaluated.size() + " models");
      for (AutoMLListener l : listeners) l.onComplete(result);
      return result;
    } catch (RuntimeException | Error e) {
      // Errors too (OutOfMemoryError, LinkageError): the run must end FAILED, never stay RUNNING.
      for (AutoMLListener l : listeners) {
        try {
          l.onFailure(e);
        } catch (RuntimeException | Error le) {
          e.addSuppressed(le);
        }
      }
      throw e;
    } finally {
      // After a node loss any call into H2O may wait forever on the missing node: leave it be.
      if (engine.usable()) cleanUp(aml, train);
      if (tagged != null) tagged.unpersist(false);
    }
  }

  // ---------------------------------------------------------------- validation

  /** What validation learned about the input. */
  private static final class Plan {
    String label;
    ProblemType type;
    List<String> features = new ArrayList<>();
    List<String> classes;
    /** Binary problems: the class binary metrics describe, and why that one. */
    String positiveClass, positiveClassReason;
    String weight;
    /** The user's fold column and group column, as found in the input; null when not given. */
    String foldCol, groupCol;
    /** Distinct values of the fold column, or groups of the group column. */
    long foldValues, groups;
    long inputRows;
    long labelledRows;
    long seed;
    List<String> warnings = new ArrayList<>();
    Dataset<Row> selected;
  }

  private Plan validate(Dataset<Row> data) {
    Plan plan = new Plan();
    plan.seed = settings.seed() != -1 ? settings.seed() : new java.util.Random().nextLong() & 0xffffffffL;
    if (settings.labelCol() == null || settings.labelCol().isBlank()) {
      throw new AutoMLInputException("labelCol is not set: name the column to predict");
    }
    plan.label = resolve(data, settings.labelCol(), "label column");
    StructField labelField = data.schema().apply(plan.label);
    DataType labelType = labelField.dataType();
    if (!(labelType instanceof StringType || labelType instanceof BooleanType
        || labelType instanceof NumericType)) {
      throw new AutoMLInputException("label column '" + plan.label + "' has type "
          + labelType.simpleString() + "; expected a string, boolean or numeric column");
    }
    if (settings.weightCol() != null) {
      plan.weight = resolve(data, settings.weightCol(), "weight column");
      if (!(data.schema().apply(plan.weight).dataType() instanceof NumericType)) {
        throw new AutoMLInputException("weight column '" + plan.weight + "' has type "
            + data.schema().apply(plan.weight).dataType().simpleString() + "; expected a number");
      }
    }
    if (settings.foldCol() != null && settings.groupCol() != null) {
      throw new AutoMLInputException("foldCol and groupCol both set: give the folds (foldCol) or the groups"
          + " to keep together (groupCol), not both");
    }
    if (settings.foldCol() != null) plan.foldCol = resolve(data, settings.foldCol(), "fold column");
    if (settings.groupCol() != null) plan.groupCol = resolve(data, settings.groupCol(), "group column");
    for (String c : new String[] {plan.foldCol, plan.groupCol}) {
      if (c == null) continue;
      if (c.equals(plan.label)) throw new AutoMLInputException("column '" + c + "' is the label; it cannot also assign folds");
      DataType t = data.schema().apply(c).dataType();
      if (!(t instanceof StringType || t instanceof NumericType || t instanceof BooleanType)) {
        throw new AutoMLInputException("column '" + c + "' has type " + t.simpleString()
            + "; folds and groups come from a string, numeric or boolean column");
      }
    }
    if (plan.foldCol != null && settings.nfolds() < 2) {
      throw new AutoMLInputException("foldCol '" + plan.foldCol + "' is set but nfolds is "
          + settings.nfolds() + " (no cross-validation): leave nfolds at its default");
    }
    Set<String> ignored = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (String c : settings.ignoredCols()) ignored.add(resolve(data, c, "ignored column"));
    if (plan.foldCol != null) ignored.add(plan.foldCol);
    if (plan.groupCol != null) ignored.add(plan.groupCol);
    List<String> candidates = new ArrayList<>();
    if (!settings.featuresCols().isEmpty()) {
      for (String c : settings.featuresCols()) candidates.add(resolve(data, c, "feature column"));
    } else {
      candidates.addAll(Arrays.asList(data.columns()));
    }
    for (String c : candidates) {
      if (c.equals(plan.label) || c.equals(plan.weight) || ignored.contains(c)) continue;
      if (c.startsWith("__omelet_")) continue;
      plan.features.add(c);
    }
    List<String> used = new ArrayList<>(plan.features);
    used.add(plan.label);
    if (plan.weight != null) used.add(plan.weight);
    List<String> unsupported = SparkToH2O.unsupportedColumns(
        data.select(used.stream().map(AutoMLJob::quoted).toArray(Column[]::new)).schema());
    if (!unsupported.isEmpty()) {
      throw new AutoMLInputException("unsupported column type(s): " + String.join(", ", unsupported)
          + "; AutoML takes numeric, string, boolean, date and timestamp columns"
          + " (list the others in ignoredCols, or flatten them first)");
    }

    // One pass for the counts: rows, labelled rows, non-null cells per feature.
    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)));
    aggs.add(count(quoted(plan.label)));
    for (String f : plan.features) aggs.add(count(quoted(f)));
    String split = plan.foldCol != null ? plan.foldCol : plan.groupCol;
    if (split != null) {
      Column labelled = quoted(plan.label).isNotNull();
      aggs.add(org.apache.spark.sql.functions.count_distinct(
          org.apache.spark.sql.functions.when(labelled, quoted(split))));
      aggs.add(org.apache.spark.sql.functions.sum(
          org.apache.spark.sql.functions.when(labelled.and(quoted(split).isNull()), 1).otherwise(0)));
    }
    Row counts = data.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
    plan.inputRows = counts.getLong(0);
    plan.labelledRows = counts.getLong(1);
    if (split != null && plan.labelledRows > 0) {
      int at = 2 + plan.features.size();
      long distinct = counts.getLong(at);
      long nulls = counts.isNullAt(at + 1) ? 0 : counts.getLong(at + 1);
      String what = plan.foldCol != null ? "fold column" : "group column";
      if (nulls > 0) {
        throw new AutoMLInputException(what + " '" + split + "' is null in " + nulls
            + " labelled rows; every row needs its " + (plan.foldCol != null ? "fold" : "group"));
      }
      if (plan.foldCol != null) {
        if (distinct < 2) {
          throw new AutoMLInputException("fold column '" + split + "' has " + (distinct == 1 ? "one value" : "no values")
              + " in the labelled rows; cross-validation needs at least 2 folds");
        }
        plan.foldValues = distinct;
      } else {
        int k = Math.max(2, settings.nfolds());
        long holdoutGroups = settings.holdoutFraction() > 0 ? Math.max(1, Math.round(settings.holdoutFraction() * distinct)) : 0;
        if (distinct < 2 || distinct - holdoutGroups < (settings.nfolds() >= 2 ? k : 1)) {
          throw new AutoMLInputException("group column '" + split + "' has " + (distinct == 1 ? "one group" : distinct + " groups")
              + " in the labelled rows; " + (settings.nfolds() >= 2 ? k + "-fold cross-validation" : "training")
              + (holdoutGroups > 0 ? " with a holdout of " + holdoutGroups + (holdoutGroups == 1 ? " group" : " groups") : "")
              + " needs at least " + ((settings.nfolds() >= 2 ? k : 1) + holdoutGroups) + " groups");
        }
        plan.groups = distinct;
      }
    }
    if (plan.inputRows == 0) throw new AutoMLInputException("the input has no rows");
    if (plan.labelledRows == 0) {
      throw new AutoMLInputException("label column '" + plan.label + "' is null in all "
          + plan.inputRows + " rows");
    }
    List<String> usable = new ArrayList<>();
    for (int i = 0; i < plan.features.size(); i++) {
      if (counts.getLong(2 + i) > 0) usable.add(plan.features.get(i));
      else plan.warnings.add("column '" + plan.features.get(i) + "' is null in every row: not used");
    }
    plan.features = usable;
    if (plan.features.isEmpty()) {
      throw new AutoMLInputException("no usable feature columns: besides label '" + plan.label + "'"
          + (plan.weight != null ? " and weight '" + plan.weight + "'" : "")
          + " the input has " + (candidates.size() <= 1 ? "no other columns"
              : "only ignored or all-null columns") + " (columns: "
          + String.join(", ", data.columns()) + ")");
    }

    plan.type = settings.problemType();
    if (plan.type == ProblemType.REGRESSION && !(labelType instanceof NumericType)) {
      throw new AutoMLInputException("label column '" + plan.label + "' is "
          + labelType.simpleString() + "; regression needs a numeric label");
    }
    Dataset<Row> labelled = data.filter(quoted(plan.label).isNotNull());
    if (plan.type == null || plan.type.isClassification()) {
      List<Row> classes = labelled.groupBy(quoted(plan.label).cast("string"))
          .count().limit(MAX_CLASSES + 1).collectAsList();
      int k = classes.size();
      boolean numeric = labelType instanceof NumericType;
      if (plan.type == null) {
        if (numeric) plan.type = k <= 2 ? ProblemType.BINOMIAL : ProblemType.REGRESSION;
        else plan.type = k <= 2 ? ProblemType.BINOMIAL : ProblemType.MULTINOMIAL;
      }
      if (plan.type.isClassification()) {
        if (k < 2) {
          throw new AutoMLInputException("label column '" + plan.label + "' has only one class ('"
              + classes.get(0).getString(0) + "' in " + plan.labelledRows
              + " rows); classification needs at least two");
        }
        if (k > MAX_CLASSES) {
          throw new AutoMLInputException("label column '" + plan.label + "' has more than "
              + MAX_CLASSES + " classes; use regression for a numeric label");
        }
        if (plan.type == ProblemType.BINOMIAL && k > 2) {
          throw new AutoMLInputException("problem type binomial, but label column '" + plan.label
              + "' has " + k + " classes");
        }
        if (plan.type == ProblemType.MULTINOMIAL && k == 2) plan.type = ProblemType.BINOMIAL;
        plan.classes = classes.stream().map(r -> r.getString(0)).sorted().toList();
        if (plan.type == ProblemType.BINOMIAL) choosePositiveClass(plan, classes);
      }
    }
    if (plan.type == ProblemType.REGRESSION) {
      Row mm = labelled.agg(org.apache.spark.sql.functions.min(quoted(plan.label)).cast("double"),
          org.apache.spark.sql.functions.max(quoted(plan.label)).cast("double")).first();
      if (mm.getDouble(0) == mm.getDouble(1)) {
        throw new AutoMLInputException("label column '" + plan.label + "' has only one value ("
            + mm.getDouble(0) + "); there is nothing to predict");
      }
    }
    if (plan.labelledRows < plan.inputRows) {
      plan.warnings.add((plan.inputRows - plan.labelledRows) + " rows without a label: not used");
    }

    List<Column> select = new ArrayList<>();
    for (String f : plan.features) select.add(quoted(f));
    select.add(plan.type.isClassification()
        ? quoted(plan.label).cast("string").as(plan.label) : quoted(plan.label).as(plan.label));
    if (plan.weight != null) select.add(quoted(plan.weight));
    if (plan.foldCol != null) select.add(quoted(plan.foldCol).cast("string").as(SPLIT));
    if (plan.groupCol != null) select.add(quoted(plan.groupCol).cast("string").as(SPLIT));
    plan.selected = labelled.select(select.toArray(new Column[0]));
    return plan;
  }

  /**
   * The class precision, recall and F1 describe: the one asked for (as the label reads, or a
   * number equal to it), else the minority class; on a tie, the second in sorted order, which
   * is the one H2O calls positive.
   */
  private void choosePositiveClass(Plan plan, List<Row> classCounts) {
    String asked = settings.positiveClass();
    if (asked != null) {
      String found = null;
      for (String c : plan.classes) if (c.equals(asked)) found = c;
      if (found == null) for (String c : plan.classes) if (sameNumber(c, asked)) found = c;
      if (found == null) {
        throw new AutoMLInputException("positive class '" + asked + "' is not a class of label '"
            + plan.label + "'; the classes are " + String.join(", ", plan.classes));
      }
      plan.positiveClass = found;
      plan.positiveClassReason = "as asked";
      return;
    }
    long total = 0;
    for (Row r : classCounts) total += r.getLong(1);
    Row minority = null;
    for (Row r : classCounts) {
      if (minority == null || r.getLong(1) < minority.getLong(1)
          || (r.getLong(1) == minority.getLong(1) && r.getString(0).compareTo(minority.getString(0)) > 0)) {
        minority = r;
      }
    }
    plan.positiveClass = minority.getString(0);
    plan.positiveClassReason = String.format(java.util.Locale.ROOT, "the minority class: %d of %d labelled rows (%.1f%%)",
        minority.getLong(1), total, 100.0 * minority.getLong(1) / total);
  }

  private static boolean sameNumber(String a, String b) {
    try {
      return new java.math.BigDecimal(a.trim()).compareTo(new java.math.BigDecimal(b.trim())) == 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Finds a column by exact name, else ignoring case; fails naming it and the columns there are. */
  private static String resolve(Dataset<Row> data, String name, String what) {
    for (String c : data.columns()) if (c.equals(name)) return c;
    for (String c : data.columns()) if (c.equalsIgnoreCase(name)) return c;
    throw new AutoMLInputException(what + " '" + name + "' does not exist; the columns are "
        + String.join(", ", data.columns()));
  }

  /** A column reference that survives dots and spaces in names. */
  static Column quoted(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }

  // ---------------------------------------------------------------- sampling and splitting

  /**
   * Marks each labelled row held out or not and gives it its fold ({@link #FOLD_COL}, for the
   * training rows) and its fold among all rows ({@link #ALL_FOLD_COL}, for an ensemble's refit):
   * <ul>
   *   <li>by default at random, stratified for classification: within each class rows in random
   *       order, the first round(h * n_class) held out and the rest dealt to the folds in turn;
   *   <li>with a group column, whole groups: groups in a random order (a seeded hash), the first
   *       round(h * groups) held out and the rest dealt to the folds in turn;
   *   <li>with a fold column, the holdout as by default and the folds as the column says.
   * </ul>
   */
  private Dataset<Row> split(Plan plan) {
    Dataset<Row> d = plan.selected;
    double s = settings.sample();
    if (s > 0 && s < 1) {
      d = d.sample(false, s, plan.seed);
    } else if (s > 1 && s < plan.labelledRows) {
      double f = Math.min(1.0, 1.1 * s / plan.labelledRows);
      d = d.sample(false, f, plan.seed).withColumn(U, rand(plan.seed + 7))
          .orderBy(U).limit((int) s).drop(U);
    }
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
      WindowSpec byClass = Window.partitionBy(quoted(plan.label));
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
   * The labelled rows as the job splits them, for tests: the selected columns, {@code holdout},
   * {@link #FOLD_COL}, {@link #ALL_FOLD_COL} and the fold or group value as {@code split}.
   */
  Dataset<Row> splits(Dataset<Row> data) {
    Plan plan = validate(data);
    return split(plan).withColumnRenamed(HOLD, "holdout").withColumnRenamed(SPLIT, "split").drop(U, RN, CNT);
  }

  // ---------------------------------------------------------------- H2O AutoML

  private AutoMLBuildSpec buildSpec(Plan plan, Frame train, String project, double runtimeSecs) {
    AutoMLBuildSpec spec = new AutoMLBuildSpec();
    spec.input_spec.training_frame = train._key;
    spec.input_spec.response_column = plan.label;
    spec.input_spec.weights_column = plan.weight;
    if (settings.nfolds() >= 2) spec.input_spec.fold_column = FOLD_COL;
    if (!"AUTO".equals(settings.sortMetric())) {
      spec.input_spec.sort_metric = settings.sortMetric().toLowerCase(Locale.ROOT);
    }
    spec.build_control.project_name = project;
    spec.build_control.nfolds = 0; // folds come from the fold column (or there is no CV)
    spec.build_control.balance_classes = settings.balanceClasses();
    AutoMLBuildSpec.AutoMLStoppingCriteria stop = spec.build_control.stopping_criteria;
    stop.set_seed(plan.seed);
    stop.set_max_models(settings.maxModels());
    stop.set_max_runtime_secs(runtimeSecs);
    stop.set_max_runtime_secs_per_model(settings.maxRuntimeSecsPerModel());
    stop.set_stopping_rounds(settings.stoppingRounds());
    if (settings.stoppingTolerance() > 0) stop.set_stopping_tolerance(settings.stoppingTolerance());
    if (!"AUTO".equals(settings.stoppingMetric())) {
      stop.set_stopping_metric(stoppingMetric(settings.stoppingMetric()));
    }
    OmeletSteps.register();
    spec.build_models.modeling_plan = ModelingPlan.steps(runtimeSecs > 0);
    if (settings.exploitationRatio() >= 0) spec.build_models.exploitation_ratio = settings.exploitationRatio();
    if (!settings.includeAlgos().isEmpty()) spec.build_models.include_algos = algos(settings.includeAlgos());
    if (!settings.excludeAlgos().isEmpty()) spec.build_models.exclude_algos = algos(settings.excludeAlgos());
    return spec;
  }

  private static ScoreKeeper.StoppingMetric stoppingMetric(String name) {
    for (ScoreKeeper.StoppingMetric m : ScoreKeeper.StoppingMetric.values()) {
      if (m.name().equalsIgnoreCase(name)) return m;
    }
    throw new AutoMLInputException("unknown stoppingMetric '" + name + "'");
  }

  private static Algo[] algos(List<String> names) {
    return names.stream().map(Algo::valueOf).toArray(Algo[]::new);
  }

  // ---------------------------------------------------------------- refit

  /**
   * The leader refit on every labelled row; {@link LeaderRefit.Skipped} when the budget cannot
   * hold it or it fails. The frame and every model it made are removed again; only the MOJO stays.
   */
  private Refit refitLeader(Model<?, ?, ?> leader, Dataset<Row> tagged, Plan plan, String project,
      long usedRows, long trainRows, long t0) {
    long start = System.currentTimeMillis();
    long deadline = settings.maxRuntimeSecs() > 0 ? t0 + Math.round(settings.maxRuntimeSecs() * 1000) : Long.MAX_VALUE;
    long estimate = LeaderRefit.estimateMs(leader, (double) usedRows / Math.max(1, trainRows));
    checkRefitBudget(leader._key.toString(), usedRows, estimate, start, deadline, settings.maxRuntimeSecs());
    progress(AutoMLListener.Phase.REFITTING, 97, "refitting " + leader._key + " on all " + usedRows + " rows");
    boolean cv = settings.nfolds() >= 2;
    Dataset<Row> allDf = tagged.orderBy(col(U)).drop(U, RN, CNT, HOLD, SPLIT);
    allDf = cv ? allDf.drop(FOLD_COL).withColumnRenamed(ALL_FOLD_COL, FOLD_COL) : allDf;
    Frame all = null;
    LeaderRefit refit = null;
    try {
      all = engine.toH2OFrame(allDf, Key.make(project + "_all"));
      refit = new LeaderRefit(all, cv ? FOLD_COL : null, deadline, () -> {
        engine.checkHealthy();
        return cancelled;
      });
      Model<?, ?, ?> m = refit.refit(leader);
      ModelResult r = collect(m, 0, all.numRows(), leader._key.toString(), null, plan);
      if (!r.hasMojo()) throw new LeaderRefit.Skipped("the refit of " + leader._key + " has no MOJO: " + r.error());
      return new Refit(r, leader._key.toString(), all.numRows(), System.currentTimeMillis() - start);
    } catch (RuntimeException e) {
      if (e instanceof LeaderRefit.Skipped || e instanceof AutoMLCancelledException
          || e instanceof io.omelet.automl.engine.H2OCloudLostException) throw e;
      LOG.warn("refit of {} failed", leader._key, e);
      throw new LeaderRefit.Skipped("refitting " + leader._key + " failed: " + e);
    } finally {
      if (engine.usable()) {
        if (refit != null) refit.cleanUp(null);
        if (all != null) all.delete();
      }
    }
  }

  /** Fails with {@link LeaderRefit.Skipped} when the refit's estimate does not fit before the deadline. */
  static void checkRefitBudget(String leaderId, long rows, long estimateMs, long now, long deadline, double budgetSecs) {
    if (deadline != Long.MAX_VALUE && now + estimateMs > deadline) {
      throw new LeaderRefit.Skipped(String.format(Locale.ROOT,
          "the time budget is too small to refit %s on all %d rows: it needs about %.0f s, %.0f s of maxRuntimeSecs %.0f are left",
          leaderId, rows, estimateMs / 1000.0, Math.max(0, deadline - now) / 1000.0, budgetSecs));
    }
  }

  // ---------------------------------------------------------------- collecting

  /** model_id to {column: value} from H2O's leaderboard table with all extensions. */
  private static Map<String, Map<String, Object>> leaderboardTable(Leaderboard lb) {
    TwoDimTable t = lb.toTwoDimTable(hex.leaderboard.LeaderboardExtensionsProvider.ALL);
    String[] cols = t.getColHeaders();
    int idCol = Arrays.asList(cols).indexOf("model_id");
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (int r = 0; r < t.getRowDim(); r++) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int c = 0; c < cols.length; c++) row.put(cols[c], t.get(r, c));
      String id = idCol >= 0 ? String.valueOf(t.get(r, idCol)) : lb.getModelKeys()[r].toString();
      out.put(id, row);
    }
    return out;
  }

  private ModelResult collect(Model<?, ?, ?> model, int rank, long trainingRows, String refitOf,
      Map<String, Object> lbRow, Plan plan) {
    String id = model._key.toString();
    List<String> errors = new ArrayList<>();
    Map<String, Double> lbMetrics = new LinkedHashMap<>();
    long trainingMs = model._output._run_time;
    double predictMs = Double.NaN;
    if (lbRow != null) {
      for (Map.Entry<String, Object> e : lbRow.entrySet()) {
        String k = e.getKey();
        Object v = e.getValue();
        if (k.equals("training_time_ms") && v instanceof Number n) trainingMs = n.longValue();
        else if (k.equals("predict_time_per_row_ms") && v instanceof Number n) predictMs = n.doubleValue();
        else if (v instanceof Number n && !k.equals("model_id")) lbMetrics.put(k, n.doubleValue());
      }
    }
    byte[] mojo = null;
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      model.getMojo().writeTo(out);
      mojo = MojoModel.withTrainingInfo(out.toByteArray(), id, trainingRows, refitOf);
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("no MOJO for {}", id, e);
      errors.add("MOJO export failed: " + e);
    }
    List<VariableImportance> varimp = List.of();
    try {
      varimp = variableImportance(model);
    } catch (RuntimeException e) {
      errors.add("variable importance unavailable: " + e);
    }
    return new ModelResult(id, model._parms.algoName().toLowerCase(Locale.ROOT), rank, trainingRows,
        params(model._parms), lbMetrics, metrics(model._output._cross_validation_metrics),
        metrics(model._output._training_metrics), null, varimp, trainingMs, predictMs, MojoZip.of(mojo),
        errors.isEmpty() ? null : String.join("; ", errors));
  }

  /** The model's actual parameters: public fields of its Parameters class, as text. */
  static Map<String, String> params(Model.Parameters p) {
    Map<String, String> out = new TreeMap<>();
    for (Class<?> c = p.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        int mod = f.getModifiers();
        if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || !Modifier.isPublic(mod)) continue;
        String name = f.getName().startsWith("_") ? f.getName().substring(1) : f.getName();
        if (out.containsKey(name) || name.equals("train") || name.equals("valid")) continue;
        try {
          Object v = f.get(p);
          if (v == null) continue;
          out.put(name, text(v));
        } catch (IllegalAccessException | RuntimeException e) {
          // a field we cannot read is simply not reported
        }
      }
    }
    return out;
  }

  private static String text(Object v) {
    if (v instanceof Object[] a) return Arrays.deepToString(a);
    if (v instanceof double[] a) return Arrays.toString(a);
    if (v instanceof float[] a) return Arrays.toString(a);
    if (v instanceof int[] a) return Arrays.toString(a);
    if (v instanceof long[] a) return Arrays.toString(a);
    if (v instanceof boolean[] a) return Arrays.toString(a);
    if (v instanceof byte[] a) return Arrays.toString(a);
    return String.valueOf(v);
  }

  static Map<String, Double> metrics(ModelMetrics mm) {
    Map<String, Double> m = new LinkedHashMap<>();
    if (mm == null) return m;
    if (mm instanceof ModelMetricsBinomial b) {
      m.put("auc", b.auc());
      m.put("aucpr", b.pr_auc());
      m.put("logloss", b.logloss());
      m.put("mean_per_class_error", b.mean_per_class_error());
    } else if (mm instanceof ModelMetricsMultinomial mn) {
      m.put("logloss", mn.logloss());
      m.put("mean_per_class_error", mn.mean_per_class_error());
    } else if (mm instanceof ModelMetricsRegression r) {
      m.put("mae", r.mae());
      m.put("rmsle", r.rmsle());
      m.put("mean_residual_deviance", r.mean_residual_deviance());
    }
    if (mm instanceof ModelMetricsSupervised s && mm instanceof ModelMetricsRegression) {
      m.put("r2", s.r2());
    }
    m.put("rmse", mm.rmse());
    m.put("mse", mm.mse());
    return m;
  }

  static List<VariableImportance> variableImportance(Model<?, ?, ?> model) {
    TwoDimTable t;
    try {
      Field f = model._output.getClass().getField("_variable_importances");
      t = (TwoDimTable) f.get(model._output);
    } catch (NoSuchFieldException e) {
      return List.of();
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
    if (t == null) return List.of();
    String[] vars = t.getRowHeaders();
    List<VariableImportance> out = new ArrayList<>(vars.length);
    for (int r = 0; r < vars.length; r++) {
      out.add(new VariableImportance(vars[r], num(t.get(r, 0)), num(t.get(r, 1)), num(t.get(r, 2))));
    }
    out.sort((a, b) -> Double.compare(b.relativeImportance(), a.relativeImportance()));
    return Collections.unmodifiableList(out);
  }

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  // ---------------------------------------------------------------- holdout

  private static HoldoutMetrics evaluate(ModelResult r, Dataset<Row> holdout, Plan plan) {
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

  // ---------------------------------------------------------------- plumbing

  /** "N models done" (of the cap, when there is one), as the leaderboard holds them now. */
  private String modelsDone(AutoML aml) {
    int n = 0, ensembles = 0;
    try {
      Leaderboard lb = aml.leaderboard();
      if (lb != null) {
        for (Key<hex.Model> k : lb.getModelKeys()) {
          // maxModels does not count stacked ensembles, so neither does "of N"
          if (k.toString().startsWith("StackedEnsemble")) ensembles++;
          else n++;
        }
      }
    } catch (RuntimeException e) {
      return "training"; // the leaderboard is being updated; the next poll reads it
    }
    int cap = settings.maxModels();
    return n + (cap > 0 ? " of " + cap : "") + (n == 1 && cap <= 1 ? " model" : " models") + " done"
        + (ensembles > 0 ? " (+" + ensembles + (ensembles == 1 ? " ensemble)" : " ensembles)") : "");
  }

  private void progress(AutoMLListener.Phase phase, double percent, String message) {
    for (AutoMLListener l : listeners) l.onProgress(phase, Math.min(100, Math.max(0, percent)), message);
  }

  /**
   * After a stop, the AutoML job can end before the model it was building has noticed: wait (a
   * bounded time) for the engine's running jobs to end, so the training frame is not removed
   * under them.
   */
  private static void awaitModelJobs(long timeoutMs) {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      boolean any = false;
      for (Job<?> j : Job.jobs()) {
        if (j.isRunning()) any = true; // others' jobs are not ours to stop: only wait
      }
      if (!any) return;
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Warnings and errors of AutoML's event log, as "stage: message". */
  private static List<String> engineMessages(AutoML aml) {
    List<String> out = new ArrayList<>();
    try {
      ai.h2o.automl.events.EventLog log = aml.eventLog();
      if (log == null || log._events == null) return out;
      for (ai.h2o.automl.events.EventLogEntry<?> e : log._events) {
        if (e.getLevel() == water.logging.LoggingLevel.WARN
            || e.getLevel() == water.logging.LoggingLevel.ERROR) {
          out.add(e.getLevel() + " " + e.getStage() + ": " + e.getMessage());
        }
      }
    } catch (RuntimeException e) {
      out.add("event log unavailable: " + e);
    }
    return List.copyOf(out);
  }

  /** Asks H2O to stop; false if it could not yet (a job that has not really started). */
  private static boolean stopQuietly(AutoML aml) {
    try {
      aml.stop();
      return true;
    } catch (RuntimeException e) {
      LOG.debug("AutoML not stoppable yet: {}", e.toString());
      return false;
    }
  }

  private void checkCancelled() {
    if (cancelled) throw new AutoMLCancelledException("AutoML job cancelled");
  }

  /** Frees the engine's memory: the models live on as MOJOs in the result. */
  private static void cleanUp(AutoML aml, Frame train) {
    try {
      if (aml != null) {
        Leaderboard lb = aml.leaderboard();
        if (lb != null) {
          for (Key<Model> k : lb.getModelKeys()) {
            Model<?, ?, ?> m = k.get();
            if (m != null) m.delete();
          }
        }
        aml.remove();
      }
    } catch (RuntimeException e) {
      LOG.warn("could not remove AutoML {} from H2O", aml.projectName(), e);
    }
    try {
      if (train != null) train.delete();
    } catch (RuntimeException e) {
      LOG.warn("could not remove the training frame from H2O", e);
    }
  }
}
