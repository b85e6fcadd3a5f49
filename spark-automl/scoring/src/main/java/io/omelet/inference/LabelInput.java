package io.omelet.inference;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;

/**
 * A labels input brought to the inference table's key and types: {@code request_id} (text),
 * {@code row_index} (when a row column is given) and {@code label} typed as the table's. Each
 * column is found by its name (exactly, else ignoring case, as Spark resolves names) and must
 * have a type that converts without guessing; otherwise one line names the column and its type.
 *
 * <p>Whole numbers are accepted for ids (read from a CSV, ids of digits come as numbers) and are
 * compared as their text: an id written with leading zeros ({@code 007}) has lost them by then,
 * and shows up among the unknown ids.
 */
final class LabelInput {
  static final String ID = InferenceSchema.REQUEST_ID;
  static final String ROW = InferenceSchema.ROW_INDEX;
  static final String LABEL = InferenceSchema.LABEL;

  private LabelInput() {}

  /**
   * The labels as {@code request_id, [row_index,] label}; nulls are kept (they are counted, then left out).
   *
   * @param labelType the table's label type: string for a classifier, double for regression
   * @throws IllegalArgumentException naming the column that is missing or of the wrong type
   */
  static Dataset<Row> normalize(Dataset<Row> labels, String idCol, String labelCol, String rowCol,
      DataType labelType, String modelName) {
    String id = find(labels, idCol, "id");
    String label = find(labels, labelCol, "label");
    String row = rowCol == null ? null : find(labels, rowCol, "row");
    List<Column> cols = new ArrayList<>();
    cols.add(idColumn(labels, id));
    if (row != null) cols.add(rowColumn(labels, row));
    cols.add(labelColumn(labels, label, labelType, modelName));
    return labels.select(cols.toArray(new Column[0]));
  }

  private static Column idColumn(Dataset<Row> labels, String name) {
    DataType t = labels.schema().apply(name).dataType();
    if (t instanceof StringType || wholeNumber(t)) return column(name).cast(DataTypes.StringType).as(ID);
    throw new IllegalArgumentException("id column '" + name + "' is " + t.simpleString()
        + ": request ids are text (whole numbers are read as text)");
  }

  private static Column rowColumn(Dataset<Row> labels, String name) {
    DataType t = labels.schema().apply(name).dataType();
    if (t instanceof IntegralType) return column(name).cast(DataTypes.IntegerType).as(ROW);
    throw new IllegalArgumentException("row column '" + name + "' is " + t.simpleString()
        + ": a row index is a whole number (the row's position in its request, from 0)");
  }

  private static Column labelColumn(Dataset<Row> labels, String name, DataType tableType, String modelName) {
    DataType t = labels.schema().apply(name).dataType();
    if (tableType instanceof StringType) {
      if (t instanceof StringType || t instanceof IntegralType || t instanceof BooleanType) {
        return column(name).cast(DataTypes.StringType).as(LABEL);
      }
      throw new IllegalArgumentException("label column '" + name + "' is " + t.simpleString() + " but model '"
          + modelName + "' is a classifier: its labels are classes (text, whole numbers or booleans)");
    }
    if (t instanceof NumericType) return column(name).cast(DataTypes.DoubleType).as(LABEL);
    throw new IllegalArgumentException("label column '" + name + "' is " + t.simpleString() + " but model '"
        + modelName + "' is a regression model: its labels are numbers");
  }

  /** The column's real name: {@code wanted} exactly, else the one column equal to it ignoring case. */
  private static String find(Dataset<Row> labels, String wanted, String role) {
    if (wanted == null || wanted.isBlank()) throw new IllegalArgumentException("no " + role + " column given");
    String[] names = labels.columns();
    for (String c : names) if (c.equals(wanted)) return c;
    String found = null;
    for (String c : names) {
      if (c.toLowerCase(Locale.ROOT).equals(wanted.toLowerCase(Locale.ROOT))) {
        if (found != null) {
          throw new IllegalArgumentException("the labels have two columns named '" + wanted + "' ignoring case: '"
              + found + "' and '" + c + "'");
        }
        found = c;
      }
    }
    if (found != null) return found;
    List<String> shown = Arrays.asList(names).subList(0, Math.min(20, names.length));
    throw new IllegalArgumentException("the labels have no " + role + " column '" + wanted + "'; their columns: "
        + String.join(", ", shown) + (names.length > shown.size() ? ", ..." : ""));
  }

  private static boolean wholeNumber(DataType t) {
    return t instanceof IntegralType || (t instanceof DecimalType d && d.scale() == 0);
  }

  /** A column by its exact name, whatever characters it holds. */
  static Column column(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }
}
