package io.omelet.automl;

import io.omelet.automl.engine.H2OEngines;
import io.omelet.automl.engine.H2OEngine;
import io.omelet.registry.OmeletRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * AutoML as a Spark ML estimator: {@code fit} runs H2O AutoML on the DataFrame (see
 * {@link AutoMLJob}) and returns an {@link AutoMLModel} holding the leader's MOJO and every
 * leaderboard model. Params are named as Sparkling Water's H2OAutoML names them.
 *
 * <pre>{@code
 * AutoMLModel model = new OmeletAutoML().setLabelCol("Class").setMaxModels(10).setSeed(42).fit(df);
 * model.leaderboard().show();
 * model.transform(newRows).select("prediction", "p_bad").show();
 * }</pre>
 *
 * <p>Listeners ({@link #addListener}) see progress and every model: that is where tracking hooks
 * in. {@link #cancel()} stops a running fit from another thread.
 */
public class OmeletAutoML extends Estimator<AutoMLModel> implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private transient H2OEngine engine;
  private transient List<AutoMLListener> listeners = new CopyOnWriteArrayList<>();
  private transient volatile AutoMLJob current;

  private final Param<String> labelCol;
  private final StringArrayParam featuresCols;
  private final StringArrayParam ignoredCols;
  private final Param<String> problemType;
  private final IntParam maxModels;
  private final DoubleParam maxRuntimeSecs;
  private final DoubleParam maxRuntimeSecsPerModel;
  private final IntParam nfolds;
  private final LongParam seed;
  private final StringArrayParam includeAlgos;
  private final StringArrayParam excludeAlgos;
  private final Param<String> sortMetric;
  private final Param<String> stoppingMetric;
  private final IntParam stoppingRounds;
  private final DoubleParam stoppingTolerance;
  private final BooleanParam balanceClasses;
  private final Param<String> weightCol;
  private final DoubleParam sample;
  private final DoubleParam holdoutFraction;
  private final Param<String> predictionCol;
  private final Param<String> probabilityCol;
  private final Param<String> experimentName;
  private final Param<String> runName;
  private final Param<String> registeredModelName;
  private final Param<String> modelAlias;
  private final Param<String> registryRoot;
  private final Param<String> profile;
  private final Param<String> positiveClass;
  private final BooleanParam refitOnAllRows;
  private final Param<String> foldCol;
  private final Param<String> groupCol;
  private final DoubleParam exploitationRatio;

  public OmeletAutoML() {
    this(Identifiable.randomUID("omeletAutoML"));
  }

  public OmeletAutoML(String uid) {
    this.uid = uid;
    // Params need the uid, so they are made here, not in field initializers.
    featuresCols = new StringArrayParam(this, "featuresCols", "feature columns; empty for every column but the label, weight and ignored ones");
    maxModels = new IntParam(this, "maxModels", "most models to build (stacked ensembles not counted); 0 for no limit");
    maxRuntimeSecs = new DoubleParam(this, "maxRuntimeSecs", "time budget of the whole run in seconds; 0 for none (3600 when maxModels is 0 too)");
    maxRuntimeSecsPerModel = new DoubleParam(this, "maxRuntimeSecsPerModel", "time budget per model in seconds; 0 for none");
    seed = new LongParam(this, "seed", "random seed; -1 for a random one");
    stoppingRounds = new IntParam(this, "stoppingRounds", "early stopping after this many rounds without improvement; 0 to disable");
    stoppingTolerance = new DoubleParam(this, "stoppingTolerance", "relative improvement that counts; -1 to let H2O pick from the data size");
    weightCol = new Param<>(this, "weightCol", "column of row weights; empty for none");
    labelCol = new Param<>(this, "labelCol", "the column to predict");
    ignoredCols = new StringArrayParam(this, "ignoredCols",
        "columns not to use as features");
    problemType = new Param<>(this, "problemType",
        "auto (detected from the label), binomial, multinomial or regression");
    nfolds = new IntParam(this, "nfolds",
        "cross-validation folds (0 for none, else >= 2)");
    includeAlgos = new StringArrayParam(this, "includeAlgos",
        "only these algorithms: XGBoost, GBM, DRF (XRT included), GLM, DeepLearning, StackedEnsemble");
    excludeAlgos = new StringArrayParam(this, "excludeAlgos",
        "not these algorithms (same names as includeAlgos)");
    sortMetric = new Param<>(this, "sortMetric",
        "leaderboard sort metric: AUTO, AUC, AUCPR, logloss, mean_per_class_error, RMSE, MSE, MAE,"
            + " RMSLE, deviance");
    stoppingMetric = new Param<>(this, "stoppingMetric",
        "early-stopping metric (AUTO, logloss, AUC, RMSE, ...)");
    balanceClasses = new BooleanParam(this, "balanceClasses",
        "over/under-sample the classes to balance them");
    sample = new DoubleParam(this, "sample",
        "rows to use: 0 for all, a fraction in (0, 1), or a row count above 1");
    holdoutFraction = new DoubleParam(this, "holdoutFraction",
        "share of rows held out to evaluate every model (stratified for classification)");
    predictionCol = new Param<>(this, "predictionCol",
        "prediction column the model adds");
    probabilityCol = new Param<>(this, "probabilityCol",
        "class probability vector column the model adds (classification)");
    experimentName = new Param<>(this, "experimentName",
        "track the job in this registry experiment (a parent run, a child run per model); empty for no tracking");
    runName = new Param<>(this, "runName", "name of the parent run; empty for automl-<label>");
    registeredModelName = new Param<>(this, "registeredModelName",
        "register the leader as a new version of this model (needs experimentName); empty not to");
    modelAlias = new Param<>(this, "modelAlias", "point this alias (e.g. champion) at the new version; empty not to");
    registryRoot = new Param<>(this, "registryRoot",
        "registry root path; empty for spark.omelet.registry.root or ./omelet-registry");
    profile = new Param<>(this, "profile",
        "named AutoML profile (fast, balanced, thorough, or one saved in the registry); params set here win");
    positiveClass = new Param<>(this, "positiveClass",
        "binary problems: the class precision, recall and F1 describe; empty for the minority class");
    refitOnAllRows = new BooleanParam(this, "refitOnAllRows",
        "serve the leader refit on every labelled row (holdout included) with its selected settings; false to serve it as trained");
    foldCol = new Param<>(this, "foldCol", "column assigning each row its cross-validation fold; empty to draw folds at random");
    groupCol = new Param<>(this, "groupCol",
        "column of groups kept together (each wholly in one fold and one side of the holdout); empty for none");
    exploitationRatio = new DoubleParam(this, "exploitationRatio",
        "share of the time budget for fine-tuning the best boosted trees, in [0, 1]; -1 for H2O's default");
    AutoMLSettings d = new AutoMLSettings();
    setDefault(exploitationRatio, d.exploitationRatio());
    setDefault(refitOnAllRows, d.refitOnAllRows());
    setDefault(foldCol, "");
    setDefault(groupCol, "");
    setDefault(featuresCols, new String[0]);
    setDefault(ignoredCols, new String[0]);
    setDefault(problemType, "auto");
    setDefault(maxModels, d.maxModels());
    setDefault(maxRuntimeSecs, d.maxRuntimeSecs());
    setDefault(maxRuntimeSecsPerModel, d.maxRuntimeSecsPerModel());
    setDefault(nfolds, d.nfolds());
    setDefault(seed, d.seed());
    setDefault(includeAlgos, new String[0]);
    setDefault(excludeAlgos, new String[0]);
    setDefault(sortMetric, d.sortMetric());
    setDefault(stoppingMetric, d.stoppingMetric());
    setDefault(stoppingRounds, d.stoppingRounds());
    setDefault(stoppingTolerance, d.stoppingTolerance());
    setDefault(balanceClasses, d.balanceClasses());
    setDefault(weightCol, "");
    setDefault(sample, d.sample());
    setDefault(holdoutFraction, d.holdoutFraction());
    setDefault(predictionCol, "prediction");
    setDefault(probabilityCol, "probability");
    setDefault(experimentName, "");
    setDefault(runName, "");
    setDefault(registeredModelName, "");
    setDefault(modelAlias, "");
    setDefault(registryRoot, "");
    setDefault(profile, "");
    setDefault(positiveClass, "");
  }

  // Spark ML finds params through public no-argument methods returning them.
  public StringArrayParam featuresCols() {
    return featuresCols;
  }

  public IntParam maxModels() {
    return maxModels;
  }

  public DoubleParam maxRuntimeSecs() {
    return maxRuntimeSecs;
  }

  public DoubleParam maxRuntimeSecsPerModel() {
    return maxRuntimeSecsPerModel;
  }

  public LongParam seed() {
    return seed;
  }

  public IntParam stoppingRounds() {
    return stoppingRounds;
  }

  public DoubleParam stoppingTolerance() {
    return stoppingTolerance;
  }

  public Param<String> weightCol() {
    return weightCol;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public StringArrayParam ignoredCols() {
    return ignoredCols;
  }

  public Param<String> problemType() {
    return problemType;
  }

  public IntParam nfolds() {
    return nfolds;
  }

  public StringArrayParam includeAlgos() {
    return includeAlgos;
  }

  public StringArrayParam excludeAlgos() {
    return excludeAlgos;
  }

  public Param<String> sortMetric() {
    return sortMetric;
  }

  public Param<String> stoppingMetric() {
    return stoppingMetric;
  }

  public BooleanParam balanceClasses() {
    return balanceClasses;
  }

  public DoubleParam sample() {
    return sample;
  }

  public DoubleParam holdoutFraction() {
    return holdoutFraction;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  public Param<String> experimentName() {
    return experimentName;
  }

  public Param<String> runName() {
    return runName;
  }

  public Param<String> registeredModelName() {
    return registeredModelName;
  }

  public Param<String> modelAlias() {
    return modelAlias;
  }

  public Param<String> registryRoot() {
    return registryRoot;
  }

  public BooleanParam refitOnAllRows() {
    return refitOnAllRows;
  }

  public Param<String> foldCol() {
    return foldCol;
  }

  public Param<String> groupCol() {
    return groupCol;
  }

  public DoubleParam exploitationRatio() {
    return exploitationRatio;
  }

  public Param<String> positiveClass() {
    return positiveClass;
  }

  public Param<String> profile() {
    return profile;
  }

  @Override
  public String uid() {
    return uid;
  }

  // ------------------------------------------------------------ setters (checked at once)

  public OmeletAutoML setLabelCol(String v) { return put(labelCol, v); }
  public OmeletAutoML setFeaturesCols(String... v) { return put(featuresCols, v); }
  public OmeletAutoML setIgnoredCols(String... v) { return put(ignoredCols, v); }

  public OmeletAutoML setProblemType(String v) {
    ProblemType.parse(v);
    return put(problemType, v);
  }

  public OmeletAutoML setMaxModels(int v) {
    new AutoMLSettings().maxModels(v);
    return put(maxModels, v);
  }

  public OmeletAutoML setMaxRuntimeSecs(double v) {
    new AutoMLSettings().maxRuntimeSecs(v);
    return put(maxRuntimeSecs, v);
  }

  public OmeletAutoML setMaxRuntimeSecsPerModel(double v) {
    new AutoMLSettings().maxRuntimeSecsPerModel(v);
    return put(maxRuntimeSecsPerModel, v);
  }

  public OmeletAutoML setNfolds(int v) {
    new AutoMLSettings().nfolds(v);
    return put(nfolds, v);
  }

  public OmeletAutoML setSeed(long v) { return put(seed, v); }

  public OmeletAutoML setIncludeAlgos(String... v) {
    return put(includeAlgos, orEmpty(new AutoMLSettings().includeAlgos(v).includeAlgos()));
  }

  public OmeletAutoML setExcludeAlgos(String... v) {
    return put(excludeAlgos, orEmpty(new AutoMLSettings().excludeAlgos(v).excludeAlgos()));
  }

  public OmeletAutoML setSortMetric(String v) {
    return put(sortMetric, new AutoMLSettings().sortMetric(v).sortMetric());
  }

  public OmeletAutoML setStoppingMetric(String v) {
    return put(stoppingMetric, new AutoMLSettings().stoppingMetric(v).stoppingMetric());
  }

  public OmeletAutoML setStoppingRounds(int v) {
    new AutoMLSettings().stoppingRounds(v);
    return put(stoppingRounds, v);
  }

  public OmeletAutoML setStoppingTolerance(double v) { return put(stoppingTolerance, v); }
  public OmeletAutoML setBalanceClasses(boolean v) { return put(balanceClasses, v); }
  public OmeletAutoML setWeightCol(String v) { return put(weightCol, v == null ? "" : v); }

  public OmeletAutoML setSample(double v) {
    new AutoMLSettings().sample(v);
    return put(sample, v);
  }

  public OmeletAutoML setHoldoutFraction(double v) {
    new AutoMLSettings().holdoutFraction(v);
    return put(holdoutFraction, v);
  }

  public OmeletAutoML setPredictionCol(String v) { return put(predictionCol, v); }
  public OmeletAutoML setExperimentName(String v) { return put(experimentName, v == null ? "" : v); }
  public OmeletAutoML setRunName(String v) { return put(runName, v == null ? "" : v); }
  public OmeletAutoML setRegisteredModelName(String v) { return put(registeredModelName, v == null ? "" : v); }
  public OmeletAutoML setModelAlias(String v) { return put(modelAlias, v == null ? "" : v); }
  public OmeletAutoML setRegistryRoot(String v) { return put(registryRoot, v == null ? "" : v); }
  public OmeletAutoML setProfile(String v) { return put(profile, v == null ? "" : v); }
  public OmeletAutoML setProbabilityCol(String v) { return put(probabilityCol, v); }
  public OmeletAutoML setPositiveClass(String v) { return put(positiveClass, v == null ? "" : v); }
  public OmeletAutoML setRefitOnAllRows(boolean v) { return put(refitOnAllRows, v); }
  public OmeletAutoML setFoldCol(String v) { return put(foldCol, v == null ? "" : v); }
  public OmeletAutoML setGroupCol(String v) { return put(groupCol, v == null ? "" : v); }

  public OmeletAutoML setExploitationRatio(double v) {
    new AutoMLSettings().exploitationRatio(v);
    return put(exploitationRatio, v);
  }

  public String getLabelCol() { return getOrDefault(labelCol); }
  public int getMaxModels() { return (Integer) getOrDefault(maxModels); }
  public int getNfolds() { return (Integer) getOrDefault(nfolds); }
  public long getSeed() { return (Long) getOrDefault(seed); }
  public double getHoldoutFraction() { return (Double) getOrDefault(holdoutFraction); }

  /** Applies every setting of a profile (a named preset); set params afterwards to override. */
  public OmeletAutoML setSettings(AutoMLSettings s) {
    if (s.labelCol() != null) setLabelCol(s.labelCol());
    setFeaturesCols(orEmpty(s.featuresCols()));
    setIgnoredCols(s.ignoredCols());
    setProblemType(s.problemType() == null ? "auto" : s.problemType().name().toLowerCase());
    setMaxModels(s.maxModels());
    setMaxRuntimeSecs(s.maxRuntimeSecs());
    setMaxRuntimeSecsPerModel(s.maxRuntimeSecsPerModel());
    setNfolds(s.nfolds());
    setSeed(s.seed());
    put(includeAlgos, orEmpty(s.includeAlgos()));
    put(excludeAlgos, orEmpty(s.excludeAlgos()));
    setSortMetric(s.sortMetric());
    setStoppingMetric(s.stoppingMetric());
    setStoppingRounds(s.stoppingRounds());
    setStoppingTolerance(s.stoppingTolerance());
    setBalanceClasses(s.balanceClasses());
    setWeightCol(s.weightCol());
    setSample(s.sample());
    setPositiveClass(s.positiveClass());
    setRefitOnAllRows(s.refitOnAllRows());
    setFoldCol(s.foldCol());
    setGroupCol(s.groupCol());
    setExploitationRatio(s.exploitationRatio());
    return setHoldoutFraction(s.holdoutFraction());
  }

  /**
   * Applies a profile (a named preset) under the params set explicitly: only params not set on
   * this estimator take the profile's values, so explicit params override the profile whichever
   * was called first.
   */
  public OmeletAutoML applyProfile(AutoMLSettings profile) {
    OmeletAutoML fromProfile = new OmeletAutoML(uid).setSettings(profile);
    for (org.apache.spark.ml.param.Param<?> p : params()) {
      if (!isSet(p) && fromProfile.isSet(p)) setAny(p, fromProfile.getOrDefault(p));
    }
    return this;
  }

  @SuppressWarnings("unchecked")
  private <T> void setAny(org.apache.spark.ml.param.Param<T> p, Object v) {
    set(p, (T) v);
  }

  /** The params as job settings. */
  public AutoMLSettings toSettings() {
    String[] feats = getOrDefault(featuresCols);
    String[] inc = getOrDefault(includeAlgos);
    String[] exc = getOrDefault(excludeAlgos);
    return new AutoMLSettings()
        .labelCol(isDefined(labelCol) ? getOrDefault(labelCol) : null)
        .featuresCols(feats)
        .ignoredCols(getOrDefault(ignoredCols))
        .problemType(ProblemType.parse(getOrDefault(problemType)))
        .maxModels((Integer) getOrDefault(maxModels))
        .maxRuntimeSecs((Double) getOrDefault(maxRuntimeSecs))
        .maxRuntimeSecsPerModel((Double) getOrDefault(maxRuntimeSecsPerModel))
        .nfolds((Integer) getOrDefault(nfolds))
        .seed((Long) getOrDefault(seed))
        .includeAlgos(inc)
        .excludeAlgos(exc)
        .sortMetric(getOrDefault(sortMetric))
        .stoppingMetric(getOrDefault(stoppingMetric))
        .stoppingRounds((Integer) getOrDefault(stoppingRounds))
        .stoppingTolerance((Double) getOrDefault(stoppingTolerance))
        .balanceClasses((Boolean) getOrDefault(balanceClasses))
        .weightCol(getOrDefault(weightCol))
        .sample((Double) getOrDefault(sample))
        .holdoutFraction((Double) getOrDefault(holdoutFraction))
        .positiveClass(getOrDefault(positiveClass))
        .refitOnAllRows((Boolean) getOrDefault(refitOnAllRows))
        .foldCol(getOrDefault(foldCol))
        .groupCol(getOrDefault(groupCol))
        .exploitationRatio((Double) getOrDefault(exploitationRatio));
  }

  // ------------------------------------------------------------ engine, listeners, cancel

  /** The engine to train on; default: the one {@code spark.omelet.h2o.backend} names ({@link H2OEngines#active()}). */
  public OmeletAutoML setEngine(H2OEngine e) {
    engine = e;
    return this;
  }

  public OmeletAutoML addListener(AutoMLListener l) {
    listeners().add(l);
    return this;
  }

  /** Stops the fit running now, if any; that fit throws {@link AutoMLCancelledException}. */
  public void cancel() {
    AutoMLJob j = current;
    if (j != null) j.cancel();
  }

  private List<AutoMLListener> listeners() {
    if (listeners == null) listeners = new CopyOnWriteArrayList<>();
    return listeners;
  }

  // ------------------------------------------------------------ Estimator

  @Override
  public AutoMLModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    RegistryTracker tracker = tracker(dataset);
    AutoMLJob job = new AutoMLJob(engine != null ? engine : H2OEngines.active(), effectiveSettings(dataset));
    for (AutoMLListener l : listeners()) job.addListener(l);
    if (tracker != null) job.addListener(tracker);
    current = job;
    try {
      AutoMLResult result = job.run(dataset.toDF());
      AutoMLModel model = new AutoMLModel(uid, result);
      if (tracker != null) model.setTrackedRun(tracker.tracked());
      model.setPredictionCol(getOrDefault(predictionCol));
      model.setProbabilityCol(getOrDefault(probabilityCol));
      model.setParent(this);
      return model;
    } finally {
      current = null;
    }
  }

  /**
   * What {@link #fit} would do with {@code dataset}, found by the checks it runs before training
   * (columns and types, label and classes, fold and group columns, rows per class after sampling
   * and the holdout), without starting H2O, training or writing anything.
   *
   * @throws AutoMLInputException for input that {@code fit} would refuse, with the same message
   */
  public AutoMLRunInfo check(Dataset<?> dataset) {
    transformSchema(dataset.schema(), false);
    checkTracking();
    // No engine is started: check() stops before the first call into H2O.
    return new AutoMLJob(engine != null ? engine : H2OEngines.active(), effectiveSettings(dataset))
        .check(dataset.toDF());
  }

  /** The settings a fit runs with: the named profile, if any, under the params set here. */
  AutoMLSettings effectiveSettings(Dataset<?> dataset) {
    String name = getOrDefault(profile);
    if (name.isBlank()) return toSettings();
    OmeletRegistry registry = AutoMLProfiles.builtIn().containsKey(name) ? null : registry(dataset);
    OmeletAutoML withProfile = copy(ParamMap.empty());
    withProfile.applyProfile(AutoMLProfiles.load(registry, name));
    return withProfile.toSettings();
  }

  private OmeletRegistry registry(Dataset<?> dataset) {
    String root = getOrDefault(registryRoot);
    return root.isBlank() ? OmeletRegistry.open(dataset.sparkSession())
        : OmeletRegistry.open(dataset.sparkSession(), root);
  }

  /** The registry tracker of a fit, when an experiment is named. */
  private RegistryTracker tracker(Dataset<?> dataset) {
    if (!checkTracking()) return null;
    String model = getOrDefault(registeredModelName);
    String name = getOrDefault(runName).isBlank() ? null : getOrDefault(runName);
    String alias = getOrDefault(modelAlias).isBlank() ? null : getOrDefault(modelAlias);
    OmeletRegistry registry = registry(dataset);
    return new RegistryTracker(registry, getOrDefault(experimentName), name,
        TrainingData.references(registry, dataset, "training"), model.isBlank() ? null : model, alias);
  }

  /** Checks the tracking params (names, a model name without an experiment); whether a fit is tracked. */
  private boolean checkTracking() {
    String experiment = getOrDefault(experimentName);
    String model = getOrDefault(registeredModelName);
    if (experiment.isBlank()) {
      if (!model.isBlank()) {
        throw new IllegalArgumentException("registeredModelName '" + model + "' needs experimentName: "
            + "the registered version comes from a tracked run");
      }
      return false;
    }
    RegistryTracker.checkNames(experiment, getOrDefault(runName).isBlank() ? null : getOrDefault(runName),
        model.isBlank() ? null : model, getOrDefault(modelAlias).isBlank() ? null : getOrDefault(modelAlias));
    return true;
  }

  /**
   * Checks the columns the settings name before anything runs; the output adds the prediction
   * (and, for a non-numeric label, the probability vector; the per-class columns are known only
   * after fitting).
   */
  @Override
  public StructType transformSchema(StructType schema) {
    if (!isDefined(labelCol) || getOrDefault(labelCol) == null) {
      throw new AutoMLInputException("labelCol is not set: name the column to predict");
    }
    StructField label = field(schema, getOrDefault(labelCol), "label column");
    List<String> check = new ArrayList<>(List.of(getOrDefault(featuresCols)));
    for (String c : check) field(schema, c, "feature column");
    for (String c : getOrDefault(ignoredCols)) field(schema, c, "ignored column");
    if (!getOrDefault(weightCol).isEmpty()) field(schema, getOrDefault(weightCol), "weight column");
    ProblemType t = ProblemType.parse(getOrDefault(problemType));
    boolean classification = t != null ? t.isClassification()
        : !(label.dataType() instanceof NumericType);
    StructType out = schema.add(getOrDefault(predictionCol),
        classification ? DataTypes.StringType : DataTypes.DoubleType, true);
    if (classification) out = out.add(getOrDefault(probabilityCol), SQLDataTypes.VectorType(), true);
    return out;
  }

  private static StructField field(StructType schema, String name, String what) {
    for (StructField f : schema.fields()) if (f.name().equals(name)) return f;
    for (StructField f : schema.fields()) if (f.name().equalsIgnoreCase(name)) return f;
    throw new AutoMLInputException(what + " '" + name + "' does not exist; the columns are "
        + String.join(", ", schema.fieldNames()));
  }

  @Override
  public OmeletAutoML copy(ParamMap extra) {
    OmeletAutoML c = defaultCopy(extra);
    c.engine = engine;
    c.listeners().addAll(listeners());
    return c;
  }

  public static MLReader<OmeletAutoML> read() {
    return new DefaultParamsReader<>();
  }

  public static OmeletAutoML load(String path) {
    return read().load(path);
  }

  private <T> OmeletAutoML put(Param<T> p, T v) {
    set(p, v);
    return this;
  }

  private static String[] orEmpty(String[] a) {
    return a == null ? new String[0] : a;
  }
}
