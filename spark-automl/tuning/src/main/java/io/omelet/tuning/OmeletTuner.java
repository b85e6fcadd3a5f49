package io.omelet.tuning;

import io.omelet.registry.OmeletRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Hyper-parameter search for any Spark ML estimator, shaped like Spark's {@code CrossValidator}:
 * {@code fit} runs a {@link Study} over a {@link TunerSpace} of the estimator's own Params, scores each
 * trial by cross-validation (or a single train/validation split with {@code trainRatio}) with the
 * evaluator, and refits the best parameters on the whole data as the {@link TunerModel}'s best model.
 *
 * <pre>{@code
 * TunerModel m = new OmeletTuner()
 *     .setEstimator(pipeline).setEvaluator(new BinaryClassificationEvaluator())
 *     .setSearchSpace(TunerSpace.builder().logUniform(gbt.stepSize(), 0.01, 0.3).integer(gbt.maxDepth(), 2, 8).build())
 *     .setMaxTrials(30).setNumFolds(3).setSeed(7)
 *     .fit(train);
 * m.trials().show();  m.importance();  m.transform(test);
 * }</pre>
 *
 * <p>Folds are drawn once per fit (seeded) and every trial uses the same ones; a trial reports each
 * fold's metric as step = fold index, and with {@code pruning} (a median rule per fold) a trial worse than
 * the completed ones' median at a fold stops there, PRUNED. The evaluator's {@code isLargerBetter} gives
 * the direction. A trial that throws is FAILED and the search goes on; if every trial fails, the first
 * error is raised. Every input is checked before any Spark job ({@link #transformSchema}); only a binary
 * evaluator's label check runs one small job. {@link #cancel()} from another thread stops a fit: no new
 * trial starts, running ones finish, and the best so far is refit.
 */
public class OmeletTuner extends Estimator<TunerModel> implements MLWritable {
  private static final long serialVersionUID = 1L;
  static final String FOLD_COL = "__omelet_fold";

  private final String uid;
  private transient volatile Study current;
  private transient volatile boolean cancelled;

  private final Param<Estimator<?>> estimator;
  private final Param<Evaluator> evaluator;
  private final Param<TunerSpace> searchSpace;
  private final IntParam numFolds;
  private final DoubleParam trainRatio;
  private final IntParam parallelism;
  private final LongParam seed;
  private final LongParam foldSeed;
  private final BooleanParam collectSubModels;
  private final Param<String> sampler;
  private final IntParam maxTrials;
  private final DoubleParam timeoutSeconds;
  private final BooleanParam pruning;
  private final IntParam pruningStartupTrials;
  private final IntParam startupTrials;
  private final IntParam gridPoints;
  private final Param<String> experimentName;
  private final Param<String> runName;
  private final Param<String> registryRoot;
  private final Param<String> registerModelName;
  private final Param<String> modelAlias;
  private final Param<String> resumeFrom;

  public OmeletTuner() {
    this(Identifiable.randomUID("omeletTuner"));
  }

  public OmeletTuner(String uid) {
    this.uid = uid;
    estimator = new Param<>(this, "estimator", "the estimator (or pipeline) to tune");
    evaluator = new Param<>(this, "evaluator", "scores each fold's predictions; its isLargerBetter gives the direction");
    searchSpace = new Param<>(this, "searchSpace", "the TunerSpace: the estimator's Params to search and their ranges");
    numFolds = new IntParam(this, "numFolds", "cross-validation folds (>= 2)");
    trainRatio = new DoubleParam(this, "trainRatio",
        "when set, one train/validation split with this share for training, in (0, 1), instead of folds");
    parallelism = new IntParam(this, "parallelism", "trials run at once (>= 1)");
    seed = new LongParam(this, "seed", "random seed of the folds and the sampler");
    foldSeed = new LongParam(this, "foldSeed", "random seed of the folds when it should differ from the sampler's; unset: seed");
    collectSubModels = new BooleanParam(this, "collectSubModels", "keep every trial's model of every fold");
    sampler = new Param<>(this, "sampler", "tpe (default), random or grid");
    maxTrials = new IntParam(this, "maxTrials", "most trials; 0 for no limit (then a timeout, or a grid, bounds the search)");
    timeoutSeconds = new DoubleParam(this, "timeoutSeconds", "no trial starts after this many seconds; 0 for no limit");
    pruning = new BooleanParam(this, "pruning", "stop a trial after a fold where it is worse than the completed trials' median");
    pruningStartupTrials = new IntParam(this, "pruningStartupTrials", "completed trials before pruning starts (>= 1)");
    startupTrials = new IntParam(this, "startupTrials", "tpe: random trials before the model-based proposals (>= 0);"
        + " when unset, a quarter of maxTrials, between 2 and 10 (10 with no maxTrials)");
    gridPoints = new IntParam(this, "gridPoints", "grid: values per float (and log integer) parameter (>= 2)");
    experimentName = new Param<>(this, "experimentName",
        "track the search in this registry experiment (a parent run, a child run per trial); empty for none");
    runName = new Param<>(this, "runName", "the parent run's name; empty for tuning-<estimator>");
    registryRoot = new Param<>(this, "registryRoot", "registry root; empty for spark.omelet.registry.root or ./omelet-registry");
    registerModelName = new Param<>(this, "registerModelName",
        "register the best model as a new version of this model (needs experimentName); empty not to");
    modelAlias = new Param<>(this, "modelAlias",
        "point this alias (e.g. champion) at the registered version once its run finished; empty not to");
    resumeFrom = new Param<>(this, "resumeFrom",
        "warm-start the sampler from the COMPLETE trials of earlier searches of the same space in this experiment; empty not to");
    setDefault(numFolds, 3);
    setDefault(parallelism, 1);
    setDefault(seed, (long) getClass().getName().hashCode());
    setDefault(collectSubModels, false);
    setDefault(sampler, "tpe");
    setDefault(maxTrials, 20);
    setDefault(timeoutSeconds, 0.0);
    setDefault(pruning, true);
    setDefault(pruningStartupTrials, 5);
    setDefault(gridPoints, 3);
    setDefault(experimentName, "");
    setDefault(runName, "");
    setDefault(registryRoot, "");
    setDefault(registerModelName, "");
    setDefault(modelAlias, "");
    setDefault(resumeFrom, "");
  }

  @Override
  public String uid() {
    return uid;
  }

  // Spark ML finds params through public no-argument methods returning them.
  public Param<Estimator<?>> estimator() { return estimator; }
  public Param<Evaluator> evaluator() { return evaluator; }
  public Param<TunerSpace> searchSpace() { return searchSpace; }
  public IntParam numFolds() { return numFolds; }
  public DoubleParam trainRatio() { return trainRatio; }
  public IntParam parallelism() { return parallelism; }
  public LongParam seed() { return seed; }
  public LongParam foldSeed() { return foldSeed; }
  public BooleanParam collectSubModels() { return collectSubModels; }
  public Param<String> sampler() { return sampler; }
  public IntParam maxTrials() { return maxTrials; }
  public DoubleParam timeoutSeconds() { return timeoutSeconds; }
  public BooleanParam pruning() { return pruning; }
  public IntParam pruningStartupTrials() { return pruningStartupTrials; }
  public IntParam startupTrials() { return startupTrials; }
  public IntParam gridPoints() { return gridPoints; }
  public Param<String> experimentName() { return experimentName; }
  public Param<String> runName() { return runName; }
  public Param<String> registryRoot() { return registryRoot; }
  public Param<String> registerModelName() { return registerModelName; }
  public Param<String> modelAlias() { return modelAlias; }
  public Param<String> resumeFrom() { return resumeFrom; }

  public OmeletTuner setEstimator(Estimator<?> v) { return put(estimator, v); }
  public OmeletTuner setEvaluator(Evaluator v) { return put(evaluator, v); }
  public OmeletTuner setSearchSpace(TunerSpace v) { return put(searchSpace, v); }
  public OmeletTuner setNumFolds(int v) { return put(numFolds, v); }
  public OmeletTuner setTrainRatio(double v) { return put(trainRatio, v); }
  public OmeletTuner setParallelism(int v) { return put(parallelism, v); }
  public OmeletTuner setSeed(long v) { return put(seed, v); }
  /** Folds drawn with this seed and the sampler with {@code seed}: searches with several sampler seeds on the same folds. */
  public OmeletTuner setFoldSeed(long v) { return put(foldSeed, v); }
  public OmeletTuner setCollectSubModels(boolean v) { return put(collectSubModels, v); }
  public OmeletTuner setSampler(String v) { return put(sampler, v); }
  public OmeletTuner setMaxTrials(int v) { return put(maxTrials, v); }
  public OmeletTuner setTimeoutSeconds(double v) { return put(timeoutSeconds, v); }
  public OmeletTuner setPruning(boolean v) { return put(pruning, v); }
  public OmeletTuner setPruningStartupTrials(int v) { return put(pruningStartupTrials, v); }
  public OmeletTuner setStartupTrials(int v) { return put(startupTrials, v); }
  public OmeletTuner setGridPoints(int v) { return put(gridPoints, v); }
  public OmeletTuner setExperimentName(String v) { return put(experimentName, v == null ? "" : v); }
  public OmeletTuner setRunName(String v) { return put(runName, v == null ? "" : v); }
  public OmeletTuner setRegistryRoot(String v) { return put(registryRoot, v == null ? "" : v); }
  public OmeletTuner setRegisterModelName(String v) { return put(registerModelName, v == null ? "" : v); }
  /** Moves this alias to the registered version (as OmeletAutoML's modelAlias): all or nothing with it. */
  public OmeletTuner setModelAlias(String v) { return put(modelAlias, v == null ? "" : v); }
  public OmeletTuner setResumeFrom(String v) { return put(resumeFrom, v == null ? "" : v); }

  public Estimator<?> getEstimator() { return isDefined(estimator) ? getOrDefault(estimator) : null; }
  public Evaluator getEvaluator() { return isDefined(evaluator) ? getOrDefault(evaluator) : null; }
  public TunerSpace getSearchSpace() { return isDefined(searchSpace) ? getOrDefault(searchSpace) : null; }
  public int getNumFolds() { return (Integer) getOrDefault(numFolds); }
  public int getParallelism() { return (Integer) getOrDefault(parallelism); }
  public long getSeed() { return (Long) getOrDefault(seed); }
  public String getSampler() { return getOrDefault(sampler); }
  public int getMaxTrials() { return (Integer) getOrDefault(maxTrials); }
  public double getTimeoutSeconds() { return (Double) getOrDefault(timeoutSeconds); }
  public boolean getPruning() { return (Boolean) getOrDefault(pruning); }
  public String getModelAlias() { return getOrDefault(modelAlias); }

  /** Stops a running fit: no new trial starts; running trials finish; the best so far is refit. */
  public void cancel() {
    cancelled = true;
    Study s = current;
    if (s != null) s.cancel();
  }

  // ------------------------------------------------------------------ checks

  /**
   * Checks every input without running a job and returns the best model's output schema as the
   * estimator gives it: the estimator, evaluator and space are set; each Param of the space belongs to
   * the estimator or a stage of its pipeline; each choice has a slot; the budget bounds the search; the
   * folds or split; the sampler; the tracking names; the columns the estimator reads (through its own
   * transformSchema) and the evaluator's label (numeric, present in the data or made by the pipeline)
   * and prediction columns.
   */
  @Override
  public StructType transformSchema(StructType schema) {
    Estimator<?> est = getEstimator();
    Evaluator ev = getEvaluator();
    TunerSpace space = getSearchSpace();
    if (est == null) throw new IllegalArgumentException("estimator is not set: give the estimator or pipeline to tune");
    if (ev == null) throw new IllegalArgumentException("evaluator is not set: give an Evaluator (e.g. BinaryClassificationEvaluator)");
    if (space == null) throw new IllegalArgumentException("searchSpace is not set: build one with TunerSpace.builder()");
    space.check(est);
    checkBudget();
    String s = getSampler();
    if (!List.of("tpe", "random", "grid").contains(s)) {
      throw new IllegalArgumentException("sampler must be tpe, random or grid, got '" + s + "'");
    }
    if (isSet(trainRatio)) {
      double r = (Double) getOrDefault(trainRatio);
      if (!(r > 0 && r < 1)) throw new IllegalArgumentException("trainRatio must be in (0, 1), got " + r);
    } else if (getNumFolds() < 2) {
      throw new IllegalArgumentException("numFolds must be >= 2, got " + getNumFolds() + " (set trainRatio for a single split)");
    }
    if (getParallelism() < 1) throw new IllegalArgumentException("parallelism must be >= 1, got " + getParallelism());
    if ((Integer) getOrDefault(pruningStartupTrials) < 1) {
      throw new IllegalArgumentException("pruningStartupTrials must be >= 1, got " + getOrDefault(pruningStartupTrials));
    }
    if (isDefined(startupTrials) && (Integer) getOrDefault(startupTrials) < 0) {
      throw new IllegalArgumentException("startupTrials must be >= 0, got " + getOrDefault(startupTrials));
    }
    if ((Integer) getOrDefault(gridPoints) < 2) {
      throw new IllegalArgumentException("gridPoints must be >= 2, got " + getOrDefault(gridPoints));
    }
    TunerTracker.checkNames(getOrDefault(experimentName), getOrDefault(runName), getOrDefault(registerModelName),
        getModelAlias(), getOrDefault(resumeFrom));
    for (String f : schema.fieldNames()) {
      if (f.equals(FOLD_COL)) throw new IllegalArgumentException("the data has a column " + FOLD_COL + ", which the tuner uses for its folds");
    }
    StructType out = est.transformSchema(schema);
    checkEvaluatorColumns(ev, schema, out);
    return out;
  }

  private void checkBudget() {
    int n = getMaxTrials();
    double t = getTimeoutSeconds();
    if (n < 0) throw new IllegalArgumentException("maxTrials must be >= 0, got " + n);
    if (!(t >= 0)) throw new IllegalArgumentException("timeoutSeconds must be >= 0, got " + t);
    if (n == 0 && t == 0 && !"grid".equals(getSampler())) {
      throw new IllegalArgumentException("maxTrials must be > 0 when there is no timeout (timeoutSeconds = 0): the search would not end");
    }
  }

  private static void checkEvaluatorColumns(Evaluator ev, StructType input, StructType output) {
    String evName = ev.getClass().getSimpleName();
    String label = stringParam(ev, "labelCol");
    if (label != null) {
      StructField f = find(output, label);
      if (f == null) {
        throw new IllegalArgumentException(evName + "'s label column '" + label + "' is neither in the data nor made by the"
            + " estimator; the columns are " + String.join(", ", output.fieldNames()));
      }
      boolean standard = ev instanceof BinaryClassificationEvaluator || ev instanceof RegressionEvaluator
          || ev instanceof MulticlassClassificationEvaluator;
      if (standard && !(f.dataType() instanceof NumericType) && !(f.dataType() instanceof BooleanType)) {
        throw new IllegalArgumentException(evName + " needs a numeric label, but '" + label + "' is " + f.dataType().simpleString()
            + (ev instanceof BinaryClassificationEvaluator || ev instanceof MulticlassClassificationEvaluator
                ? "; index it first (a StringIndexer in the pipeline)" : ""));
      }
    }
    String pred = ev instanceof BinaryClassificationEvaluator ? stringParam(ev, "rawPredictionCol") : stringParam(ev, "predictionCol");
    if (pred != null && find(output, pred) == null) {
      throw new IllegalArgumentException(evName + " reads column '" + pred + "', which the estimator does not make; its output"
          + " columns are " + String.join(", ", output.fieldNames()));
    }
  }

  private static StructField find(StructType schema, String name) {
    for (StructField f : schema.fields()) if (f.name().equals(name)) return f;
    return null;
  }

  static String stringParam(org.apache.spark.ml.param.Params p, String name) {
    if (!p.hasParam(name)) return null;
    Param<?> param = p.getParam(name);
    return p.isDefined(param) ? String.valueOf(p.getOrDefault(param)) : null;
  }

  /**
   * A binary evaluator needs a label with at most 2 values, 0 and 1 (integral): checked with one small job
   * (at most 3 distinct values read) on the label, or on the input of the StringIndexer that makes it.
   */
  private void checkBinaryLabel(Evaluator ev, Dataset<?> data) {
    if (!(ev instanceof BinaryClassificationEvaluator)) return;
    String label = stringParam(ev, "labelCol");
    String column = label;
    boolean indexed = false;
    if (find(data.schema(), label) == null) {
      column = null;
      for (PipelineStage s : stages(getEstimator())) {
        if (s instanceof StringIndexer si && si.isDefined(si.outputCol()) && label.equals(si.getOutputCol())
            && si.isDefined(si.inputCol())) {
          column = si.getInputCol();
          indexed = true;
        }
      }
      if (column == null) return;
    }
    List<Row> values = data.select(functions.col(column)).distinct().limit(3).collectAsList();
    List<Object> seen = new ArrayList<>();
    for (Row r : values) seen.add(r.get(0));
    if (values.size() > 2) {
      throw new IllegalArgumentException("BinaryClassificationEvaluator needs a label with 2 values, but '" + column + "'"
          + (indexed ? " (indexed into '" + label + "')" : "") + " has more than 2 (e.g. " + seen + "); use"
          + " MulticlassClassificationEvaluator or RegressionEvaluator");
    }
    if (!indexed) {
      for (Object v : seen) {
        if (v instanceof Number n && (n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 0 || n.doubleValue() > 1)) {
          throw new IllegalArgumentException("BinaryClassificationEvaluator needs a 0/1 label, but '" + column + "' holds " + v
              + "; use RegressionEvaluator for a quantity, or index the classes");
        }
      }
    }
  }

  private static List<PipelineStage> stages(PipelineStage s) {
    List<PipelineStage> out = new ArrayList<>();
    out.add(s);
    if (s instanceof Pipeline p && p.isDefined(p.stages())) for (PipelineStage c : p.getStages()) out.addAll(stages(c));
    return out;
  }

  /**
   * The random trials TPE starts with: the set value, else a quarter of maxTrials between 2 and 10 (as
   * SMAC caps its initial design at a quarter of the budget). Ten random trials of a 20-trial budget leave
   * the model only half of it; on Hartmann-6 at 20 evaluations, 5 start-up trials lower the median regret
   * over 200 seeds from 1.56 to 1.47.
   */
  public int effectiveStartupTrials() {
    if (isDefined(startupTrials)) return (Integer) getOrDefault(startupTrials);
    int budget = getMaxTrials();
    return budget <= 0 ? TpeSampler.DEFAULT_STARTUP_TRIALS : Math.max(2, Math.min(TpeSampler.DEFAULT_STARTUP_TRIALS, budget / 4));
  }

  // ------------------------------------------------------------------ fit

  @Override
  public TunerModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), false);
    Estimator<?> est = getEstimator();
    Evaluator ev = getEvaluator();
    TunerSpace space = getSearchSpace();
    checkBinaryLabel(ev, dataset);
    Direction direction = ev.isLargerBetter() ? Direction.MAXIMIZE : Direction.MINIMIZE;
    long seedValue = getSeed();
    String samplerName = getSampler();
    Sampler smp = switch (samplerName) {
      case "random" -> new RandomSampler(seedValue);
      case "grid" -> new GridSampler((Integer) getOrDefault(gridPoints), seedValue);
      default -> new TpeSampler(seedValue, effectiveStartupTrials(), TpeSampler.DEFAULT_EI_CANDIDATES, true, false);
    };
    Pruner pruner = getPruning() ? new MedianPruner((Integer) getOrDefault(pruningStartupTrials), 0) : Pruner.NONE;
    Study study = new Study(space.space(), direction, smp, pruner);
    int budget = getMaxTrials();
    if (budget == 0 && getTimeoutSeconds() == 0) budget = ((GridSampler) smp).points(space.space()).size();

    TunerTracker tracker = TunerTracker.create(this, dataset, space, samplerName, direction, metricName(ev), budget);
    try {
      if (tracker != null) {
        int warm = tracker.warmStart(study, getOrDefault(resumeFrom));
        tracker.start(warm);
      }
      TunerModel model = search(dataset, est, ev, space, study, budget, tracker);
      if (tracker != null) tracker.finish(model);
      return model;
    } catch (RuntimeException | Error e) {
      if (tracker != null) tracker.fail(e);
      throw e;
    }
  }

  private TunerModel search(Dataset<?> dataset, Estimator<?> est, Evaluator ev, TunerSpace space, Study study, int budget,
      TunerTracker tracker) {
    Dataset<Row> df = dataset.toDF();
    boolean split = isSet(trainRatio);
    int k = split ? 1 : getNumFolds();
    long seedValue = isSet(foldSeed) ? (Long) getOrDefault(foldSeed) : getSeed();
    Dataset<Row> withFold = split
        ? df.withColumn(FOLD_COL, functions.when(functions.rand(seedValue).lt((Double) getOrDefault(trainRatio)), -1).otherwise(0))
        : df.withColumn(FOLD_COL, functions.floor(functions.rand(seedValue).multiply(k)).cast("int"));
    withFold = withFold.persist(StorageLevel.MEMORY_AND_DISK());
    List<Dataset<Row>> train = new ArrayList<>();
    List<Dataset<Row>> valid = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      train.add(withFold.where(functions.col(FOLD_COL).notEqual(f)).drop(FOLD_COL));
      valid.add(withFold.where(functions.col(FOLD_COL).equalTo(f)).drop(FOLD_COL));
    }
    boolean collect = (Boolean) getOrDefault(collectSubModels);
    boolean prune = getPruning();
    Map<Integer, Model<?>[]> subModels = new ConcurrentHashMap<>();
    int firstNumber = study.trials().size();
    Objective objective = run -> {
      Model<?>[] models = new Model<?>[k];
      double sum = 0;
      try {
        TunerSpace.Resolved r = space.resolve(est, run.params());
        for (int f = 0; f < k; f++) {
          Model<?> m = (Model<?>) r.estimator().fit(train.get(f), r.paramMap());
          double v = ev.evaluate(m.transform(valid.get(f)));
          if (collect) models[f] = m;
          run.report(f, v);
          sum += v;
          if (prune && f < k - 1 && run.shouldPrune()) {
            Trial t = run.prune();
            if (collect) subModels.put(run.number(), models);
            if (tracker != null) tracker.trial(t);
            throw new TrialPrunedException("trial " + run.number() + " pruned at fold " + f);
          }
        }
      } catch (TrialPrunedException e) {
        throw e;
      } catch (Exception | Error e) {
        Trial t = run.fail(e);
        if (tracker != null) tracker.trial(t);
        throw e;
      }
      if (collect) subModels.put(run.number(), models);
      Trial t = run.complete(sum / k);
      if (tracker != null) tracker.trial(t);
      return sum / k;
    };
    current = study;
    if (cancelled) study.cancel();
    try {
      study.optimize(objective, budget, getTimeoutSeconds(), getParallelism());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while tuning", e);
    } finally {
      current = null;
      withFold.unpersist();
    }
    List<Trial> mine = new ArrayList<>();
    for (Trial t : study.trials()) if (t.number() >= firstNumber) mine.add(t);
    Trial best = null;
    for (Trial t : mine) {
      if (t.state() == TrialState.COMPLETE && (best == null || study.direction().isBetter(t.value(), best.value()))) best = t;
    }
    if (best == null) {
      long pruned = mine.stream().filter(t -> t.state() == TrialState.PRUNED).count();
      long failed = mine.stream().filter(t -> t.state() == TrialState.FAILED).count();
      throw new IllegalStateException((study.isCancelled() ? "cancelled before any trial completed" : "no trial completed")
          + " (" + mine.size() + " trials: " + pruned + " pruned, " + failed + " failed)");
    }
    TunerSpace.Resolved r = space.resolve(est, best.params());
    Model<?> bestModel = (Model<?>) r.estimator().fit(df, r.paramMap());
    Model<?>[][] sub = null;
    if (collect) {
      sub = new Model<?>[mine.size()][];
      for (int i = 0; i < mine.size(); i++) sub[i] = subModels.get(mine.get(i).number());
    }
    Map<String, Object> bestParams = new LinkedHashMap<>(best.params());
    TunerModel model = new TunerModel(TunerModel.newUid(), bestModel, space.toJson(), mine, study.direction(),
        metricName(ev), bestParams, r.paramMap(), sub, getSeed());
    model.setParent(this);
    return model;
  }

  static String metricName(Evaluator ev) {
    String m = stringParam(ev, "metricName");
    return m != null ? m : ev.getClass().getSimpleName();
  }

  /** The study of the fit running now, if any (for progress). */
  public Optional<Study> currentStudy() {
    return Optional.ofNullable(current);
  }

  OmeletRegistry registry(Dataset<?> dataset) {
    String root = getOrDefault(registryRoot);
    return root.isBlank() ? OmeletRegistry.open(dataset.sparkSession()) : OmeletRegistry.open(dataset.sparkSession(), root);
  }

  String experiment() {
    return getOrDefault(experimentName);
  }

  String parentRunName() {
    String n = getOrDefault(runName);
    return n.isBlank() ? "tuning-" + getEstimator().getClass().getSimpleName() : n;
  }

  String modelName() {
    return getOrDefault(registerModelName);
  }

  Map<String, String> settings() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("sampler", getSampler());
    out.put("max_trials", Integer.toString(getMaxTrials()));
    out.put("timeout_seconds", Double.toString(getTimeoutSeconds()));
    if (isSet(trainRatio)) out.put("train_ratio", Double.toString((Double) getOrDefault(trainRatio)));
    else out.put("num_folds", Integer.toString(getNumFolds()));
    out.put("parallelism", Integer.toString(getParallelism()));
    out.put("seed", Long.toString(getSeed()));
    if (isSet(foldSeed)) out.put("fold_seed", Long.toString((Long) getOrDefault(foldSeed)));
    out.put("pruning", Boolean.toString(getPruning()));
    out.put("estimator", TunerSpace.stageName(getEstimator()));
    out.put("evaluator", getEvaluator().getClass().getSimpleName());
    return out;
  }

  @Override
  public OmeletTuner copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Saves the tuner as {@code CrossValidator} saves itself (see {@link TunerPersistence}). */
  @Override
  public MLWriter write() {
    return new TunerPersistence.Writer(this);
  }

  public static MLReader<OmeletTuner> read() {
    return new TunerPersistence.Reader();
  }

  public static OmeletTuner load(String path) {
    return read().load(path);
  }

  private <T> OmeletTuner put(Param<T> p, T v) {
    set(p, v);
    return this;
  }
}
