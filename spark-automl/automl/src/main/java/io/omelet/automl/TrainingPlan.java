package io.omelet.automl;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import io.omelet.automl.engine.SparkToH2O;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

/**
 * What validating a job's input learned: the label as found, the problem type (given or detected),
 * the usable features, the classes and the positive class, the fold or group column, row counts,
 * the seed in force and warnings; and the labelled rows with only those columns ({@link #selected}).
 */
final class TrainingPlan {
  static final int MAX_CLASSES = 1000;

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

  private TrainingPlan() {}

  /**
   * Checks {@code data} against {@code settings} (clear errors before any training) and learns
   * what to train on; one Spark job for the counts, one for the classes.
   *
   * @throws AutoMLInputException for input AutoML cannot train on
   */
  static TrainingPlan validate(Dataset<Row> data, AutoMLRunSettings settings) {
    TrainingPlan plan = new TrainingPlan();
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
        data.select(used.stream().map(TrainingPlan::quoted).toArray(Column[]::new)).schema());
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
        if (plan.type == ProblemType.BINOMIAL) plan.choosePositiveClass(classes, settings.positiveClass());
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
    if (plan.foldCol != null) select.add(quoted(plan.foldCol).cast("string").as(DataSplit.SPLIT));
    if (plan.groupCol != null) select.add(quoted(plan.groupCol).cast("string").as(DataSplit.SPLIT));
    plan.selected = labelled.select(select.toArray(new Column[0]));
    return plan;
  }

  /**
   * The class precision, recall and F1 describe: the one asked for (as the label reads, or a
   * number equal to it), else the minority class; on a tie, the second in sorted order, which
   * is the one H2O calls positive.
   */
  private void choosePositiveClass(List<Row> classCounts, String asked) {
    if (asked != null) {
      String found = null;
      for (String c : classes) if (c.equals(asked)) found = c;
      if (found == null) for (String c : classes) if (sameNumber(c, asked)) found = c;
      if (found == null) {
        throw new AutoMLInputException("positive class '" + asked + "' is not a class of label '"
            + label + "'; the classes are " + String.join(", ", classes));
      }
      positiveClass = found;
      positiveClassReason = "as asked";
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
    positiveClass = minority.getString(0);
    positiveClassReason = String.format(java.util.Locale.ROOT, "the minority class: %d of %d labelled rows (%.1f%%)",
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
}
