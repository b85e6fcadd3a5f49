package io.omelet.automl;

import io.omelet.automl.engine.H2OEngines;
import io.omelet.automl.engine.H2OEngine;
import io.omelet.registry.OmeletRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * AutoML as a Spark ML estimator: {@code fit} runs H2O AutoML on the DataFrame (see
 * {@link AutoMLJob}) and returns an {@link AutoMLModel} holding the leader's MOJO and every
 * leaderboard model. Its params ({@link AutoMLParams}, shared with the model) are named as
 * Sparkling Water's H2OAutoML names them; a named profile ({@link #setProfile}) fills those not set.
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
public class OmeletAutoML extends Estimator<AutoMLModel> implements AutoMLParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Declared declared;
  private transient H2OEngine engine;
  private transient List<AutoMLListener> listeners = new CopyOnWriteArrayList<>();
  private transient volatile AutoMLJob current;

  public OmeletAutoML() {
    this(Identifiable.randomUID("omeletAutoML"));
  }

  public OmeletAutoML(String uid) {
    this.uid = uid;
    this.declared = new Declared(this);
  }

  @Override
  public Declared declared() {
    return declared;
  }

  @Override
  public String uid() {
    return uid;
  }

  // ------------------------------------------------------------ setters (checked at once)

  public OmeletAutoML setLabelCol(String v) { return put(labelCol(), v); }
  public OmeletAutoML setFeaturesCols(String... v) { return put(featuresCols(), orEmpty(v)); }
  public OmeletAutoML setIgnoredCols(String... v) { return put(ignoredCols(), orEmpty(v)); }
  /** auto (or null) to detect it from the label, binomial (binary), multinomial (multiclass) or regression. */
  public OmeletAutoML setProblemType(String v) { return put(problemTypeParam(), v == null ? "auto" : v); }
  public OmeletAutoML setMaxModels(int v) { return put(maxModels(), v); }
  public OmeletAutoML setMaxRuntimeSecs(double v) { return put(maxRuntimeSecs(), v); }
  public OmeletAutoML setMaxRuntimeSecsPerModel(double v) { return put(maxRuntimeSecsPerModel(), v); }
  public OmeletAutoML setNfolds(int v) { return put(nfolds(), v); }
  public OmeletAutoML setSeed(long v) { return put(seed(), v); }

  /** Algorithm names in any case (XRT is DRF), kept as H2O spells them. */
  public OmeletAutoML setIncludeAlgos(String... v) {
    return put(includeAlgos(), AutoMLParams.canonicalAlgos("includeAlgos", orEmpty(v)));
  }

  public OmeletAutoML setExcludeAlgos(String... v) {
    return put(excludeAlgos(), AutoMLParams.canonicalAlgos("excludeAlgos", orEmpty(v)));
  }

  public OmeletAutoML setSortMetric(String v) {
    return put(sortMetric(), AutoMLParams.canonical("sortMetric", v, SORT_METRICS));
  }

  public OmeletAutoML setStoppingMetric(String v) {
    return put(stoppingMetric(), AutoMLParams.canonical("stoppingMetric", v, STOPPING_METRICS));
  }

  public OmeletAutoML setStoppingRounds(int v) { return put(stoppingRounds(), v); }
  public OmeletAutoML setStoppingTolerance(double v) { return put(stoppingTolerance(), v); }
  public OmeletAutoML setBalanceClasses(boolean v) { return put(balanceClasses(), v); }
  public OmeletAutoML setWeightCol(String v) { return put(weightCol(), orBlank(v)); }
  public OmeletAutoML setSample(double v) { return put(sample(), v); }
  public OmeletAutoML setHoldoutFraction(double v) { return put(holdoutFraction(), v); }
  public OmeletAutoML setPositiveClass(String v) { return put(positiveClass(), orBlank(v)); }
  public OmeletAutoML setRefitOnAllRows(boolean v) { return put(refitOnAllRows(), v); }
  public OmeletAutoML setFoldCol(String v) { return put(foldCol(), orBlank(v)); }
  public OmeletAutoML setGroupCol(String v) { return put(groupCol(), orBlank(v)); }
  public OmeletAutoML setExploitationRatio(double v) { return put(exploitationRatio(), v); }
  public OmeletAutoML setPredictionCol(String v) { return put(predictionCol(), v); }
  public OmeletAutoML setProbabilityCol(String v) { return put(probabilityCol(), v); }
  public OmeletAutoML setExperimentName(String v) { return put(experimentName(), orBlank(v)); }
  public OmeletAutoML setRunName(String v) { return put(runName(), orBlank(v)); }
  public OmeletAutoML setRegisteredModelName(String v) { return put(registeredModelName(), orBlank(v)); }
  public OmeletAutoML setModelAlias(String v) { return put(modelAlias(), orBlank(v)); }
  public OmeletAutoML setRegistryRoot(String v) { return put(registryRoot(), orBlank(v)); }
  public OmeletAutoML setProfile(String v) { return put(profile(), orBlank(v)); }

  /**
   * Applies a profile (a preset, see {@link AutoMLProfiles}) under the params set explicitly: only
   * params not set here take the profile's values, so explicit params win whichever was set first.
   * ({@code copy(profile)} applies it over them instead, as Spark applies any extra ParamMap.)
   */
  public OmeletAutoML applyProfile(ParamMap profile) {
    for (Param<?> p : params()) {
      if (!isSet(p) && profile.contains(p)) setFrom(profile, p);
    }
    return this;
  }

  private <T> void setFrom(ParamMap values, Param<T> p) {
    set(p, values.apply(p));
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
    OmeletAutoML effective = withProfile(dataset);
    AutoMLJob job = new AutoMLJob(engine(), effective);
    for (AutoMLListener l : listeners()) job.addListener(l);
    if (tracker != null) job.addListener(tracker);
    current = job;
    try {
      AutoMLModel model = new AutoMLModel(uid, job.run(dataset.toDF()));
      if (tracker != null) model.setTrackedRun(tracker.tracked());
      effective.copyValues(model, ParamMap.empty());
      return model.setParent(this);
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
    return new AutoMLJob(engine(), withProfile(dataset)).check(dataset.toDF());
  }

  private H2OEngine engine() {
    return engine != null ? engine : H2OEngines.active();
  }

  /** A copy with the named profile, if any, applied under the params set here: what a fit runs with. */
  OmeletAutoML withProfile(Dataset<?> dataset) {
    OmeletAutoML c = copy(ParamMap.empty());
    String name = getProfile();
    if (name.isBlank()) return c;
    OmeletRegistry registry = AutoMLProfiles.isBuiltIn(name) ? null : registry(dataset);
    return c.applyProfile(AutoMLProfiles.load(registry, name, c));
  }

  private OmeletRegistry registry(Dataset<?> dataset) {
    String root = getRegistryRoot();
    return root.isBlank() ? OmeletRegistry.open(dataset.sparkSession())
        : OmeletRegistry.open(dataset.sparkSession(), root);
  }

  /** The registry tracker of a fit, when an experiment is named. */
  private RegistryTracker tracker(Dataset<?> dataset) {
    if (!checkTracking()) return null;
    OmeletRegistry registry = registry(dataset);
    return new RegistryTracker(registry, getExperimentName(), orNull(getRunName()),
        TrainingData.references(registry, dataset, "training"), orNull(getRegisteredModelName()),
        orNull(getModelAlias()));
  }

  /** Checks the tracking params (names, a model name without an experiment); whether a fit is tracked. */
  private boolean checkTracking() {
    String model = getRegisteredModelName();
    if (getExperimentName().isBlank()) {
      if (!model.isBlank()) {
        throw new IllegalArgumentException("registeredModelName '" + model + "' needs experimentName: "
            + "the registered version comes from a tracked run");
      }
      return false;
    }
    RegistryTracker.checkNames(getExperimentName(), orNull(getRunName()), orNull(model), orNull(getModelAlias()));
    return true;
  }

  /**
   * Checks the columns the params name before anything runs; the output adds the prediction
   * (and, for a non-numeric label, the probability vector; the per-class columns are known only
   * after fitting).
   */
  @Override
  public StructType transformSchema(StructType schema) {
    if (!isDefined(labelCol()) || getLabelCol() == null) {
      throw new AutoMLInputException("labelCol is not set: name the column to predict");
    }
    StructField label = field(schema, getLabelCol(), "label column");
    for (String c : getFeaturesCols()) field(schema, c, "feature column");
    for (String c : getIgnoredCols()) field(schema, c, "ignored column");
    if (!getWeightCol().isEmpty()) field(schema, getWeightCol(), "weight column");
    ProblemType t = ProblemType.parse(getProblemType());
    boolean classification = t != null ? t.isClassification()
        : !(label.dataType() instanceof NumericType);
    StructType out = schema.add(getPredictionCol(),
        classification ? DataTypes.StringType : DataTypes.DoubleType, true);
    if (classification && !getProbabilityCol().isEmpty()) {
      out = out.add(getProbabilityCol(), SQLDataTypes.VectorType(), true);
    }
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

  private static String orBlank(String v) {
    return v == null ? "" : v;
  }

  private static String orNull(String v) {
    return v.isBlank() ? null : v;
  }
}
