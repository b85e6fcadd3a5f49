package io.omelet.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.Param;

/**
 * A {@link TunerSpace} as JSON: the core space ({@link SpaceJson}), and per parameter the stage uid and
 * Param name it sets, per choice each option's stage uid. Reading binds them to given stages again.
 */
final class TunerSpaceJson {
  private TunerSpaceJson() {}

  static String write(TunerSpace space) {
    ObjectNode o = SpaceJson.JSON.createObjectNode();
    o.set("space", SpaceJson.toNode(space.space()));
    ObjectNode ps = o.putObject("params");
    space.params().forEach((k, p) -> ps.putObject(k).put("stage", p.parent()).put("param", p.name()));
    ObjectNode cs = o.putObject("choices");
    space.choices().forEach((k, opts) -> {
      ObjectNode c = cs.putObject(k);
      opts.forEach((name, s) -> c.put(name, s.uid()));
    });
    return o.toString();
  }

  /** Only the core space (no stages needed); also a bare core space's JSON. */
  static SearchSpace readCore(String json) {
    JsonNode n = parse(json);
    return SpaceJson.fromNode(n.has("space") ? n.get("space") : n);
  }

  /**
   * Each Param is found by its stage's uid, or else by the uid's prefix (the stage's type, e.g. gbtc)
   * when exactly one given stage has it.
   */
  static TunerSpace read(String json, PipelineStage... stages) {
    JsonNode n = parse(json);
    SearchSpace core = SpaceJson.fromNode(n.get("space"));
    Map<String, PipelineStage> reachable = new LinkedHashMap<>();
    for (PipelineStage s : stages) PipelineStages.collect(s, reachable);
    Map<String, Param<?>> params = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("params").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      PipelineStage s = find(reachable, e.getValue().path("stage").asText(), e.getKey());
      String param = e.getValue().path("param").asText();
      if (!s.hasParam(param)) {
        throw new IllegalArgumentException("parameter " + e.getKey() + ": " + PipelineStages.name(s) + " has no Param " + param);
      }
      params.put(e.getKey(), s.getParam(param));
    }
    Map<String, Map<String, PipelineStage>> choices = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("choices").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Map<String, PipelineStage> opts = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> o = e.getValue().fields(); o.hasNext(); ) {
        Map.Entry<String, JsonNode> opt = o.next();
        opts.put(opt.getKey(), find(reachable, opt.getValue().asText(), e.getKey() + "=" + opt.getKey()));
      }
      choices.put(e.getKey(), opts);
    }
    for (Parameter p : core.allParameters()) {
      if (!params.containsKey(p.name()) && !choices.containsKey(p.name())) {
        throw new IllegalArgumentException("parameter " + p.name() + " is not bound to a Param or a choice");
      }
    }
    return new TunerSpace(core, params, choices);
  }

  private static JsonNode parse(String json) {
    try {
      return SpaceJson.JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a tuning space in JSON: " + e.getMessage(), e);
    }
  }

  private static PipelineStage find(Map<String, PipelineStage> reachable, String uid, String what) {
    PipelineStage s = reachable.get(uid);
    if (s != null) return s;
    String prefix = PipelineStages.uidPrefix(uid);
    List<PipelineStage> same = new ArrayList<>();
    for (PipelineStage r : reachable.values()) if (PipelineStages.uidPrefix(r.uid()).equals(prefix)) same.add(r);
    if (same.size() == 1) return same.get(0);
    Set<String> uids = new LinkedHashSet<>(reachable.keySet());
    throw new IllegalArgumentException(what + ": no stage " + uid + (same.size() > 1 ? " and several of its type " + prefix : "")
        + " among the given stages " + uids);
  }
}
