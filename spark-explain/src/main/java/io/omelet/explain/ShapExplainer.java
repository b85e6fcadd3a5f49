package io.omelet.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NumericAttribute;
import org.apache.spark.ml.classification.ClassificationModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import io.omelet.automl.AutoMLModel;
import io.omelet.scoring.LoadedModel;
import io.omelet.scoring.MojoScorer;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.RowContributions;

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
 * AutoMLModel explains the target class's probability ({@code explainedOutput=raw}: its log-odds).
 *
 * Features are raw input columns: a string column that a pipeline indexes and one-hot encodes is
 * one feature. The SHAP vector column carries the feature names as ML attribute metadata.
 */
public class ShapExplainer extends Transformer {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<Transformer> model;
  private final StringArrayParam inputCols;
  private final Param<String> method;
  private final Param<String> explainedOutput;
  private final IntParam targetClass;
  private final IntParam numSamples;
  private final IntParam backgroundSize;
  private final Param<String> backgroundMode;
  private final LongParam seed;
  private final IntParam rowsPerTask;
  private final Param<String> outputCol;
  private final Param<String> outputForm;
  private final Param<String> baseValueCol;
  private final Param<String> fitCol;
  private transient Dataset<Row> backgroundData;
  private MojoModel mojo;

  public ShapExplainer() {
    this(Identifiable.randomUID("shapExplainer"));
  }

  public ShapExplainer(String uid) {
    this.uid = uid;
    model = new Param<>(this, "model", "the fitted model explained (a PipelineModel or any Transformer)");
    inputCols = new StringArrayParam(this, "inputCols",
        "the explained feature columns (default: the raw columns the model reads)");
    method = new Param<>(this, "method", "auto | tree (exact TreeSHAP of Spark trees) | kernel (KernelSHAP, any model)",
        ParamValidators.inArray(new String[] {"auto", "tree", "kernel"}));
    explainedOutput = new Param<>(this, "explainedOutput",
        "auto | probability | raw | prediction: the model output explained",
        ParamValidators.inArray(new String[] {"auto", "probability", "raw", "prediction"}));
    targetClass = new IntParam(this, "targetClass", "the class whose output a classifier explanation explains",
        ParamValidators.gtEq(0));
    numSamples = new IntParam(this, "numSamples", "KernelSHAP coalitions per row (0: 2 x features + 2048)",
        ParamValidators.gtEq(0));
    backgroundSize = new IntParam(this, "backgroundSize", "KernelSHAP background rows (or k-means centres)",
        ParamValidators.gtEq(1));
    backgroundMode = new Param<>(this, "backgroundMode", "sample | kmeans",
        ParamValidators.inArray(new String[] {"sample", "kmeans"}));
    seed = new LongParam(this, "seed", "random seed for the background and coalition sampling");
    rowsPerTask = new IntParam(this, "rowsPerTask", "KernelSHAP explained rows per Spark task", ParamValidators.gtEq(1));
    outputCol = new Param<>(this, "outputCol", "the SHAP values column");
    outputForm = new Param<>(this, "outputForm", "vector | map (feature name to value)",
        ParamValidators.inArray(new String[] {"vector", "map"}));
    baseValueCol = new Param<>(this, "baseValueCol", "the base (expected) value column");
    fitCol = new Param<>(this, "fitCol", "KernelSHAP only: the weighted R^2 of each row's fit");
    setDefault(method, "auto");
    setDefault(explainedOutput, "auto");
    setDefault(targetClass, 1);
    setDefault(numSamples, 0);
    setDefault(backgroundSize, 100);
    setDefault(backgroundMode, "sample");
    setDefault(seed, 42L);
    setDefault(rowsPerTask, 2);
    setDefault(outputCol, "shap");
    setDefault(outputForm, "vector");
    setDefault(baseValueCol, "shap_base");
    setDefault(fitCol, "shap_fit_r2");
  }

  @Override
  public String uid() {
    return uid;
  }

  // Params, Spark style: a no-argument public method per param, getters and fluent setters.
  public Param<Transformer> model() { return model; }
  public StringArrayParam inputCols() { return inputCols; }
  public Param<String> method() { return method; }
  public Param<String> explainedOutput() { return explainedOutput; }
  public IntParam targetClass() { return targetClass; }
  public IntParam numSamples() { return numSamples; }
  public IntParam backgroundSize() { return backgroundSize; }
  public Param<String> backgroundMode() { return backgroundMode; }
  public LongParam seed() { return seed; }
  public IntParam rowsPerTask() { return rowsPerTask; }
  public Param<String> outputCol() { return outputCol; }
  public Param<String> outputForm() { return outputForm; }
  public Param<String> baseValueCol() { return baseValueCol; }
  public Param<String> fitCol() { return fitCol; }

  public Transformer getModel() { return $(model); }
  public String[] getInputCols() { return $(inputCols); }
  public String getMethod() { return $(method); }
  public String getExplainedOutput() { return $(explainedOutput); }
  public int getTargetClass() { return (Integer) $(targetClass); }
  public int getNumSamples() { return (Integer) $(numSamples); }
  public int getBackgroundSize() { return (Integer) $(backgroundSize); }
  public String getBackgroundMode() { return $(backgroundMode); }
  public long getSeed() { return (Long) $(seed); }
  public int getRowsPerTask() { return (Integer) $(rowsPerTask); }
  public String getOutputCol() { return $(outputCol); }
  public String getOutputForm() { return $(outputForm); }
  public String getBaseValueCol() { return $(baseValueCol); }
  public String getFitCol() { return $(fitCol); }

  public ShapExplainer setModel(Transformer v) { set(model, v); return this; }
  public ShapExplainer setInputCols(String... v) { set(inputCols, v); return this; }
  public ShapExplainer setMethod(String v) { set(method, v); return this; }
  public ShapExplainer setExplainedOutput(String v) { set(explainedOutput, v); return this; }
  public ShapExplainer setTargetClass(int v) { set(targetClass, v); return this; }
  public ShapExplainer setNumSamples(int v) { set(numSamples, v); return this; }
  public ShapExplainer setBackgroundSize(int v) { set(backgroundSize, v); return this; }
  public ShapExplainer setBackgroundMode(String v) { set(backgroundMode, v); return this; }
  public ShapExplainer setSeed(long v) { set(seed, v); return this; }
  public ShapExplainer setRowsPerTask(int v) { set(rowsPerTask, v); return this; }
  public ShapExplainer setOutputCol(String v) { set(outputCol, v); return this; }
  public ShapExplainer setOutputForm(String v) { set(outputForm, v); return this; }
  public ShapExplainer setBaseValueCol(String v) { set(baseValueCol, v); return this; }
  public ShapExplainer setFitCol(String v) { set(fitCol, v); return this; }

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
    if (isDefined(model) && getModel() instanceof AutoMLModel a) return a.mojo();
    if (isDefined(model) && getModel() instanceof MojoScorer s) {
      // A URI is resolved once; later calls reuse what the scorer resolved.
      return s.lastModel().map(LoadedModel::mojo).orElseGet(() -> s.resolve(SparkSession.active()));
    }
    return null;
  }

  /** The prefix of the per-class probability columns the H2O model's transformer adds. */
  private String classProbabilityPrefix() {
    if (getModel() instanceof MojoScorer s) {
      String prefix = s.getOrDefault(s.classProbabilityPrefix());
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("ShapExplainer: KernelSHAP reads the MojoScorer's per-class probability "
            + "columns; set its classProbabilityPrefix (e.g. \"p_\")");
      }
      return prefix;
    }
    return AutoMLModel.CLASS_PROBABILITY_PREFIX;
  }

  /** The method {@code transform} will use for this model: "tree" or "kernel". */
  public String resolvedMethod() {
    MojoModel h2o = getMojo();
    if (h2o != null) {
      String why = RowContributions.unsupportedReasonForClass(h2o);
      String asked = getMethod();
      if (asked.equals("tree") && why != null) {
        throw new IllegalArgumentException("ShapExplainer: method=tree needs exact contributions, but " + why
            + " (method=auto falls back to it)");
      }
      if (asked.equals("tree") || (asked.equals("auto") && why == null)) return "tree";
      if (!isDefined(model)) {
        throw new IllegalArgumentException("ShapExplainer: " + (why != null ? why + "; " : "")
            + "method=kernel evaluates the model through a Spark ML Transformer: set it with setModel (e.g. the "
            + "AutoMLModel), not only setMojo");
      }
      return "kernel";
    }
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
    MojoModel h2o = getMojo();
    if (h2o != null) {
      if (resolvedMethod().equals("tree")) return mojoSource(featureNames()).description();
      return h2oKernelOutput(h2o).description();
    }
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
    MojoModel h2o = getMojo();
    if (h2o != null) return isSet(inputCols) ? Arrays.asList(getInputCols()) : Arrays.asList(h2o.features());
    List<String> f = features(ModelAnatomy.of(requireModel()));
    if (f == null) {
      throw new IllegalStateException("ShapExplainer: cannot tell which columns the model reads; set inputCols");
    }
    return f;
  }

  private List<String> features(ModelAnatomy a) {
    if (isSet(inputCols)) return Arrays.asList(getInputCols());
    return a.explainedFeatures();
  }

  private Transformer requireModel() {
    if (!isDefined(model)) throw new IllegalArgumentException("ShapExplainer: set the model to explain (setModel)");
    return getModel();
  }

  @Override
  public StructType transformSchema(StructType schema) {
    if (getMojo() != null) return h2oSchema(schema);
    Transformer m = requireModel();
    ModelAnatomy a = ModelAnatomy.of(m);
    String resolved = resolvedMethod();
    List<String> feats = features(a);
    if (feats == null && resolved.equals("kernel")) {
      throw new IllegalArgumentException("ShapExplainer: cannot tell which columns the model reads (stage "
          + a.opaqueStage + " does not name its input columns); set inputCols");
    }
    List<String> needed = new ArrayList<>();
    if (feats != null) needed.addAll(feats);
    if (resolved.equals("kernel") && a.rawInputs != null) {
      for (String c : a.rawInputs) if (!needed.contains(c)) needed.add(c);
    }
    if (resolved.equals("tree") && a.rawInputs != null) {
      // Every column the feature stages read (or a bare tree model's own vector column).
      for (String c : a.rawInputs) if (!needed.contains(c)) needed.add(c);
    }
    List<String> names = Arrays.asList(schema.fieldNames());
    for (String c : needed) {
      if (c.contains("+")) continue; // a feature built from several raw columns: each is checked on its own
      if (!names.contains(c)) {
        throw new IllegalArgumentException("ShapExplainer: feature column '" + c + "' is missing from the input; "
            + "the model reads " + needed + " and the input has " + names);
      }
    }
    for (String out : outputColumns(resolved)) {
      if (names.contains(out)) {
        throw new IllegalArgumentException("ShapExplainer: output column '" + out + "' already exists in the input");
      }
    }
    if (resolved.equals("tree")) treeOutput(a.predictor());
    StructType out = schema.add(shapField(feats));
    out = out.add(getBaseValueCol(), DataTypes.DoubleType, false);
    if (resolved.equals("kernel")) out = out.add(getFitCol(), DataTypes.DoubleType, true);
    return out;
  }

  /** The output schema for an H2O model; checks every column it reads and every output name first. */
  private StructType h2oSchema(StructType schema) {
    String resolved = resolvedMethod();
    List<String> feats = featureNames();
    List<String> names = Arrays.asList(schema.fieldNames());
    java.util.Set<String> lower = new java.util.HashSet<>();
    for (String n : names) lower.add(n.toLowerCase(java.util.Locale.ROOT));
    List<String> needed = new ArrayList<>(feats);
    for (String f : getMojo().features()) if (!needed.contains(f)) needed.add(f);
    for (String c : needed) {
      if (!lower.contains(c.toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("ShapExplainer: feature column '" + c + "' is missing from the input; "
            + "the H2O model reads " + Arrays.asList(getMojo().features()) + " and the input has " + names);
      }
    }
    for (String out : outputColumns(resolved)) {
      if (names.contains(out)) {
        throw new IllegalArgumentException("ShapExplainer: output column '" + out + "' already exists in the input");
      }
    }
    if (resolved.equals("tree")) {
      MojoShapSource src = mojoSource(feats);
      String natural = src.description().startsWith("probability") ? "probability"
          : src.description().startsWith("log-odds") ? "raw" : "prediction";
      String asked = getExplainedOutput();
      if (!asked.equals("auto") && !asked.equals(natural)) {
        throw new IllegalArgumentException("ShapExplainer: the exact contributions of this H2O model explain "
            + "explainedOutput=" + natural + " (" + src.description() + "), not " + asked + "; use method=kernel to explain "
            + asked);
      }
    } else {
      h2oKernelOutput(getMojo());
    }
    StructType out = schema.add(shapField(feats)).add(getBaseValueCol(), DataTypes.DoubleType, false);
    if (resolved.equals("kernel")) out = out.add(getFitCol(), DataTypes.DoubleType, true);
    return out;
  }

  private MojoShapSource mojoSource(List<String> feats) {
    return new MojoShapSource(getMojo(), feats, getTargetClass());
  }

  /** Column names of the log-odds that KernelSHAP of an AutoMLModel explains with explainedOutput=raw. */
  static final String LOG_ODDS_COL = "__omelet_log_odds";

  /**
   * What KernelSHAP reads from an AutoMLModel's output: the target class's p_ column (or its log-odds, added by a
   * SQL stage after the model), or the regression prediction.
   */
  private KernelShapSource.Output h2oKernelOutput(MojoModel h2o) {
    String[] domain = h2o.responseDomain();
    String asked = getExplainedOutput();
    if (domain == null) {
      if (!asked.equals("auto") && !asked.equals("prediction")) {
        throw new IllegalArgumentException("ShapExplainer: explainedOutput=" + asked + " but the H2O model is a "
            + "regression; it explains its prediction");
      }
      String predictionCol = getModel() instanceof MojoScorer s ? s.getOrDefault(s.predictionCol())
          : ((AutoMLModel) getModel()).getOrDefault(((AutoMLModel) getModel()).predictionCol());
      return new KernelShapSource.Output(predictionCol, -1, "prediction");
    }
    int target = getTargetClass();
    if (target >= domain.length) {
      throw new IllegalArgumentException("ShapExplainer: targetClass " + target + " is out of range: the model has "
          + domain.length + " classes " + Arrays.asList(domain));
    }
    String p = classProbabilityPrefix() + domain[target];
    return switch (asked) {
      case "auto", "probability" -> new KernelShapSource.Output(p, -1, "probability of class " + domain[target]);
      case "raw" -> new KernelShapSource.Output(LOG_ODDS_COL, -1, "log-odds of class " + domain[target]);
      default -> throw new IllegalArgumentException("ShapExplainer: explainedOutput=" + asked + " of an H2O classifier: "
          + "use probability or raw (log-odds)");
    };
  }

  /** The AutoMLModel, followed for explainedOutput=raw by a stage adding the target class's log-odds. */
  private Transformer h2oKernelModel(KernelShapSource.Output o) {
    Transformer m = getModel();
    if (!o.col().equals(LOG_ODDS_COL)) return m;
    String p = "`" + classProbabilityPrefix() + getMojo().responseDomain()[getTargetClass()] + "`";
    // Clamped so that a probability of exactly 0 or 1 gives a large finite log-odds.
    String sql = "SELECT *, ln(greatest(" + p + ", 1e-15) / greatest(1 - " + p + ", 1e-15)) AS " + LOG_ODDS_COL
        + " FROM __THIS__";
    return new org.apache.spark.ml.PipelineModel(Identifiable.randomUID("omelet_h2o_log_odds"),
        new Transformer[] {m, new org.apache.spark.ml.feature.SQLTransformer().setStatement(sql)});
  }

  private List<String> outputColumns(String resolved) {
    List<String> cols = new ArrayList<>(List.of(getOutputCol(), getBaseValueCol()));
    if (resolved.equals("kernel")) cols.add(getFitCol());
    return cols;
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
    TreeEnsemble.Output natural = TreeEnsemble.naturalOutput(predictor);
    String naturalName = switch (natural) {
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
    ShapSource source = getMojo() != null ? h2oSource(input) : source(ModelAnatomy.of(getModel()), input);
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

  /** The backend for an H2O model: its MOJO's contributions, or KernelSHAP through the AutoMLModel. */
  ShapSource h2oSource(Dataset<Row> input) {
    List<String> feats = featureNames();
    if (resolvedMethod().equals("tree")) return mojoSource(feats);
    KernelShapSource.Output o = h2oKernelOutput(getMojo());
    String[] rawCols = feats.toArray(new String[0]);
    Dataset<Row> bgSource = backgroundData != null ? backgroundData : input;
    Background bg = getBackgroundMode().equals("kmeans")
        ? Background.kmeans(bgSource, rawCols, getBackgroundSize(), getSeed())
        : Background.sample(bgSource, rawCols, getBackgroundSize(), getSeed());
    int samples = getNumSamples() > 0 ? getNumSamples() : Coalitions.defaultNumSamples(feats.size());
    Coalitions c = Coalitions.sample(feats.size(), samples, getSeed());
    return new KernelShapSource(h2oKernelModel(o), feats, List.of(), o, c, bg, getRowsPerTask());
  }

  /** Builds the backend for this model and data (package-visible so tests and the H2O backend can reuse it). */
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
    List<String> raw = new ArrayList<>(feats);
    raw.addAll(carried);
    String[] rawCols = raw.toArray(new String[0]);
    Dataset<Row> bgSource = backgroundData != null ? backgroundData : input;
    Background bg = getBackgroundMode().equals("kmeans")
        ? Background.kmeans(bgSource, rawCols, getBackgroundSize(), getSeed())
        : Background.sample(bgSource, rawCols, getBackgroundSize(), getSeed());
    int samples = getNumSamples() > 0 ? getNumSamples() : Coalitions.defaultNumSamples(feats.size());
    Coalitions c = Coalitions.sample(feats.size(), samples, getSeed());
    return new KernelShapSource(getModel(), feats, carried, kernelOutput(a), c, bg, getRowsPerTask());
  }

  private KernelShapSource.Output kernelOutput(ModelAnatomy a) {
    Transformer p = a.predictor();
    String asked = getExplainedOutput();
    int target = getTargetClass();
    boolean classifier = p instanceof ClassificationModel<?, ?>;
    if (classifier) {
      int numClasses = ((ClassificationModel<?, ?>) p).numClasses();
      if (target >= numClasses) {
        throw new IllegalArgumentException("ShapExplainer: targetClass " + target + " is out of range: the model has "
            + numClasses + " classes");
      }
    }
    String col;
    switch (asked) {
      case "raw" -> col = "rawPredictionCol";
      case "probability" -> col = "probabilityCol";
      case "prediction" -> col = "predictionCol";
      default -> col = p != null && p.hasParam("probabilityCol") ? "probabilityCol" : "predictionCol";
    }
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
}
