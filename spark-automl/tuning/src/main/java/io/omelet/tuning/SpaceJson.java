package io.omelet.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link SearchSpace} and its {@link Trial}s as JSON, for saved tuner models, registry presets and
 * tracked runs. A parameter is {@code {"name", "type": "float"|"int"|"categorical", ...}}: floats carry
 * low, high, log; integers low, high, step, log; categoricals their choices (strings, numbers, booleans)
 * and, per choice that has a conditional branch, {@code "when": {"<choice index>": [parameters]}}.
 */
public final class SpaceJson {
  static final ObjectMapper JSON = new ObjectMapper();

  private SpaceJson() {}

  public static String toJson(SearchSpace space) {
    return toNode(space).toString();
  }

  public static ArrayNode toNode(SearchSpace space) {
    return params(space.parameters());
  }

  private static ArrayNode params(List<Parameter> ps) {
    ArrayNode a = JSON.createArrayNode();
    for (Parameter p : ps) a.add(param(p));
    return a;
  }

  private static ObjectNode param(Parameter p) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", p.name());
    if (p instanceof FloatParameter f) {
      o.put("type", "float").put("low", f.low()).put("high", f.high()).put("log", f.log());
    } else if (p instanceof IntParameter i) {
      o.put("type", "int").put("low", i.low()).put("high", i.high()).put("step", i.step()).put("log", i.log());
    } else {
      CategoricalParameter c = (CategoricalParameter) p;
      o.put("type", "categorical");
      ArrayNode choices = o.putArray("choices");
      for (Object v : c.choices()) choices.add(value(v));
      ObjectNode when = JSON.createObjectNode();
      for (int k = 0; k < c.size(); k++) {
        if (!c.children(k).isEmpty()) when.set(Integer.toString(k), params(c.children(k)));
      }
      if (when.size() > 0) o.set("when", when);
    }
    return o;
  }

  static JsonNode value(Object v) {
    if (v instanceof Integer i) return JSON.getNodeFactory().numberNode(i);
    if (v instanceof Long l) return JSON.getNodeFactory().numberNode(l);
    if (v instanceof Number n) return JSON.getNodeFactory().numberNode(n.doubleValue());
    if (v instanceof Boolean b) return JSON.getNodeFactory().booleanNode(b);
    if (v == null) return JSON.getNodeFactory().nullNode();
    return JSON.getNodeFactory().textNode(String.valueOf(v));
  }

  static Object fromValue(JsonNode n) {
    if (n == null || n.isNull()) return null;
    if (n.isInt()) return n.intValue();
    if (n.isIntegralNumber()) return n.longValue();
    if (n.isNumber()) return n.doubleValue();
    if (n.isBoolean()) return n.booleanValue();
    return n.asText();
  }

  public static SearchSpace fromJson(String json) {
    try {
      return fromNode(JSON.readTree(json));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not a search space in JSON: " + e.getMessage(), e);
    }
  }

  public static SearchSpace fromNode(JsonNode node) {
    if (node == null || !node.isArray()) throw new IllegalArgumentException("a search space in JSON is an array of parameters");
    return SearchSpace.of(readParams(node));
  }

  private static List<Parameter> readParams(JsonNode a) {
    List<Parameter> out = new ArrayList<>();
    for (JsonNode p : a) out.add(readParam(p));
    return out;
  }

  private static Parameter readParam(JsonNode o) {
    String name = o.path("name").asText(null);
    String type = o.path("type").asText("");
    switch (type) {
      case "float":
        return new FloatParameter(name, o.path("low").asDouble(), o.path("high").asDouble(), o.path("log").asBoolean());
      case "int":
        return new IntParameter(name, o.path("low").asInt(), o.path("high").asInt(), o.path("step").asInt(1),
            o.path("log").asBoolean());
      case "categorical": {
        List<Object> choices = new ArrayList<>();
        for (JsonNode c : o.path("choices")) choices.add(fromValue(c));
        CategoricalParameter c = Parameter.categorical(name, choices);
        JsonNode when = o.path("when");
        for (Iterator<String> it = when.fieldNames(); it.hasNext(); ) {
          String k = it.next();
          c = c.when(choices.get(Integer.parseInt(k)), readParams(when.get(k)).toArray(new Parameter[0]));
        }
        return c;
      }
      default:
        throw new IllegalArgumentException("parameter " + name + ": unknown type '" + type + "' (float, int, categorical)");
    }
  }

  /** Trials as a JSON array: number, state, value, intermediate values by step, params, start/end (ms), error. */
  public static ArrayNode trialsToNode(List<Trial> trials) {
    ArrayNode a = JSON.createArrayNode();
    for (Trial t : trials) {
      ObjectNode o = a.addObject();
      o.put("number", t.number()).put("state", t.state().name());
      if (Double.isFinite(t.value())) o.put("value", t.value());
      ObjectNode steps = o.putObject("intermediate");
      t.intermediateValues().forEach((k, v) -> {
        if (Double.isFinite(v)) steps.put(Integer.toString(k), v);
      });
      ObjectNode ps = o.putObject("params");
      t.params().forEach((k, v) -> ps.set(k, value(v)));
      o.put("start", t.start().toEpochMilli());
      if (t.end() != null) o.put("end", t.end().toEpochMilli());
      if (t.error() != null) o.put("error", t.error());
    }
    return a;
  }

  /** Trials read back; their params made canonical for {@code space}. */
  public static List<Trial> trialsFromNode(JsonNode a, SearchSpace space) {
    List<Trial> out = new ArrayList<>();
    for (JsonNode o : a) {
      Map<String, Object> params = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.path("params").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        Object v = fromValue(e.getValue());
        params.put(e.getKey(), space.contains(e.getKey()) ? space.parameter(e.getKey()).canonical(v) : v);
      }
      TreeMap<Integer, Double> steps = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.path("intermediate").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        steps.put(Integer.parseInt(e.getKey()), e.getValue().asDouble());
      }
      TrialState state = TrialState.valueOf(o.path("state").asText());
      Instant start = Instant.ofEpochMilli(o.path("start").asLong());
      Instant end = o.has("end") ? Instant.ofEpochMilli(o.path("end").asLong()) : null;
      out.add(new Trial(o.path("number").asInt(), params, state, o.has("value") ? o.path("value").asDouble() : Double.NaN,
          steps, start, end, o.has("error") ? o.path("error").asText() : null));
    }
    return out;
  }
}
