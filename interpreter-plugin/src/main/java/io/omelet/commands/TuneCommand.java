package io.omelet.commands;

import io.omelet.common.RowSampler;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RunStatus;
import io.omelet.tuning.FeaturePreparation;
import io.omelet.tuning.ModelSpaces;
import io.omelet.tuning.OmeletTuner;
import io.omelet.tuning.Trial;
import io.omelet.tuning.TunerModel;
import io.omelet.tuning.TunerSpace;
import io.omelet.tuning.TuningPlots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code omelet tune}: Bayesian hyper-parameter search (TPE) of a Spark ML model on a table, tracked
 * and registered. The command builds the pipeline a user would write by hand ({@link FeaturePreparation}'s
 * stages, the model, class labels back), searches the model's built-in space ({@link ModelSpaces}) or a
 * saved one with {@link OmeletTuner}, and registers the best pipeline, which {@code omelet predict} scores.
 */
@Command(name = "tune", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Tunes a Spark ML model's hyper-parameters on the data with TPE (or random or grid search) and cross-validation, tracks every trial as a child run, prints the trials, the best parameters and their importance (fANOVA), and registers the best pipeline as NAME@champion for 'omelet predict'.",
    footer = {"", "Examples:",
        "  omelet tune -f data/credit_data.csv --target Status --algo gbt --trials 30",
        "  omelet tune -f data/diamonds.csv --target price --algo any --trials 40 --metric mae --register diamonds-tuned",
        "  omelet tune --table customers --target Exited --sampler random --trials 20 --folds 5 --no-register",
        "  omelet tune -f data/credit_data.csv --target Status --trials 0 --timeout-secs 600 --save-space credit-gbt",
        "",
        "Models (--algo): gbt (gradient-boosted trees; binary or regression), rf (random forest), dt (decision tree),",
        "linear (logistic or linear regression, elastic net), any (a choice of gbt, rf and linear, each with its own",
        "parameters). --space NAME takes a search space saved with TunerSpace.savePreset or --save-space instead."})
public final class TuneCommand extends OmeletSubcommand {
  /** Columns the command adds for its pipeline; named so they do not meet a user's. */
  static final String LABEL = "omelet_label";
  static final String FEATURES = "omelet_features";
  static final List<String> ALGOS = ModelSpaces.FAMILIES;

  @Mixin Options.Input input;

  @Option(names = {"-t", "--target"}, required = true, paramLabel = "COL", description = "the column to predict")
  String target;

  @Option(names = {"-c", "--classification"}, description = "treat a numeric target as classes (default: numbers are regression)")
  boolean classification;

  @Option(names = "--algo", paramLabel = "ALGO", defaultValue = "gbt",
      description = "gbt, rf, dt, linear or any (default ${DEFAULT-VALUE})")
  String algo;

  @Option(names = "--trials", paramLabel = "N", defaultValue = "20",
      description = "trials to run (default ${DEFAULT-VALUE}; 0 with --timeout-secs: as many as fit)")
  int trials;

  @Option(names = "--timeout-secs", paramLabel = "S", defaultValue = "0", description = "time budget in seconds (default: none)")
  double timeoutSecs;

  @Option(names = "--sampler", paramLabel = "NAME", defaultValue = "tpe", description = "tpe, random or grid (default ${DEFAULT-VALUE})")
  String sampler;

  @Option(names = "--folds", paramLabel = "K", defaultValue = "3", description = "cross-validation folds (default ${DEFAULT-VALUE})")
  int folds;

  @Option(names = "--train-ratio", paramLabel = "R", description = "one train/validation split instead of folds, e.g. 0.8")
  Double trainRatio;

  @Option(names = "--metric", paramLabel = "NAME",
      description = "binary: auc (default), aupr; classes: f1 (default), accuracy, logloss; regression: rmse (default), mae, r2, mse")
  String metric;

  @Option(names = "--parallelism", paramLabel = "N", defaultValue = "2", description = "trials at a time (default ${DEFAULT-VALUE})")
  int parallelism;

  @Option(names = "--no-pruning", description = "run every fold of every trial (default: stop a trial after a fold clearly worse than the median)")
  boolean noPruning;

  @Option(names = "--space", paramLabel = "PRESET", description = "a search space saved in the registry (kind tuning-space) instead of the built-in one")
  String space;

  @Option(names = "--save-space", paramLabel = "NAME", description = "save the search space used as a registry preset")
  String saveSpace;

  @Option(names = {"-s", "--sample"}, paramLabel = "N|FRACTION", description = "tune on N rows or a fraction of them (default: all)")
  String sample;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed of the sampler, folds and models (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--experiment", paramLabel = "NAME", description = "experiment to track the search in (default: the input's name)")
  String experiment;

  @Option(names = "--register", paramLabel = "NAME", description = "registered model name (default: <experiment>-tuned)")
  String register;

  @Option(names = "--no-register", description = "track the search but register no model")
  boolean noRegister;

  @Option(names = "--alias", paramLabel = "ALIAS", defaultValue = "champion", description = "alias of the new version (default ${DEFAULT-VALUE})")
  String alias;

  @Mixin Options.Registry registry;

  @Override
  protected void run() throws Exception {
    double sampleValue;
    try {
      sampleValue = DataInput.parseSample(sample);
    } catch (IllegalArgumentException e) {
      throw usage("--sample: " + e.getMessage());
    }
    algo = algo.toLowerCase(Locale.ROOT);
    if (!ALGOS.contains(algo)) throw usage("--algo must be one of " + String.join(", ", ALGOS) + ", got '" + algo + "'");
    if (trials < 0) throw usage("--trials must be 0 or more, got " + trials);
    if (!(timeoutSecs >= 0)) throw usage("--timeout-secs must be 0 (none) or more, got " + timeoutSecs);
    if (trials == 0 && timeoutSecs == 0 && !"grid".equals(sampler)) {
      throw usage("--trials 0 needs --timeout-secs (or --sampler grid, which walks the whole grid): the search would not end");
    }
    if (!List.of("tpe", "random", "grid").contains(sampler)) throw usage("--sampler must be tpe, random or grid, got '" + sampler + "'");
    if (trainRatio == null && folds < 2) throw usage("--folds must be 2 or more, got " + folds + " (or give --train-ratio)");
    if (trainRatio != null && !(trainRatio > 0 && trainRatio < 1)) throw usage("--train-ratio must be in (0, 1), got " + trainRatio);
    if (parallelism < 1) throw usage("--parallelism must be 1 or more, got " + parallelism);

    DataInput in = input.input();
    String name = experiment != null ? experiment : in.name();
    String modelName = noRegister ? null : register != null ? register : name + "-tuned";
    ctx().spark(registry.master);
    OmeletRegistry reg = ctx().registry(registry.root);
    Dataset<Row> raw = in.read(ctx());
    String label = DataInput.checkTarget(raw, target);
    Dataset<Row> data = raw.where(raw.col("`" + label + "`").isNotNull());
    if (sampleValue >= 1) {
      // N rows drawn uniformly at random, not the file's first N nor its first partitions'
      long all = data.count();
      if (sampleValue < all) data = RowSampler.sample(data, (int) sampleValue, seed, all);
    } else if (sampleValue > 0) {
      data = data.sample(false, sampleValue, seed);
    }
    data = data.cache();
    try {
      tune(reg, in, data, label, name, modelName);
    } finally {
      data.unpersist(false);
    }
  }

  private void tune(OmeletRegistry reg, DataInput in, Dataset<Row> data, String label, String name, String modelName) {
    long t0 = System.currentTimeMillis();
    StructField labelField = data.schema().apply(label);
    boolean classes = classification || !(labelField.dataType() instanceof NumericType);
    Dataset<Row> labelled;
    String[] classLabels = null;
    if (classes) {
      // StringIndexer takes text and numbers; a boolean target is indexed as "false"/"true"
      Dataset<Row> src = labelField.dataType() instanceof BooleanType
          ? data.withColumn(label, data.col("`" + label + "`").cast("string")) : data;
      StringIndexerModel idx = new StringIndexer().setInputCol(label).setOutputCol(LABEL).setStringOrderType("alphabetAsc")
          .fit(src);
      classLabels = idx.labelsArray()[0];
      labelled = idx.transform(src);
    } else {
      labelled = data.withColumn(LABEL, data.col("`" + label + "`").cast("double"));
    }
    boolean binary = classes && classLabels.length == 2;
    if (classes && !binary && (algo.equals("gbt"))) {
      throw new CommandException("--algo gbt: Spark ML's gradient-boosted trees are binary or regression only, and '" + label
          + "' has " + classLabels.length + " classes; use rf, dt, linear or any");
    }
    Evaluator evaluator = evaluator(classes, binary);

    FeaturePreparation features = FeaturePreparation.of(data, label, FEATURES);
    if (features.features().isEmpty()) {
      throw new CommandException("no column can be a feature: " + String.join("; ", features.leftOut()));
    }
    long rows = labelled.count();
    text("%s: %d rows with a target, %d features; target %s (%s); registry %s", in.location(), rows, features.features().size(),
        label, classes ? (binary ? "binary: " : classLabels.length + " classes: ") + String.join(", ", classLabels) : "regression",
        reg.root());
    for (String s : features.leftOut()) text("left out: %s", s);

    // The pipeline: the prep stages, the model's slot, the class labels back.
    ModelSpaces.Task task = !classes ? ModelSpaces.Task.REGRESSION : binary ? ModelSpaces.Task.BINARY : ModelSpaces.Task.MULTICLASS;
    Map<String, PipelineStage> models = ModelSpaces.models(task, LABEL, FEATURES, features.maxBins(), seed);
    List<PipelineStage> stages = new ArrayList<>(features.stages());
    PipelineStage slot = models.get(algo.equals("any") ? models.keySet().iterator().next() : algo);
    stages.add(slot);
    if (classes) stages.add(new IndexToString().setInputCol("prediction").setOutputCol("predicted_" + label).setLabels(classLabels));
    Pipeline pipeline = new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
    TunerSpace searchSpace = space != null
        ? TunerSpace.loadPreset(reg, space, models.values().toArray(new PipelineStage[0]))
        : ModelSpaces.space(algo, models);
    if (saveSpace != null) {
      searchSpace.savePreset(reg, saveSpace, "omelet tune --algo " + algo + " on " + in.name());
      text("search space saved as preset '%s' (kind %s)", saveSpace, TunerSpace.PRESET_KIND);
    }

    OmeletTuner tuner = new OmeletTuner().setEstimator(pipeline).setEvaluator(evaluator).setSearchSpace(searchSpace)
        .setSampler(sampler).setSeed(seed).setMaxTrials(trials).setTimeoutSeconds(timeoutSecs).setParallelism(parallelism)
        .setPruning(!noPruning).setExperimentName(name).setRunName("omelet-tune-" + label).setRegistryRoot(reg.root());
    if (trainRatio != null) tuner.setTrainRatio(trainRatio);
    else tuner.setNumFolds(folds);
    if (modelName != null) tuner.setRegisterModelName(modelName).setModelAlias(alias);
    TunerModel model;
    ScheduledExecutorService poller = progress(tuner);
    // Ctrl-C, as in 'omelet run': no new trial starts, the search ends KILLED and registers nothing.
    try (AutoCloseable hook = ctx().onCancel(() -> {
      tuner.setRegisterModelName("");
      tuner.cancel();
    })) {
      model = tuner.fit(labelled);
    } catch (IllegalArgumentException e) {
      throw new CommandException(e.getMessage(), e);
    } catch (Exception e) {
      if (ctx().cancelled()) throw new CommandCancelledException();
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    } finally {
      poller.shutdownNow();
      out().progress(ProgressEvent.finished("tune", "tuning done"));
    }
    if (ctx().cancelled()) {
      model.trackedRunId().ifPresent(id -> reg.setRunStatus(id, RunStatus.KILLED, System.currentTimeMillis()));
      throw new CommandCancelledException();
    }

    String metricName = model.metricName();
    out().result(trialsTable(model, metricName));
    Map<String, Double> importance = model.importance();
    if (!importance.isEmpty()) {
      List<List<Object>> imp = new ArrayList<>();
      importance.forEach((k, v) -> imp.add(List.of(k, Math.round(v * 1000) / 1000.0)));
      out().result(Tables.of("hyper-parameter importance (fANOVA: share of the " + metricName + "'s variance)",
          List.of("parameter", "importance"), imp, ctx().maxRows()));
    }
    StringBuilder html = new StringBuilder("<div>")
        .append(TuningPlots.history(model.trialList(), model.direction(), metricName));
    if (!importance.isEmpty()) html.append(TuningPlots.importance(importance));
    out().result(new CommandResult.Html("tuning history and importance", html.append("</div>").toString()));

    Integer version = model.registeredVersion().orElse(null);
    LinkedHashMap<String, Object> v = new LinkedHashMap<>();
    v.put("run_id", model.trackedRunId().orElse(null));
    // a terminal shows no SVG: the plots are the run's artifacts (history, importance, one per parameter)
    model.trackedRunId().ifPresent(id -> v.put("plots", reg.artifactUri(id) + "/plots"));
    v.put("experiment", name);
    v.put("best_" + metricName, model.bestValue());
    v.put("best_trial", model.bestTrial().number());
    v.put("best_params", model.bestParams());
    long pruned = model.trialList().stream().filter(t -> t.state() == io.omelet.tuning.TrialState.PRUNED).count();
    long failed = model.trialList().stream().filter(t -> t.state() == io.omelet.tuning.TrialState.FAILED).count();
    v.put("trials", model.trialList().size() + " (" + pruned + " pruned, " + failed + " failed; " + sampler + ", "
        + (trainRatio != null ? "train ratio " + trainRatio : folds + "-fold CV") + ")");
    if (version != null) {
      v.put("model_uri", modelName + "@" + alias);
      v.put("model_version", version);
      v.put("score_with", "omelet predict --model " + modelName + "@" + alias + " -f <file>");
    }
    v.put("duration_s", Math.round((System.currentTimeMillis() - t0) / 100.0) / 10.0);
    out().result(new CommandResult.Values("omelet tune done", v));
  }

  /** Trial k of N and the best so far, twice a second, while the search runs. */
  private ScheduledExecutorService progress(OmeletTuner tuner) {
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "omelet-tune-progress");
      t.setDaemon(true);
      return t;
    });
    int[] last = {-1};
    poller.scheduleAtFixedRate(() -> tuner.currentStudy().ifPresent(study -> {
      List<Trial> ts = study.trials();
      int done = (int) ts.stream().filter(t -> t.state().isFinished()).count();
      if (done == last[0]) return;
      last[0] = done;
      String best = study.bestTrial().map(b -> String.format(Locale.ROOT, ", best %.5g (trial %d)", b.value(), b.number())).orElse("");
      double pct = trials > 0 ? 100.0 * done / trials : 0;
      out().progress(ProgressEvent.of("tune", Math.min(99, pct), done + (trials > 0 ? "/" + trials : "") + " trials" + best));
    }), 500, 500, TimeUnit.MILLISECONDS);
    return poller;
  }

  private CommandResult.Table trialsTable(TunerModel model, String metricName) {
    List<String> params = new ArrayList<>();
    for (Trial t : model.trialList()) for (String k : t.params().keySet()) if (!params.contains(k)) params.add(k);
    List<String> cols = new ArrayList<>(List.of("trial", "state", metricName));
    cols.addAll(params);
    cols.add("duration_s");
    List<List<Object>> rows = new ArrayList<>();
    for (Trial t : model.trialList()) {
      List<Object> row = new ArrayList<>();
      row.add(t.number());
      row.add(t.state().name());
      row.add(t.state() == io.omelet.tuning.TrialState.COMPLETE ? t.value() : null);
      for (String p : params) row.add(t.param(p));
      row.add(Math.round(t.duration().toMillis() / 100.0) / 10.0);
      rows.add(row);
    }
    return Tables.of("trials (best: trial " + model.bestTrial().number() + ")", cols, rows, ctx().maxRows());
  }

  private Evaluator evaluator(boolean classes, boolean binary) {
    String m = metric == null ? null : metric.toLowerCase(Locale.ROOT);
    if (binary) {
      String spark = m == null || m.equals("auc") ? "areaUnderROC" : m.equals("aupr") ? "areaUnderPR" : null;
      if (spark == null) throw usage("--metric for a binary target: auc or aupr, got '" + metric + "'");
      return new BinaryClassificationEvaluator().setLabelCol(LABEL).setMetricName(spark);
    }
    if (classes) {
      String spark = m == null || m.equals("f1") ? "f1" : m.equals("accuracy") ? "accuracy" : m.equals("logloss") ? "logLoss" : null;
      if (spark == null) throw usage("--metric for a target with classes: f1, accuracy or logloss, got '" + metric + "'");
      return new MulticlassClassificationEvaluator().setLabelCol(LABEL).setMetricName(spark);
    }
    if (m != null && !List.of("rmse", "mae", "r2", "mse").contains(m)) {
      throw usage("--metric for a regression target: rmse, mae, r2 or mse, got '" + metric + "'");
    }
    return new RegressionEvaluator().setLabelCol(LABEL).setMetricName(m == null ? "rmse" : m);
  }
}
