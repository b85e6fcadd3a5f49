package io.omelet.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omelet.common.NestedStages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import scala.Option;

/**
 * {@link TunerModel}'s writer and reader, laid out as Spark's CrossValidatorModel saves itself: the
 * settings in {@code metadata/}, the best model with its own writer under {@code bestModel/}, the space,
 * trials and best parameters as {@code tuning.json}, sub-models (when collected) under
 * {@code subModels/<trial>/<fold>}.
 */
final class TunerModelPersistence {
  private TunerModelPersistence() {}

  static final class Writer extends MLWriter {
    private final TunerModel model;

    Writer(TunerModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      if (!(model.bestModel() instanceof MLWritable)) {
        throw new IllegalStateException("the best model " + model.bestModel().getClass().getName() + " is not MLWritable");
      }
      TunerPersistence.saveMetadata(model, path, sc());
      NestedStages.save(model.bestModel(), path, "bestModel", "the tuner model");
      ObjectNode o = SpaceJson.JSON.createObjectNode();
      o.put("format", 1);
      o.put("direction", model.direction().name());
      o.put("metricName", model.metricName());
      o.put("seed", model.getSeed());
      try {
        o.set("tunerSpace", SpaceJson.JSON.readTree(model.spaceJson()));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      ObjectNode bp = o.putObject("bestParams");
      model.bestParams().forEach((k, v) -> bp.set(k, SpaceJson.value(v)));
      o.set("trials", SpaceJson.trialsToNode(model.trialList()));
      Model<?>[][] subModels = model.subModels().orElse(null);
      o.put("subModels", subModels != null);
      TunerPersistence.writeTuningJson(o, path, sc(), "the tuner model");
      if (subModels != null) {
        for (int i = 0; i < subModels.length; i++) {
          Model<?>[] folds = subModels[i];
          if (folds == null) continue;
          for (int f = 0; f < folds.length; f++) {
            if (folds[f] instanceof MLWritable) {
              NestedStages.save(folds[f], path, "subModels/" + model.trialList().get(i).number() + "/" + f, "the tuner model");
            }
          }
        }
      }
    }
  }

  static final class Reader extends MLReader<TunerModel> {
    @Override
    public TunerModel load(String path) {
      DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, sc(), TunerModel.class.getName());
      try {
        JsonNode o = TunerPersistence.readTuningJson(path, sc(), "a tuner model");
        Model<?> best = NestedStages.load(path, "bestModel", sc());
        String spaceJson = o.get("tunerSpace").toString();
        SearchSpace space = TunerSpace.coreSpaceFromJson(spaceJson);
        List<Trial> trials = SpaceJson.trialsFromNode(o.get("trials"), space);
        Map<String, Object> bestParams = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.path("bestParams").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          bestParams.put(e.getKey(), space.parameter(e.getKey()).canonical(SpaceJson.fromValue(e.getValue())));
        }
        Model<?>[][] sub = null;
        if (o.path("subModels").asBoolean()) {
          sub = new Model<?>[trials.size()][];
          for (int i = 0; i < trials.size(); i++) {
            List<Model<?>> folds = new ArrayList<>();
            for (int f = 0; ; f++) {
              String dir = "subModels/" + trials.get(i).number() + "/" + f;
              if (!NestedStages.exists(path, dir, sc())) break;
              folds.add(NestedStages.load(path, dir, sc()));
            }
            sub[i] = folds.isEmpty() ? null : folds.toArray(new Model<?>[0]);
          }
        }
        TunerModel m = new TunerModel(meta.uid(), best, spaceJson, trials, Direction.valueOf(o.get("direction").asText()),
            o.get("metricName").asText(), bestParams, paramMapOn(best, spaceJson, bestParams), sub, o.path("seed").asLong());
        meta.getAndSetParams(m, Option.empty());
        return m;
      } catch (IOException e) {
        throw new IllegalStateException("cannot load a tuner model from " + path + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * The best parameters as Params of the loaded best model's stages (a fitted stage keeps its estimator's
   * uid and, mostly, its Params); parameters no stage has are left out.
   */
  static ParamMap paramMapOn(Model<?> best, String spaceJson, Map<String, Object> bestParams) throws IOException {
    Map<String, Transformer> stages = new LinkedHashMap<>();
    collect(best, stages);
    ParamMap pm = new ParamMap();
    JsonNode bindings = SpaceJson.JSON.readTree(spaceJson).path("params");
    for (Map.Entry<String, Object> e : bestParams.entrySet()) {
      JsonNode b = bindings.get(e.getKey());
      if (b == null) continue;
      Transformer t = stages.get(b.path("stage").asText());
      String name = b.path("param").asText();
      if (t == null || !t.hasParam(name)) continue;
      Param<?> p = t.getParam(name);
      @SuppressWarnings({"unchecked", "rawtypes"})
      ParamMap ignored = pm.put((Param) p, ParamValues.convert(p, e.getValue()));
    }
    return pm;
  }

  private static void collect(Transformer t, Map<String, Transformer> out) {
    out.put(t.uid(), t);
    if (t instanceof PipelineModel pm) for (Transformer s : pm.stages()) collect(s, out);
  }
}
