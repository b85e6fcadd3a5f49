package io.omelet.explain;

import io.omelet.trees.TreeEnsemble;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NumericAttribute;
import org.apache.spark.ml.classification.ClassificationModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import io.omelet.automl.AutoMLModel;
import io.omelet.common.NestedStages;
import io.omelet.scoring.LoadedModel;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.MojoScorer;
import io.omelet.scoring.RowContributions;
import scala.Option;

/**
 * Adds per-row SHAP values to a DataFrame for a fitted Spark ML model (a PipelineModel or a single
 * Transformer): base value + sum of the row's values = the model's explained output for that row.
 *
 * <ul>
 *   <li>{@code method=tree}: exact path-dependent TreeSHAP from the model's own Spark trees
 *       (DecisionTree, RandomForest, GBT, also as a pipeline's last predictor). Explains the GBT margin
 *       (rawPrediction of the target class), the RF/DT probability of the target class, or the
 *       regression prediction.</li>
 *   <li>{@code method=kernel}: KernelSHAP through the model's transform, for any model. Explains the
 *       probability of the target class for classifiers, the prediction for regressors (or
 *       {@code explainedOutput=raw} for rawPrediction). Adds the weighted R^2 of each row's fit.</li>
 *   <li>{@code method=auto} (default): tree when the model's predictor is a Spark tree model, or an H2O model
 *       with exact contributions; kernel otherwise.</li>
 * </ul>
 *
 * H2O models ({@link AutoMLModel} via {@link #setModel}, or a bare {@link MojoModel} via {@link #setMojo}):
 * {@code method=tree} reads exact contributions from the MOJO ({@link RowContributions}: TreeSHAP for GBM, DRF/XRT
 * and XGBoost, linear contributions for GLM) and explains their link scale: the log-odds of the target class for a
 * binomial GBM, XGBoost or GLM, its probability for a binomial DRF, the prediction for a regression. KernelSHAP of an
 * AutoMLModel explains the target class's probability ({@code explainedOutput=raw}: its log-odds); see
 * {@link H2OExplanation}.
 *
 * Features are raw input columns: a string column that a pipeline indexes and one-hot encodes is
 * one feature. The SHAP vector column carries the feature names as ML attribute metadata.
 *
 * <p>Saved like Spark's {@code CrossValidatorModel}: the Params in {@code metadata/}, the explained model with
 * its own writer under {@code model/}, a MOJO set with {@link #setMojo} as a {@link MojoScorer} under
 * {@code mojo/}. The background data is not saved (see {@link #setBackgroundData}).
 */
public class ShapExplainer extends ShapParams implements MLWritable {
  private static final long serialVersionUID = 1L;

  private transient Dataset<Row> backgroundData;
  private MojoModel mojo;

  public ShapExplainer() {
    this(Identifiable.randomUID("shapExplainer"));
  }

  public ShapExplainer(String uid) {
    super(uid);
  }

  public ShapExplainer setModel(Transformer v) { set(model(), v); return this; }
  public ShapExplainer setInputCols(String... v) { set(inputCols(), v); return this; }
  public ShapExplainer setMethod(String v) { set(method(), v); return this; }
  public ShapExplainer setExplainedOutput(String v) { set(explainedOutput(), v); return this; }
  public ShapExplainer setTargetClass(int v) { set(targetClass(), v); return this; }
  public ShapExplainer setNumSamples(int v) { set(numSamples(), v); return this; }
  public ShapExplainer setBackgroundSize(int v) { set(backgroundSize(), v); return this; }
  public ShapExplainer setBackgroundMode(String v) { set(backgroundMode(), v); return this; }
  public ShapExplainer setSeed(long v) { set(seed(), v); return this; }
  public ShapExplainer setRowsPerTask(int v) { set(rowsPerTask(), v); return this; }
  public ShapExplainer setOutputCol(String v) { set(outputCol(), v); return this; }
  public ShapExplainer setOutputForm(String v) { set(outputForm(), v); return this; }
  public ShapExplainer setBaseValueCol(String v) { set(baseValueCol(), v); return this; }
  public ShapExplainer setFitCol(String v) { set(fitCol(), v); return this; }

  /**
   * KernelSHAP's background comes from this data (default: the data being explained). Not a Param:
   * a DataFrame has no place in a saved stage.
   */
  public ShapExplainer setBackgroundData(Dataset<Row> data) {
    this.backgroundData = data;
    return this;
  }

  /**
   * Explains an H2O model given by its MOJO alone (exact contributions, method tree or auto). Not a Param,
   * like the background data. A model set with {@link #setModel} is still used for KernelSHAP.
   */
  public ShapExplainer setMojo(MojoModel m) {
    this.mojo = m;
    return this;
  }

  /**
   * The H2O MOJO explained: the one set with {@link #setMojo}, or the model's when it is an
   * {@link AutoMLModel} or a {@link MojoScorer} (its model URI resolved on first use).
   */
  public MojoModel getMojo() {
    if (mojo != null) return mojo;
    if (isDefined(model()) && getModel() instanceof AutoMLModel a) return a.mojo();
    if (isDefined(model()) && getModel() instanceof MojoScorer s) {
      // A URI is resolved once; later calls reuse what the scorer resolved.
      return s.lastModel().map(LoadedModel::mojo).orElseGet(() -> s.resolve(SparkSession.active()));
    }
    return null;
  }

  /** The H2O side of this explainer, or null when the model is not an H2O model. */
  private H2OExplanation h2o() {
    MojoModel m = getMojo();
    return m == null ? null : new H2OExplanation(this, m);
  }

  /** The method {@code transform} will use for this model: "tree" or "kernel". */
  public String resolvedMethod() {
    H2OExplanation h2o = h2o();
    if (h2o != null) return h2o.resolvedMethod();
    Transformer m = requireModel();
    ModelAnatomy a = ModelAnatomy.of(m);
    boolean isTree = a.predictor() != null && TreeEnsemble.supports(a.predictor());
    String asked = getMethod();
    if (asked.equals("tree") && !isTree) {
      String what = a.predictor() == null ? m.getClass().getSimpleName() + " (no predictor stage found)"
          : a.predictor().getClass().getSimpleName();
      throw new IllegalArgumentException("ShapExplainer: method=tree needs a Spark ML tree model (DecisionTree, "
          + "RandomForest or GBT) but the model's predictor is " + what + ", which has no tree structure to explain "
          + "exactly; use method=kernel (KernelSHAP, which works for any model) or method=auto, which falls back to it");
    }
    if (asked.equals("auto")) return isTree ? "tree" : "kernel";
    return asked;
  }

  /**
   * What the SHAP values explain, in words for plots and reviewers, e.g. "probability of class bad"
   * (the class name comes from a label StringIndexer inside the model, else its index).
   */
  public String describeOutput() {
    H2OExplanation h2o = h2o();
    if (h2o != null) return h2o.describeOutput();
    ModelAnatomy a = ModelAnatomy.of(requireModel());
    String cls = a.className(getTargetClass());
    String target = "class " + (cls != null ? cls : String.valueOf(getTargetClass()));
    if (resolvedMethod().equals("tree")) {
      return switch (TreeEnsemble.naturalOutput(a.predictor())) {
        case MARGIN -> "margin of " + target;
        case PROBABILITY -> "probability of " + target;
        case PREDICTION -> "prediction";
      };
    }
    KernelShapSource.Output o = kernelOutput(a);
    if (o.index() < 0) return "prediction";
    return (o.description().startsWith("probability") ? "probability of " : "raw score of ") + target;
  }

  /** The explained features, in SHAP vector order. */
  public List<String> featureNames() {
    H2OExplanation h2o = h2o();
    if (h2o != null) return h2o.featureNames();
    List<String> f = features(ModelAnatomy.of(requireModel()));
    if (f == null) {
      throw new IllegalStateException("ShapExplainer: cannot tell which columns the model reads; set inputCols");
    }
    return f;
  }

  private List<String> features(ModelAnatomy a) {
    if (isSet(inputCols())) return Arrays.asList(getInputCols());
    return a.explainedFeatures();
  }

  private Transformer requireModel() {
    if (!isDefined(model())) throw new IllegalArgumentException("ShapExplainer: set the model to explain (setModel)");
    return getModel();
  }

  @Override
  public StructType transformSchema(StructType schema) {
    H2OExplanation h2o = h2o();
    if (h2o != null) return h2o.transformSchema(schema);
    ModelAnatomy a = ModelAnatomy.of(requireModel());
    String resolved = resolvedMethod();
    List<String> feats = features(a);
    if (feats == null && resolved.equals("kernel")) {
      throw new IllegalArgumentException("ShapExplainer: cannot tell which columns the model reads (stage "
          + a.opaqueStage + " does not name its input columns); set inputCols");
    }
    // The features, and every column the feature stages read (or a bare tree model's own vector column).
    List<String> needed = new ArrayList<>();
    if (feats != null) needed.addAll(feats);
    if (a.rawInputs != null) for (String c : a.rawInputs) if (!needed.contains(c)) needed.add(c);
    List<String> names = Arrays.asList(schema.fieldNames());
    for (String c : needed) {
      if (c.contains("+")) continue; // a feature built from several raw columns: each is checked on its own
      if (!names.contains(c)) {
        throw new IllegalArgumentException("ShapExplainer: feature column '" + c + "' is missing from the input; "
            + "the model reads " + needed + " and the input has " + names);
      }
    }
    checkOutputsFree(names, resolved);
    if (resolved.equals("tree")) treeOutput(a.predictor());
    return withOutputs(schema, feats, resolved);
  }

  /** Fails when an output column the method adds is already an input column. */
  void checkOutputsFree(List<String> inputNames, String resolved) {
    List<String> cols = new ArrayList<>(List.of(getOutputCol(), getBaseValueCol()));
    if (resolved.equals("kernel")) cols.add(getFitCol());
    for (String out : cols) {
      if (inputNames.contains(out)) {
        throw new IllegalArgumentException("ShapExplainer: output column '" + out + "' already exists in the input");
      }
    }
  }

  /** {@code schema} with the SHAP, base value and (KernelSHAP) fit columns added. */
  StructType withOutputs(StructType schema, List<String> feats, String resolved) {
    StructType out = schema.add(shapField(feats)).add(getBaseValueCol(), DataTypes.DoubleType, false);
    return resolved.equals("kernel") ? out.add(getFitCol(), DataTypes.DoubleType, true) : out;
  }

  private StructField shapField(List<String> feats) {
    if (getOutputForm().equals("map")) {
      return new StructField(getOutputCol(), DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), false,
          Metadata.empty());
    }
    if (feats == null) return new StructField(getOutputCol(), SQLDataTypes.VectorType(), false, Metadata.empty());
    Attribute[] attrs = new Attribute[feats.size()];
    for (int i = 0; i < attrs.length; i++) attrs[i] = NumericAttribute.defaultAttr().withName(feats.get(i));
    return new AttributeGroup(getOutputCol(), attrs).toStructField();
  }

  private void treeOutput(Transformer predictor) {
    String asked = getExplainedOutput();
    String naturalName = switch (TreeEnsemble.naturalOutput(predictor)) {
      case MARGIN -> "raw";
      case PROBABILITY -> "probability";
      case PREDICTION -> "prediction";
    };
    if (!asked.equals("auto") && !asked.equals(naturalName)) {
      throw new IllegalArgumentException("ShapExplainer: exact TreeSHAP of " + predictor.getClass().getSimpleName()
          + " explains explainedOutput=" + naturalName + " (the output its trees add up to), not " + asked
          + "; use method=kernel to explain " + asked);
    }
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    @SuppressWarnings("unchecked")
    Dataset<Row> input = (Dataset<Row>) dataset;
    H2OExplanation h2o = h2o();
    ShapSource source = h2o != null ? h2o.source(input) : source(ModelAnatomy.of(getModel()), input);
    List<String> feats = source.features();
    boolean kernel = source.method().equals("kernel");
    Dataset<Row> out = source.explain(input, getOutputCol(), getBaseValueCol(), kernel ? getFitCol() : null);
    StructField field = shapField(feats);
    Column shap;
    if (getOutputForm().equals("map")) {
      Column[] names = feats.stream().map(functions::lit).toArray(Column[]::new);
      shap = functions.map_from_arrays(functions.array(names),
          org.apache.spark.ml.functions.vector_to_array(out.col(getOutputCol()), "float64"));
    } else {
      shap = out.col(getOutputCol());
    }
    return out.withColumn(getOutputCol(), shap, field.metadata());
  }

  /** Builds the backend for this Spark ML model and data (package-visible so tests can reuse it). */
  ShapSource source(ModelAnatomy a, Dataset<Row> input) {
    String resolved = resolvedMethod();
    List<String> feats = features(a);
    if (resolved.equals("tree")) {
      if (feats == null) {
        // A bare tree model on a vector column: its slots are the features.
        TreeEnsemble e = TreeEnsemble.of(a.predictor(), getTargetClass());
        feats = a.slotMap(a.featureStages().transform(input), e.numSlots()).features();
      }
      return TreeShapSource.of(a, input, getTargetClass(), feats);
    }
    List<String> carried = new ArrayList<>();
    if (a.rawInputs != null) for (String c : a.rawInputs) if (!feats.contains(c)) carried.add(c);
    return kernelSource(getModel(), feats, carried, kernelOutput(a), input);
  }

  /** KernelSHAP of {@code model}'s {@code output}, with this explainer's background and coalitions. */
  KernelShapSource kernelSource(Transformer model, List<String> feats, List<String> carried,
      KernelShapSource.Output output, Dataset<Row> input) {
    List<String> raw = new ArrayList<>(feats);
    raw.addAll(carried);
    String[] rawCols = raw.toArray(new String[0]);
    Dataset<Row> bgSource = backgroundData != null ? backgroundData : input;
    Background bg = getBackgroundMode().equals("kmeans")
        ? Background.kmeans(bgSource, rawCols, getBackgroundSize(), getSeed())
        : Background.sample(bgSource, rawCols, getBackgroundSize(), getSeed());
    int samples = getNumSamples() > 0 ? getNumSamples() : Coalitions.defaultNumSamples(feats.size());
    Coalitions c = Coalitions.sample(feats.size(), samples, getSeed());
    return new KernelShapSource(model, feats, carried, output, c, bg, getRowsPerTask());
  }

  private KernelShapSource.Output kernelOutput(ModelAnatomy a) {
    Transformer p = a.predictor();
    String asked = getExplainedOutput();
    int target = getTargetClass();
    if (p instanceof ClassificationModel<?, ?> c && target >= c.numClasses()) {
      throw new IllegalArgumentException("ShapExplainer: targetClass " + target + " is out of range: the model has "
          + c.numClasses() + " classes");
    }
    String col = switch (asked) {
      case "raw" -> "rawPredictionCol";
      case "probability" -> "probabilityCol";
      case "prediction" -> "predictionCol";
      default -> p != null && p.hasParam("probabilityCol") ? "probabilityCol" : "predictionCol";
    };
    if (p == null || !p.hasParam(col)) {
      if (col.equals("predictionCol")) return new KernelShapSource.Output("prediction", -1, "prediction");
      throw new IllegalArgumentException("ShapExplainer: explainedOutput=" + asked + " but the model has no "
          + col.replace("Col", "") + " column");
    }
    String name = (String) p.getOrDefault(p.getParam(col));
    if (col.equals("predictionCol")) return new KernelShapSource.Output(name, -1, "prediction");
    return new KernelShapSource.Output(name, target, (col.equals("probabilityCol") ? "probability" : "raw score")
        + " of class " + target);
  }

  @Override
  public ShapExplainer copy(ParamMap extra) {
    ShapExplainer c = (ShapExplainer) defaultCopy(extra);
    c.backgroundData = backgroundData;
    c.mojo = mojo;
    return c;
  }

  // ------------------------------------------------------------------ persistence

  private static final String MODEL_DIR = "model";
  private static final String MOJO_DIR = "mojo";

  @Override
  public MLWriter write() {
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        NestedStages.saveParams(ShapExplainer.this, path, sc(), Set.of(MODEL_DIR));
        if (isDefined(model())) NestedStages.save(getModel(), path, MODEL_DIR, "the ShapExplainer");
        if (mojo != null) NestedStages.save(MojoScorer.of(mojo), path, MOJO_DIR, "the ShapExplainer");
      }
    };
  }

  public static MLReader<ShapExplainer> read() {
    return new MLReader<>() {
      @Override
      public ShapExplainer load(String path) {
        DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, sc(), ShapExplainer.class.getName());
        ShapExplainer e = new ShapExplainer(meta.uid());
        meta.getAndSetParams(e, Option.empty());
        if (NestedStages.exists(path, MODEL_DIR, sc())) e.setModel(NestedStages.<Transformer>load(path, MODEL_DIR, sc()));
        if (NestedStages.exists(path, MOJO_DIR, sc())) {
          e.setMojo(NestedStages.<MojoScorer>load(path, MOJO_DIR, sc()).resolve(SparkSession.active()));
        }
        return e;
      }
    };
  }

  public static ShapExplainer load(String path) {
    return read().load(path);
  }
}
