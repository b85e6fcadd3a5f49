package io.omelet.scoring;

import io.omelet.registry.OmeletRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * A Spark ML Transformer that scores with a registered H2O model, for pipelines:
 * {@code new MojoScorer().setModelUri("churn@champion")}. Each {@code transform} resolves the URI
 * once (an alias that moved is followed by the next transform, never within one) and adds
 * {@code prediction}, and for a classifier a {@code probability} vector and one
 * {@code p_<label>} column per class, through the same partition-wise MOJO scoring as
 * {@code AutoMLModel} and the SQL function. A scorer can also hold a MOJO directly
 * ({@link #of(MojoModel)}); it is then saved with the pipeline.
 *
 * <p>Recording the scored rows in the model's inference table is an explicit call after
 * {@code transform}, not a param of the scorer:
 * <pre>{@code
 * Dataset<Row> scored = scorer.transform(customers);
 * InferenceRows.of(scored, scorer).appendTo(registryRoot);   // one Delta commit; runs the scoring
 * }</pre>
 * A Transformer's {@code transform} is lazy and must stay free of side effects: Spark ML calls it
 * while fitting a pipeline and checking schemas, a DataFrame may be computed zero times (a
 * {@code count} the planner answers without the model), several times (two actions, a lost
 * cache, a retried stage) or only in part ({@code show}). A table written from inside it would
 * log rows that were never used, or the same rows again and again; the explicit call writes the
 * job's rows once, as one commit, when the caller decides.
 */
public class MojoScorer extends Transformer implements MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> modelUri;
  private final Param<String> registryRoot;
  private final Param<String> predictionCol;
  private final Param<String> probabilityCol;
  private final Param<String> classProbabilityPrefix;
  /** A MOJO held directly instead of a URI. */
  private MojoModel fixedModel;
  private transient volatile LoadedModel lastModel;

  public MojoScorer() {
    this(Identifiable.randomUID("omeletMojoScorer"));
  }

  public MojoScorer(String uid) {
    this.uid = uid;
    modelUri = new Param<>(this, "modelUri", "model to score with: name@alias, name/version or runs:/<run_id>/<path>");
    registryRoot = new Param<>(this, "registryRoot",
        "registry root; empty: the session's " + OmeletRegistry.ROOT_CONF + ", else " + OmeletRegistry.DEFAULT_ROOT);
    predictionCol = new Param<>(this, "predictionCol", "prediction column to add");
    probabilityCol = new Param<>(this, "probabilityCol",
        "class probability vector column to add (classification); empty to leave it out");
    classProbabilityPrefix = new Param<>(this, "classProbabilityPrefix",
        "prefix of the one-column-per-class probabilities (classification); empty to leave them out");
    setDefault(registryRoot, "");
    setDefault(predictionCol, "prediction");
    setDefault(probabilityCol, "probability");
    setDefault(classProbabilityPrefix, "p_");
  }

  /** A scorer for a MOJO held in memory rather than found in the registry. */
  public static MojoScorer of(MojoModel mojo) {
    MojoScorer s = new MojoScorer();
    s.fixedModel = mojo;
    return s;
  }

  // Spark ML finds params through public no-argument methods returning them.
  public Param<String> modelUri() {
    return modelUri;
  }

  public Param<String> registryRoot() {
    return registryRoot;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  public Param<String> classProbabilityPrefix() {
    return classProbabilityPrefix;
  }

  public MojoScorer setModelUri(String v) {
    set(modelUri, v);
    return this;
  }

  public MojoScorer setRegistryRoot(String v) {
    set(registryRoot, v);
    return this;
  }

  public MojoScorer setPredictionCol(String v) {
    set(predictionCol, v);
    return this;
  }

  public MojoScorer setProbabilityCol(String v) {
    set(probabilityCol, v);
    return this;
  }

  public MojoScorer setClassProbabilityPrefix(String v) {
    set(classProbabilityPrefix, v);
    return this;
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The model the last transform (or schema check) scored with; empty before the first. */
  public java.util.Optional<LoadedModel> lastModel() {
    return java.util.Optional.ofNullable(lastModel);
  }

  /** Resolves the model now: the fixed MOJO, or the URI through the registry. */
  public MojoModel resolve(SparkSession spark) {
    if (fixedModel != null) return fixedModel;
    if (!isDefined(modelUri) || getOrDefault(modelUri) == null || getOrDefault(modelUri).isBlank()) {
      throw new IllegalArgumentException("MojoScorer needs a model: setModelUri(\"name@alias\") or MojoScorer.of(mojo)");
    }
    String root = getOrDefault(registryRoot);
    OmeletRegistry registry = root.isEmpty() ? OmeletRegistry.open(spark) : OmeletRegistry.open(spark, root);
    LoadedModel m = ModelLoader.load(registry, getOrDefault(modelUri));
    lastModel = m;
    return m.mojo();
  }

  /** The columns this scorer adds, as its params say. */
  public ScoringColumns scoringColumns() {
    return columns();
  }

  private ScoringColumns columns() {
    String prob = getOrDefault(probabilityCol);
    String prefix = getOrDefault(classProbabilityPrefix);
    return new ScoringColumns(getOrDefault(predictionCol), prob.isEmpty() ? null : prob, prefix.isEmpty() ? null : prefix);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    // MojoScoring checks the output columns and binds the features (naming any missing) before any job.
    String what = fixedModel != null ? "MojoScorer(" + uid() + ")" : "MojoScorer('" + getOrDefault(modelUri) + "')";
    return MojoScoring.transform(dataset.toDF(), resolve(dataset.sparkSession()), columns(), what);
  }

  /** Checks every feature has a column (by name, ignoring case) and no output column is taken. */
  @Override
  public StructType transformSchema(StructType schema) {
    MojoModel mojo = resolve(SparkSession.active());
    FeatureBinding.bind(schema, mojo);
    return MojoScoring.outputSchema(schema, mojo, columns());
  }

  @Override
  public MojoScorer copy(ParamMap extra) {
    MojoScorer s = new MojoScorer(uid);
    s.fixedModel = fixedModel;
    return copyValues(s, extra);
  }

  // ------------------------------------------------------------ persistence

  private static final String MOJO_FILE = "data/model.zip";

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<MojoScorer> read() {
    return new Reader();
  }

  public static MojoScorer load(String path) {
    return read().load(path);
  }

  private static final class Writer extends MLWriter {
    private final MojoScorer scorer;

    Writer(MojoScorer scorer) {
      this.scorer = scorer;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(scorer, path, sc(), Option.empty(), Option.empty());
      if (scorer.fixedModel == null) return;
      try {
        FileSystem fs = new Path(path).getFileSystem(sc().hadoopConfiguration());
        try (OutputStream out = fs.create(new Path(path, MOJO_FILE))) {
          out.write(scorer.fixedModel.bytes());
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot save the MOJO scorer to " + path + ": " + e, e);
      }
    }
  }

  private static final class Reader extends MLReader<MojoScorer> {
    @Override
    public MojoScorer load(String path) {
      DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, sc(), MojoScorer.class.getName());
      MojoScorer s = new MojoScorer(meta.uid());
      meta.getAndSetParams(s, Option.empty());
      try {
        Path mojo = new Path(path, MOJO_FILE);
        FileSystem fs = mojo.getFileSystem(sc().hadoopConfiguration());
        if (fs.exists(mojo)) {
          try (InputStream in = fs.open(mojo)) {
            s.fixedModel = MojoModel.of(in.readAllBytes());
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot load a MOJO scorer from " + path + ": " + e, e);
      }
      return s;
    }
  }
}
