package io.omelet.tuning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;

/** The stages of an estimator that may be a pipeline (nested ones too), and how messages name them. */
final class PipelineStages {
  private PipelineStages() {}

  /** {@code s} and, for a pipeline, its stages (nested too), by uid. */
  static void collect(PipelineStage s, Map<String, PipelineStage> out) {
    if (s == null || out.containsKey(s.uid())) return;
    out.put(s.uid(), s);
    if (s instanceof Pipeline p && p.isDefined(p.stages())) for (PipelineStage c : p.getStages()) collect(c, out);
  }

  /** {@code s} and its stages in pipeline order. */
  static List<PipelineStage> of(PipelineStage s) {
    Map<String, PipelineStage> out = new LinkedHashMap<>();
    collect(s, out);
    return new ArrayList<>(out.values());
  }

  static String name(PipelineStage s) {
    return s == null ? "null" : s.getClass().getSimpleName() + " " + s.uid();
  }

  /** A pipeline's stages by name, else the stage's own name. */
  static String names(PipelineStage s) {
    if (!(s instanceof Pipeline p) || !p.isDefined(p.stages())) return name(s);
    List<String> out = new ArrayList<>();
    for (PipelineStage c : p.getStages()) out.add(name(c));
    return String.join(", ", out);
  }

  /** A uid without its random suffix: the stage's type ({@code gbtc} of {@code gbtc_1a2b}). */
  static String uidPrefix(String uid) {
    int i = uid.lastIndexOf('_');
    return i > 0 ? uid.substring(0, i) : uid;
  }
}
