package io.omelet.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.omelet.http.HttpError;
import io.omelet.http.Request;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One MLflow API call's parameters, read as MLflow's server reads them: from the query string of
 * a GET (or DELETE), from the JSON body otherwise, snake_case names, proto2 defaults for what is
 * missing. Wrong types and missing required fields are INVALID_PARAMETER_VALUE, as MLflow says them.
 */
final class MlflowRequest {
  private final Request request;
  private final JsonNode body;

  MlflowRequest(Request request) {
    this.request = request;
    this.body = request.body().length == 0 ? null : request.json();
    if (body != null && !body.isObject()) throw invalid("the request body must be a JSON object");
  }

  static HttpError invalid(String message) {
    return new HttpError(400, MlflowErrors.INVALID_PARAMETER_VALUE, message);
  }

  private JsonNode field(String name) {
    if (body != null && body.has(name) && !body.get(name).isNull()) return body.get(name);
    return null;
  }

  /** A string field, or null when absent (numbers and booleans are taken as their text, as protobuf's parser does). */
  String string(String name) {
    JsonNode n = field(name);
    if (n != null) {
      if (!n.isValueNode()) throw invalid("Invalid value for parameter '" + name + "': expected a string, got " + n.getNodeType());
      return n.asText();
    }
    return request.query(name);
  }

  /** The first of several names that is set (MLflow keeps deprecated aliases such as run_uuid). */
  String string(String name, String alias) {
    String v = string(name);
    return v == null || v.isEmpty() ? string(alias) : v;
  }

  String required(String name) {
    String v = string(name);
    if (v == null || v.isEmpty()) throw missing(name);
    return v;
  }

  String required(String name, String alias) {
    String v = string(name, alias);
    if (v == null || v.isEmpty()) throw missing(name);
    return v;
  }

  static HttpError missing(String name) {
    return invalid("Missing value for required parameter '" + name
        + "'. See the API docs for more information about request parameters.");
  }

  Long longValue(String name) {
    JsonNode n = field(name);
    String text = n != null ? n.asText() : request.query(name);
    if (text == null || text.isEmpty()) return null;
    if (n != null && n.isIntegralNumber()) return n.asLong();
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw invalid("Invalid value " + text + " for parameter '" + name + "' supplied: expected a whole number");
    }
  }

  long longValue(String name, long dflt) {
    Long v = longValue(name);
    return v == null ? dflt : v;
  }

  int intValue(String name, int dflt, int max) {
    Long v = longValue(name);
    if (v == null) return dflt;
    if (v < 1 || v > max) {
      throw invalid("Invalid value " + v + " for parameter '" + name + "' supplied: it must be between 1 and " + max);
    }
    return v.intValue();
  }

  /** A double; JSON numbers, NaN and the infinities (as bare words or strings), or their text in a query. */
  Double doubleValue(String name) {
    JsonNode n = field(name);
    String text = n != null ? n.asText() : request.query(name);
    if (text == null || text.isEmpty()) return null;
    if (n != null && n.isNumber()) return n.asDouble();
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw invalid("Invalid value " + text + " for parameter '" + name + "' supplied: expected a number");
    }
  }

  /** A repeated string field: a JSON array, or the query parameter repeated. */
  List<String> strings(String name) {
    JsonNode n = field(name);
    List<String> out = new ArrayList<>();
    if (n != null) {
      if (n.isArray()) {
        n.forEach(x -> out.add(x.asText()));
      } else {
        out.add(n.asText());
      }
      return out;
    }
    List<String> q = request.query().get(name);
    return q == null ? out : new ArrayList<>(q);
  }

  /** A repeated message field: the JSON objects of an array. */
  List<JsonNode> objects(String name) {
    JsonNode n = field(name);
    List<JsonNode> out = new ArrayList<>();
    if (n == null) return out;
    if (!n.isArray()) throw invalid("Invalid value for parameter '" + name + "': expected a list");
    for (JsonNode x : n) {
      if (!x.isObject()) throw invalid("Invalid value for parameter '" + name + "': expected a list of objects");
      out.add(x);
    }
    return out;
  }

  /** A list of {@code {"key": ..., "value": ...}} as a map, in order; a later key wins. */
  Map<String, String> keyValues(String name) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode kv : objects(name)) out.put(keyOf(kv, name), text(kv, "value"));
    return out;
  }

  static String keyOf(JsonNode kv, String list) {
    String key = text(kv, "key");
    if (key == null || key.isEmpty()) throw invalid("Invalid value for parameter '" + list + "': every entry needs a key");
    return key;
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
