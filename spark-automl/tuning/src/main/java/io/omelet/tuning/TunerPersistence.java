package io.omelet.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omelet.common.NestedStages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import scala.Option;

/**
 * {@link OmeletTuner}'s writer and reader, laid out as Spark's {@code CrossValidator} saves itself: the
 * tuner's own Params in {@code metadata/}, the estimator and the evaluator each with its own writer under
 * {@code estimator/} and {@code evaluator/}, and the search space as JSON in {@code tuning.json}. The
 * options of a choice that are not stages of the estimator (the pipeline holds one of them) are saved under
 * {@code options/<i>}, so the space binds to the same stages again on load.
 */
final class TunerPersistence {
  private static final Set<String> OBJECT_PARAMS = Set.of("estimator", "evaluator", "searchSpace");

  private TunerPersistence() {}

  /**
   * The stage's metadata as Spark writes it, with the Params that hold objects (estimator, evaluator,
   * space) left out: the tuner saves them in their own folders, and a model keeps only the settings.
   */
  static void saveMetadata(TunerParams stage, String path, SparkContext sc) {
    NestedStages.saveParams(stage, path, sc, OBJECT_PARAMS);
  }

  /** Writes {@code tuning.json}, the part of a saved tuner or model Spark's metadata does not hold. */
  static void writeTuningJson(JsonNode o, String path, SparkContext sc, String what) {
    try {
      FileSystem fs = new Path(path).getFileSystem(sc.hadoopConfiguration());
      try (OutputStream out = fs.create(new Path(path, "tuning.json"), true)) {
        out.write(SpaceJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot save " + what + " to " + path + ": " + e.getMessage(), e);
    }
  }

  static JsonNode readTuningJson(String path, SparkContext sc, String what) {
    try {
      FileSystem fs = new Path(path).getFileSystem(sc.hadoopConfiguration());
      try (InputStream in = fs.open(new Path(path, "tuning.json"))) {
        return SpaceJson.JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot load " + what + " from " + path + ": " + e.getMessage(), e);
    }
  }

  static final class Writer extends MLWriter {
    private final OmeletTuner tuner;

    Writer(OmeletTuner tuner) {
      this.tuner = tuner;
    }

    @Override
    public void saveImpl(String path) {
      if (!tuner.isDefined(tuner.estimator()) || !tuner.isDefined(tuner.evaluator()) || !tuner.isDefined(tuner.searchSpace())) {
        throw new IllegalStateException("an OmeletTuner is saved with its estimator, evaluator and searchSpace set");
      }
      saveMetadata(tuner, path, sc());
      NestedStages.save(tuner.getEstimator(), path, "estimator", "the tuner");
      NestedStages.save(tuner.getEvaluator(), path, "evaluator", "the tuner");
      TunerSpace space = tuner.getSearchSpace();
      Map<String, PipelineStage> reachable = new LinkedHashMap<>();
      PipelineStages.collect(tuner.getEstimator(), reachable);
      ObjectNode o = SpaceJson.JSON.createObjectNode();
      o.put("format", 1);
      try {
        o.set("tunerSpace", SpaceJson.JSON.readTree(space.toJson()));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      ArrayNode options = o.putArray("options");
      int i = 0;
      for (Map<String, PipelineStage> opts : space.choices().values()) {
        for (PipelineStage s : opts.values()) {
          if (reachable.containsKey(s.uid())) continue;
          reachable.put(s.uid(), s);
          String dir = "options/" + i++;
          NestedStages.save(s, path, dir, "the tuner's option " + PipelineStages.name(s));
          options.add(dir);
        }
      }
      writeTuningJson(o, path, sc(), "the tuner");
    }
  }

  static final class Reader extends MLReader<OmeletTuner> {
    @Override
    public OmeletTuner load(String path) {
      DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, sc(), OmeletTuner.class.getName());
      OmeletTuner tuner = new OmeletTuner(meta.uid());
      meta.getAndSetParams(tuner, Option.empty());
      PipelineStage estimator = NestedStages.load(path, "estimator", sc());
      org.apache.spark.ml.evaluation.Evaluator evaluator = NestedStages.load(path, "evaluator", sc());
      JsonNode o = readTuningJson(path, sc(), "a tuner");
      List<PipelineStage> stages = new ArrayList<>(List.of(estimator));
      for (JsonNode dir : o.path("options")) {
        stages.add(NestedStages.load(path, dir.asText(), sc()));
      }
      TunerSpace space = TunerSpace.fromJson(o.get("tunerSpace").toString(), stages.toArray(new PipelineStage[0]));
      return tuner.setEstimator((org.apache.spark.ml.Estimator<?>) estimator).setEvaluator(evaluator).setSearchSpace(space);
    }
  }
}
