package io.omelet.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * What {@link OmeletTuner} found: the best parameters refit on the whole data ({@link #bestModel()}, which
 * {@code transform} applies), those parameters ({@link #bestParams()} by name, {@link #bestParamMap()} as
 * Spark ML Params), every trial ({@link #trials()} as a DataFrame, {@link #trialList()}), each parameter's
 * importance by fANOVA ({@link #importance()}) and, when collected, each trial's model per fold.
 *
 * <p>Saved like Spark's CrossValidatorModel: the best model with its own writer under {@code bestModel/},
 * the space, trials and best parameters as {@code tuning.json}, sub-models (when collected) under
 * {@code subModels/<trial>/<fold>}.
 */
public class TunerModel extends Model<TunerModel> implements TunerParams, MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Model<?> bestModel;
  private final String spaceJson;
  private final List<Trial> trials;
  private final Direction direction;
  private final String metricName;
  private final Map<String, Object> bestParams;
  private final ParamMap bestParamMap;
  private final Model<?>[][] subModels;
  private final TunerParamSet tunerParams;
  private transient Map<String, Double> importance;
  private String trackedRunId;
  private Integer registeredVersion;

  TunerModel(String uid, Model<?> bestModel, String spaceJson, List<Trial> trials, Direction direction, String metricName,
      Map<String, Object> bestParams, ParamMap bestParamMap, Model<?>[][] subModels, long seed) {
    this.uid = uid;
    this.bestModel = bestModel;
    this.spaceJson = spaceJson;
    this.trials = List.copyOf(trials);
    this.direction = direction;
    this.metricName = metricName;
    this.bestParams = Collections.unmodifiableMap(new LinkedHashMap<>(bestParams));
    this.bestParamMap = bestParamMap;
    this.subModels = subModels;
    tunerParams = new TunerParamSet(this);
    set(seed(), seed);
  }

  static String newUid() {
    return Identifiable.randomUID("omeletTunerModel");
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The tuner's Params as the fit that made this model had them (a loaded model: all but the estimator, evaluator and space). */
  @Override
  public TunerParamSet tunerParams() {
    return tunerParams;
  }

  /** The parent run of the search when it was tracked (not kept when saved). */
  public Optional<String> trackedRunId() {
    return Optional.ofNullable(trackedRunId);
  }

  /** The version the best model was registered as, when a model name was given. */
  public Optional<Integer> registeredVersion() {
    return Optional.ofNullable(registeredVersion);
  }

  void setTracked(String runId, Integer version) {
    trackedRunId = runId;
    registeredVersion = version;
  }

  public Model<?> bestModel() {
    return bestModel;
  }

  /** The best trial's parameters by name (an option's name for a choice). */
  public Map<String, Object> bestParams() {
    return bestParams;
  }

  /** The best trial's parameters as the Params they set (choices as the pipelines' stages). */
  public ParamMap bestParamMap() {
    return bestParamMap.copy();
  }

  /** The best trial. */
  public Trial bestTrial() {
    return direction.best(trials).orElse(null);
  }

  /** The best trial's mean metric over the folds. */
  public double bestValue() {
    Trial t = bestTrial();
    return t == null ? Double.NaN : t.value();
  }

  public Direction direction() {
    return direction;
  }

  /** The evaluator's metric (e.g. areaUnderROC, rmse). */
  public String metricName() {
    return metricName;
  }

  /** The core search space (names and ranges). */
  public SearchSpace space() {
    return TunerSpace.coreSpaceFromJson(spaceJson);
  }

  /** The space with its Param bindings as JSON (see {@link TunerSpace#toJson}). */
  public String spaceJson() {
    return spaceJson;
  }

  /** Every trial of this search, by number. */
  public List<Trial> trialList() {
    return trials;
  }

  /** Each trial's model per fold, when the tuner collected them (trials in {@link #trialList()} order; null for a failed one). */
  public Optional<Model<?>[][]> subModels() {
    return Optional.ofNullable(subModels);
  }

  /**
   * The trials: number, state (COMPLETE, PRUNED, FAILED), value (the mean over the folds; a pruned trial's
   * last fold), fold_values (by fold), params (name to value as text, active ones only), duration_ms,
   * error.
   */
  public Dataset<Row> trials() {
    StructType schema = new StructType()
        .add("number", DataTypes.IntegerType, false)
        .add("state", DataTypes.StringType, false)
        .add("value", DataTypes.DoubleType, true)
        .add("fold_values", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("params", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, true), false)
        .add("duration_ms", DataTypes.LongType, false)
        .add("error", DataTypes.StringType, true);
    List<Row> rows = new ArrayList<>();
    for (Trial t : trials) {
      Map<String, String> ps = new LinkedHashMap<>();
      t.params().forEach((k, v) -> ps.put(k, String.valueOf(v)));
      List<Double> folds = new ArrayList<>(t.intermediateValues().values());
      rows.add(RowFactory.create(t.number(), t.state().name(), Double.isNaN(t.value()) ? null : t.value(),
          folds,
          ps, t.duration().toMillis(), t.error()));
    }
    return SparkSession.active().createDataFrame(rows, schema);
  }

  /**
   * Each parameter's share of the variance of the metric over the space, by fANOVA on the COMPLETE
   * trials (most important first); empty when fewer than 2 trials completed or the metric did not vary.
   */
  public synchronized Map<String, Double> importance() {
    if (importance == null) {
      Map<String, Double> out;
      try {
        out = new FanovaImportance(getSeed()).evaluate(space(), trials);
      } catch (IllegalArgumentException | IllegalStateException e) {
        out = Map.of();
      }
      importance = Collections.unmodifiableMap(out);
    }
    return importance;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return bestModel.transform(dataset);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return bestModel.transformSchema(schema);
  }

  @Override
  public TunerModel copy(ParamMap extra) {
    TunerModel m = new TunerModel(uid, (Model<?>) bestModel.copy(extra), spaceJson, trials, direction, metricName, bestParams,
        bestParamMap, subModels, getSeed());
    copyValues(m, extra);
    return m.setParent(parent());
  }

  // ------------------------------------------------------------------ persistence

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<TunerModel> read() {
    return new Reader();
  }

  public static TunerModel load(String path) {
    return read().load(path);
  }

  private static final class Writer extends MLWriter {
    private final TunerModel model;

    Writer(TunerModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      if (!(model.bestModel instanceof MLWritable w)) {
        throw new IllegalStateException("the best model " + model.bestModel.getClass().getName() + " is not MLWritable");
      }
      TunerPersistence.saveMetadata(model, path, sc());
      saveStage(w, new Path(path, "bestModel"));
      ObjectNode o = SpaceJson.JSON.createObjectNode();
      o.put("format", 1);
      o.put("direction", model.direction.name());
      o.put("metricName", model.metricName);
      o.put("seed", model.getSeed());
      try {
        o.set("tunerSpace", SpaceJson.JSON.readTree(model.spaceJson));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      ObjectNode bp = o.putObject("bestParams");
      model.bestParams.forEach((k, v) -> bp.set(k, SpaceJson.value(v)));
      o.set("trials", SpaceJson.trialsToNode(model.trials));
      o.put("subModels", model.subModels != null);
      try {
        FileSystem fs = new Path(path).getFileSystem(sc().hadoopConfiguration());
        try (OutputStream out = fs.create(new Path(path, "tuning.json"), true)) {
          out.write(SpaceJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot save the tuner model to " + path + ": " + e.getMessage(), e);
      }
      if (model.subModels != null) {
        for (int i = 0; i < model.subModels.length; i++) {
          Model<?>[] folds = model.subModels[i];
          if (folds == null) continue;
          for (int f = 0; f < folds.length; f++) {
            if (folds[f] instanceof MLWritable sw) {
              saveStage(sw, new Path(path, "subModels/" + model.trials.get(i).number() + "/" + f));
            }
          }
        }
      }
    }
  }

  /** Saves a stage with its own writer; shared with the tuner's writer (TunerPersistence). */
  static void saveStage(MLWritable w, Path path) {
    try {
      w.write().save(path.toString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot save " + path + ": " + e.getMessage(), e);
    }
  }

  private static final class Reader extends MLReader<TunerModel> {
    @Override
    public TunerModel load(String path) {
      DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, sc(), TunerModel.class.getName());
      try {
        FileSystem fs = new Path(path).getFileSystem(sc().hadoopConfiguration());
        JsonNode o;
        try (InputStream in = fs.open(new Path(path, "tuning.json"))) {
          o = SpaceJson.JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        Model<?> best = DefaultParamsReader.loadParamsInstance(new Path(path, "bestModel").toString(), sc());
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
              Path p = new Path(path, "subModels/" + trials.get(i).number() + "/" + f);
              if (!fs.exists(p)) break;
              folds.add(DefaultParamsReader.loadParamsInstance(p.toString(), sc()));
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
