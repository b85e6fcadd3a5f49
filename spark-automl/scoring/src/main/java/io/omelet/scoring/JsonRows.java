package io.omelet.scoring;

import io.omelet.common.FeatureCodec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the JSON rows of a {@code POST /predict} body into the model's row arrays, each value
 * coerced by the model's {@link FeatureCodec} (the rules Spark columns follow too). Fields match
 * features by name ignoring case; other fields are ignored.
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
      throw new RowException(400, -1, List.of(), "the body is a JSON " + FeatureCodec.jsonKind(body)
          + "; expected one row (an object), an array of rows or {\"rows\": [...]}");
    }
    if (arr.isEmpty()) throw new RowException(400, -1, List.of(), "no rows in the body");
    List<JsonNode> rows = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      JsonNode r = arr.get(i);
      if (!r.isObject()) {
        throw new RowException(400, i, List.of(), "row " + i + " is a JSON " + FeatureCodec.jsonKind(r)
            + "; each row must be an object of feature fields");
      }
      rows.add(r);
    }
    return rows;
  }

  /**
   * Fills {@code out} (length >= the model's features) from one row object, each value coerced by
   * the model's {@link FeatureCodec}. Fails with 422 naming every missing feature field (an
   * explicit null is present: it is a missing value the model handles), or the first field whose
   * value cannot be coerced.
   */
  static void fill(ServedModel model, JsonNode row, int rowIndex, double[] out) {
    FeatureCodec codec = model.codec;
    int n = codec.size();
    JsonNode[] values = new JsonNode[n];
    Iterator<Map.Entry<String, JsonNode>> fields = row.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      int f = codec.indexOf(e.getKey());
      if (f >= 0 && values[f] == null) values[f] = e.getValue();
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
      try {
        out[f] = codec.fromJson(f, values[f]);
      } catch (FeatureCodec.NotCoercible e) {
        String name = model.features[f];
        throw new RowException(422, rowIndex, List.of(name), "row " + rowIndex + ", field " + name
            + ": got " + e.value() + ", expected " + e.expected());
      }
    }
  }


  static double[] newRow(ServedModel model) {
    double[] r = new double[Math.max(model.features.length, model.mojo.genModel().getNames().length)];
    Arrays.fill(r, Double.NaN);
    return r;
  }
}
