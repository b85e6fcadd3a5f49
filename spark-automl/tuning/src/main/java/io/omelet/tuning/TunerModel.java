package io.omelet.tuning;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
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

  // ------------------------------------------------------------------ persistence (TunerModelPersistence)

  @Override
  public MLWriter write() {
    return new TunerModelPersistence.Writer(this);
  }

  public static MLReader<TunerModel> read() {
    return new TunerModelPersistence.Reader();
  }

  public static TunerModel load(String path) {
    return read().load(path);
  }
}
