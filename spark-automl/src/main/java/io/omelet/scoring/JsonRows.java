package io.omelet.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the JSON rows of a {@code POST /predict} body into the model's row arrays, coercing values
 * as {@link FeatureBinding} does for Spark columns: level indexes for categoricals (an unknown
 * level or null is NaN, i.e. missing), doubles for numbers (a number written as a string is
 * parsed; null is missing). Fields match features by name ignoring case; other fields are ignored.
 */
final class JsonRows {
  private JsonRows() {}

  /** A request the server refuses, with its HTTP status and the fields at fault (may be empty). */
  static final class RowException extends RuntimeException {
    final int status;
    final int row;
    final List<String> fields;

    RowException(int status, int row, List<String> fields, String message) {
      super(message);
      this.status = status;
      this.row = row;
      this.fields = fields;
    }
  }

  /**
   * The rows of a body: one object (one row), an array of objects, or {@code {"rows": [...]}}.
   */
  static List<JsonNode> rows(JsonNode body) {
    JsonNode arr;
    if (body.isArray()) {
      arr = body;
    } else if (body.isObject()) {
      JsonNode wrapped = body.get("rows");
      if (wrapped != null && wrapped.isArray() && body.size() == 1) {
        arr = wrapped;
      } else {
        return List.of(body);
      }
    } else {
      throw new RowException(400, -1, List.of(), "the body is a JSON " + kind(body)
          + "; expected one row (an object), an array of rows or {\"rows\": [...]}");
    }
    if (arr.isEmpty()) throw new RowException(400, -1, List.of(), "no rows in the body");
    List<JsonNode> rows = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      JsonNode r = arr.get(i);
      if (!r.isObject()) {
        throw new RowException(400, i, List.of(), "row " + i + " is a JSON " + kind(r)
            + "; each row must be an object of feature fields");
      }
      rows.add(r);
    }
    return rows;
  }

  /**
   * Fills {@code out} (length >= the model's features) from one row object. Fails with 422 naming
   * every missing feature field (an explicit null is present: it is a missing value the model
   * handles), or the first field whose value has the wrong kind.
   */
  static void fill(ServedModel model, JsonNode row, int rowIndex, double[] out) {
    int n = model.features.length;
    JsonNode[] values = new JsonNode[n];
    Iterator<Map.Entry<String, JsonNode>> fields = row.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      Integer f = model.byLowerName.get(e.getKey().toLowerCase(Locale.ROOT));
      if (f != null && values[f] == null) values[f] = e.getValue();
    }
    List<String> missing = null;
    for (int f = 0; f < n; f++) {
      if (values[f] == null) {
        if (missing == null) missing = new ArrayList<>();
        missing.add(model.features[f]);
      }
    }
    if (missing != null) {
      throw new RowException(422, rowIndex, missing, "row " + rowIndex + ": missing feature field(s) "
          + String.join(", ", missing) + "; the model needs " + String.join(", ", model.features)
          + " (matched by name ignoring case; send null for a missing value)");
    }
    for (int f = 0; f < n; f++) {
      out[f] = model.categorical(f) ? level(model, f, values[f], rowIndex) : number(model, f, values[f], rowIndex);
    }
  }

  private static double number(ServedModel model, int f, JsonNode v, int rowIndex) {
    if (v.isNull()) return Double.NaN;
    if (v.isNumber()) return v.doubleValue();
    if (v.isBoolean()) return v.booleanValue() ? 1.0 : 0.0;
    if (v.isTextual()) {
      String s = v.textValue().trim();
      if (s.isEmpty()) return Double.NaN;
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        throw wrongKind(model, f, rowIndex, "the string \"" + abbreviate(v.textValue()) + "\"", "a number");
      }
    }
    throw wrongKind(model, f, rowIndex, "a JSON " + kind(v), "a number");
  }

  private static double level(ServedModel model, int f, JsonNode v, int rowIndex) {
    if (v.isNull()) return Double.NaN;
    String text;
    if (v.isTextual()) {
      text = v.textValue();
    } else if (v.isBoolean()) {
      text = v.booleanValue() ? "true" : "false";
    } else if (v.isIntegralNumber()) {
      text = v.asText();
    } else if (v.isNumber()) {
      double d = v.doubleValue();
      // 3.0 names the level "3" if the model has one, as FeatureBinding reads a double column.
      String asLong = d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : null;
      text = asLong != null && model.levels[f].containsKey(asLong) ? asLong : Double.toString(d);
    } else {
      throw wrongKind(model, f, rowIndex, "a JSON " + kind(v), "a level (a string)");
    }
    Integer idx = model.levels[f].get(text);
    return idx == null ? Double.NaN : idx;
  }

  private static RowException wrongKind(ServedModel model, int f, int rowIndex, String got, String expected) {
    String name = model.features[f];
    return new RowException(422, rowIndex, List.of(name), "row " + rowIndex + ", field " + name + ": got "
        + got + ", expected " + expected + (model.categorical(f) ? "" : " (or a numeric string, or null)"));
  }

  static String kind(JsonNode v) {
    return switch (v.getNodeType()) {
      case ARRAY -> "array";
      case OBJECT, POJO -> "object";
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      default -> v.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  static double[] newRow(ServedModel model) {
    double[] r = new double[Math.max(model.features.length, model.mojo.genModel().getNames().length)];
    Arrays.fill(r, Double.NaN);
    return r;
  }
}
