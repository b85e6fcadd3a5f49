package io.omelet.automl;

import io.omelet.automl.metrics.HoldoutMetrics;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.MojoScoring;
import io.omelet.scoring.ScoringColumns;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
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
 * The result of {@link OmeletAutoML#fit}: a transformer that scores with the leader's MOJO, plus
 * the whole leaderboard. {@code transform} adds {@code prediction} and, for classification, a
 * {@code probability} vector and one {@code p_<class>} column per class, scoring partition by
 * partition on the executors through {@link MojoScoring}. Every leaderboard model stays reachable
 * ({@link #models()}, {@link #model(String)}, {@link #forModel(String)}) with its MOJO, variable
 * importance and holdout metrics. Saved with Spark ML persistence: params as Spark's metadata, the
 * leaderboard as JSON and each model's MOJO as its own zip, read when first used (see
 * {@link ResultFiles}).
 *
 * <p>It carries the estimator's params as they were for its fit (a profile applied), as Spark's
 * models do; only the output columns have setters, the others describe how it was trained.
 */
public class AutoMLModel extends Model<AutoMLModel> implements AutoMLParams, MLWritable {
  private static final long serialVersionUID = 1L;
  /** The prefix of the per-class probability columns. */
  public static final String CLASS_PROBABILITY_PREFIX = "p_";

  private final String uid;
  private final AutoMLResult result;
  private final String scoringModelId;
  private transient MojoModel mojo;
  private transient RegistryTracker.TrackedRun trackedRun;
  private final Declared declared;

  public AutoMLModel(String uid, AutoMLResult result) {
    this(uid, result, result.servedModel().modelId());
  }

  private AutoMLModel(String uid, AutoMLResult result, String scoringModelId) {
    this.uid = uid;
    this.declared = new Declared(this);
    this.result = result;
    this.scoringModelId = scoringModelId;
  }

  @Override
  public Declared declared() {
    return declared;
  }

  @Override
  public String uid() {
    return uid;
  }

  public AutoMLModel setPredictionCol(String v) {
    set(predictionCol(), v);
    return this;
  }

  /** The class probability vector column; empty to leave it out. */
  public AutoMLModel setProbabilityCol(String v) {
    set(probabilityCol(), v);
    return this;
  }

  // ------------------------------------------------------------ results

  /** The registry runs (and registered version) of the fit that made this model, when it was tracked. */
  public java.util.Optional<RegistryTracker.TrackedRun> trackedRun() {
    return java.util.Optional.ofNullable(trackedRun);
  }

  void setTrackedRun(RegistryTracker.TrackedRun run) {
    this.trackedRun = run;
  }

  public AutoMLResult result() {
    return result;
  }

  public ProblemType problemType() {
    return result.info().problemType();
  }

  /** Leaderboard models, best first. */
  public List<ModelResult> models() {
    return result.models();
  }

  public ModelResult model(String modelId) {
    return result.model(modelId);
  }

  public ModelResult leader() {
    return result.leader();
  }

  /** The model that is served: the leader refit on all rows, or the leader itself (see {@link AutoMLResult#refitNote()}). */
  public ModelResult servedModel() {
    return result.servedModel();
  }

  /**
   * The model this transformer scores with: the served model (the leader refit on all rows, or the
   * leader when it was not refit) unless made by {@link #forModel}.
   */
  public String scoringModelId() {
    return scoringModelId;
  }

  /** A transformer scoring with another leaderboard model (or the refit), same params. */
  public AutoMLModel forModel(String modelId) {
    result.model(modelId).mojoModel();
    AutoMLModel m = new AutoMLModel(uid, result, modelId);
    copyValues(m, ParamMap.empty());
    return m;
  }

  /** The MOJO this transformer scores with. */
  public MojoModel mojo() {
    if (mojo == null) mojo = result.model(scoringModelId).mojoModel();
    return mojo;
  }

  /** model_id, algo, leaderboard metrics, training_time_ms, predict_time_per_row_ms. */
  public Dataset<Row> leaderboard() {
    return result.leaderboard(SparkSession.active());
  }

  /** variable, relative_importance, scaled_importance, percentage; most important first. */
  public Dataset<Row> variableImportance(String modelId) {
    StructType schema = new StructType()
        .add("variable", DataTypes.StringType, false)
        .add("relative_importance", DataTypes.DoubleType, false)
        .add("scaled_importance", DataTypes.DoubleType, false)
        .add("percentage", DataTypes.DoubleType, false);
    List<Row> rows = new ArrayList<>();
    for (VariableImportance v : result.model(modelId).variableImportance()) {
      rows.add(RowFactory.create(v.variable(), v.relativeImportance(), v.scaledImportance(),
          v.percentage()));
    }
    return SparkSession.active().createDataFrame(rows, schema);
  }

  /** model_id, metric, value: every model's holdout metrics in long form. */
  public Dataset<Row> holdoutMetrics() {
    StructType schema = new StructType()
        .add("model_id", DataTypes.StringType, false)
        .add("metric", DataTypes.StringType, false)
        .add("value", DataTypes.DoubleType, true);
    List<Row> rows = new ArrayList<>();
    for (ModelResult m : result.models()) {
      HoldoutMetrics h = m.holdout();
      if (h == null) continue;
      for (Map.Entry<String, Double> e : h.values().entrySet()) {
        rows.add(RowFactory.create(m.modelId(), e.getKey(), e.getValue()));
      }
    }
    return SparkSession.active().createDataFrame(rows, schema);
  }

  // ------------------------------------------------------------ Transformer

  private ScoringColumns columns() {
    String prob = getProbabilityCol();
    return new ScoringColumns(getPredictionCol(), prob == null || prob.isEmpty() ? null : prob,
        CLASS_PROBABILITY_PREFIX);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    return MojoScoring.transform(dataset.toDF(), mojo(), columns(), "AutoMLModel(" + uid() + ")");
  }

  /** Checks that every feature has a column (by name, ignoring case) before any job runs. */
  @Override
  public StructType transformSchema(StructType schema) {
    io.omelet.scoring.FeatureBinding.bind(schema, mojo());
    return MojoScoring.outputSchema(schema, mojo(), columns());
  }

  @Override
  public AutoMLModel copy(ParamMap extra) {
    AutoMLModel m = new AutoMLModel(uid, result, scoringModelId);
    copyValues(m, extra);
    return m.setParent(parent());
  }

  // ------------------------------------------------------------ persistence

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<AutoMLModel> read() {
    return new Reader();
  }

  public static AutoMLModel load(String path) {
    return read().load(path);
  }

  private static final class Writer extends MLWriter {
    private final AutoMLModel model;

    Writer(AutoMLModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sc(), Option.empty(), Option.empty());
      try {
        FileSystem fs = new Path(path).getFileSystem(sc().hadoopConfiguration());
        ResultFiles.write(fs, path, model.result, model.scoringModelId);
      } catch (IOException e) {
        throw new IllegalStateException("cannot save the AutoML model to " + path + ": " + e, e);
      }
    }
  }

  private static final class Reader extends MLReader<AutoMLModel> {
    @Override
    public AutoMLModel load(String path) {
      DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, sc(),
          AutoMLModel.class.getName());
      try {
        FileSystem fs = new Path(path).getFileSystem(sc().hadoopConfiguration());
        ResultFiles.Saved saved = ResultFiles.read(fs, path);
        AutoMLModel m = new AutoMLModel(meta.uid(), saved.result(), saved.scoringModelId());
        meta.getAndSetParams(m, Option.empty());
        return m;
      } catch (IOException e) {
        throw new IllegalStateException("cannot load an AutoML model from " + path + ": " + e.getMessage(), e);
      }
    }
  }

  static String newUid() {
    return Identifiable.randomUID("omeletAutoMLModel");
  }
}
