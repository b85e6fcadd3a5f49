package io.omelet.commands;

import io.omelet.automl.AutoMLCancelledException;
import io.omelet.automl.AutoMLListener;
import io.omelet.automl.AutoMLModel;
import io.omelet.automl.AutoMLProfiles;
import io.omelet.automl.AutoMLResult;
import io.omelet.automl.ModelResult;
import io.omelet.automl.OmeletAutoML;
import io.omelet.automl.ProblemType;
import io.omelet.automl.RegistryTracker;
import io.omelet.explain.ShapExplainer;
import io.omelet.explain.ShapSummary;
import io.omelet.profile.DataProfiler;
import io.omelet.profile.Profile;
import io.omelet.registry.ModelVersion;
import io.omelet.registry.OmeletRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code omelet run}: the one-click job. Profiles the data, runs tracked AutoML, explains the
 * leader (or the best model with exact SHAP contributions), registers it under an alias and
 * writes an output folder whose index.html ties it all together.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = "The one-click job: profile the data, run tracked AutoML, explain the leader with SHAP, register it as NAME@champion and write a report folder (index.html, model MOJO, leaderboard.csv, metrics.json, plots). Ends by printing the run id, the model URI and the report's path.",
    footer = {"", "Examples:",
        "  omelet run -f data/mlc_churn.csv --target churn",
        "  omelet run -f data/lending_club.csv --target Class --profile fast --register loans --out loans-report",
        "  omelet run --table customers --target Exited --max-runtime-secs 600 --exclude-algos DeepLearning",
        "  omelet run --delta /data/houses --target price --sample 0.1 --master spark://head:7077"})
public final class RunCommand extends OmeletSubcommand {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
  /** Algorithms whose MOJO gives exact SHAP contributions (see ShapExplainer). */
  private static final Set<String> EXACT_SHAP = Set.of("gbm", "drf", "xgboost", "glm");

  @Mixin Options.Input input;

  @Option(names = {"-t", "--target"}, required = true, paramLabel = "COL", description = "the column to predict")
  String target;

  @Option(names = {"-c", "--classification"}, description = "treat a numeric target as classes (default: numbers are regression)")
  boolean classification;

  @Option(names = "--positive-class", paramLabel = "CLASS",
      description = "binary targets: the class precision, recall and F1 describe (default: the minority class)")
  String positiveClass;

  @Option(names = {"-s", "--sample"}, paramLabel = "N|FRACTION", description = "train on N rows or a fraction of them (default: all)")
  String sample;

  @Option(names = "--profile", paramLabel = "NAME", defaultValue = "fast",
      description = "AutoML profile: fast, balanced, thorough or a team preset (default ${DEFAULT-VALUE}; see 'omelet presets list')")
  String profile;

  @Option(names = "--max-models", paramLabel = "N", description = "most models to train (overrides the profile)")
  Integer maxModels;

  @Option(names = "--max-runtime-secs", paramLabel = "S", description = "time budget in seconds (overrides the profile)")
  Double maxRuntimeSecs;

  @Option(names = "--exclude-algos", paramLabel = "ALGO", split = ",",
      description = "leave out: XGBoost, GBM, DRF, GLM, DeepLearning, StackedEnsemble (comma-separated)")
  List<String> excludeAlgos;

  @Option(names = "--group-col", paramLabel = "COLUMN",
      description = "rows that belong together (e.g. a customer id): each group wholly in one fold and one side of the holdout")
  String groupCol;

  @Option(names = "--fold-col", paramLabel = "COLUMN", description = "column giving each row its cross-validation fold")
  String foldCol;

  @Option(names = "--no-refit", description = "serve the leader as trained instead of refit on every labelled row")
  boolean noRefit;

  @Option(names = "--experiment", paramLabel = "NAME", description = "experiment to track the run in (default: the input's name)")
  String experiment;

  @Option(names = "--register", paramLabel = "NAME", description = "registered model name (default: the experiment's name)")
  String register;

  @Option(names = "--no-register", description = "track the run but register no model")
  boolean noRegister;

  @Option(names = "--alias", paramLabel = "ALIAS", defaultValue = "champion", description = "alias of the new version (default ${DEFAULT-VALUE})")
  String alias;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "output folder (default omelet-out/<name>)")
  String out;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--explain-rows", paramLabel = "N", defaultValue = "1000", description = "rows explained for the SHAP plots (default ${DEFAULT-VALUE})")
  int explainRows;

  @Option(names = "--dry-run",
      description = "check the data and the settings, print what AutoML would do (problem type, rows, features, classes) and stop: nothing is trained, tracked or written")
  boolean dryRun;

  @Mixin Options.Registry registry;

  @Override
  protected void run() throws Exception {
    double sampleValue;
    try {
      sampleValue = DataInput.parseSample(sample);
    } catch (IllegalArgumentException e) {
      throw usage("--sample: " + e.getMessage());
    }
    if (maxModels != null && maxModels < 0) throw usage("--max-models must be 0 (no limit) or more, got " + maxModels);
    if (maxRuntimeSecs != null && maxRuntimeSecs < 0) throw usage("--max-runtime-secs must be 0 (none) or more, got " + maxRuntimeSecs);
    if (explainRows < 1) throw usage("--explain-rows must be 1 or more, got " + explainRows);
    DataInput in = input.input();
    String name = experiment != null ? experiment : in.name();
    String modelName = noRegister ? null : register != null ? register : name;
    if (dryRun) {
      dryRun(in, name, modelName, sampleValue);
      return;
    }
    Path dir = OutputFolder.create(ctx(), out != null ? out : "omelet-out/" + name);
    ctx().logFolder(dir);
    long t0 = System.currentTimeMillis();
    ctx().spark(registry.master);
    OmeletRegistry reg = ctx().registry(registry.root);
    if (!AutoMLProfiles.isBuiltIn(profile)) PresetsCommand.load(reg, profile);

    Dataset<Row> data = in.read(ctx()).cache();
    try {
      String label = DataInput.checkTarget(data, target);
      long rows = data.count();
      int cols = data.columns().length;
      text("%s: %d rows x %d columns; target %s; registry %s; output %s", in.location(), rows, cols, label, reg.root(), dir);

      // 1. Profile.
      Profile prof = SparkProgress.during(ctx(), "profile", () -> new DataProfiler().profile(data));
      text("profile: %d alerts%s", prof.alerts.size(),
          prof.overview.duplicateRows == null ? "" : ", " + prof.overview.duplicateRows + " duplicate rows");
      ctx().checkCancelled();

      // 2. Tracked AutoML.
      OmeletAutoML automl = automl(data, label, name, modelName, sampleValue).setRegistryRoot(reg.root());
      automl.addListener(new AutoMLListener() {
        @Override
        public void onStart(io.omelet.automl.AutoMLRunInfo info) {
          text("AutoML: %s on %d rows (%d train, %d holdout), %d features", info.problemType().name().toLowerCase(),
              info.usedRows(), info.trainRows(), info.holdoutRows(), info.features().size());
          if (info.positiveClass() != null) {
            text("positive class: '%s' (%s); precision, recall and F1 describe it", info.positiveClass(),
                info.positiveClassReason());
          }
        }

        @Override
        public void onProgress(Phase phase, double percent, String message) {
          out().progress(ProgressEvent.of("automl", percent, phase.name().toLowerCase() + (message == null || message.isBlank() ? "" : ": " + message)));
        }
      });
      AutoMLModel model;
      try (AutoCloseable hook = ctx().onCancel(automl::cancel)) {
        model = automl.fit(data);
      } catch (AutoMLCancelledException e) {
        throw new CommandCancelledException();
      } catch (IllegalArgumentException e) {
        throw new CommandException(e.getMessage(), e);
      } finally {
        out().progress(ProgressEvent.finished("automl", "AutoML done"));
      }
      AutoMLResult result = model.result();
      RegistryTracker.TrackedRun tracked = model.trackedRun().orElseThrow();
      ModelResult leader = model.leader();
      prof.logTo(reg, tracked.parentRunId(), "profile");
      out().result(LeaderboardTable.of(result, ctx().maxRows()));
      ctx().checkCancelled();

      RunReport report = new RunReport()
          .source(in.location(), rows, cols)
          .profile(prof);
      // 3. Explain the leader, or the best model that has exact contributions.
      explain(model, data, report, tracked, reg);

      // 4. The report folder.
      ModelVersion version = tracked.registeredVersion();
      String uri = version != null ? modelName + "@" + alias : "runs:/" + tracked.servedRunId() + "/model/model.zip";
      var info = result.info();
      report.target(label, info.problemType().name(), info.positiveClass(), info.positiveClassReason())
          .tracking(name, tracked.parentRunId(), uri, version == null ? null : version.version(), System.currentTimeMillis() - t0)
          .leaderboard(LeaderboardTable.columns(result), LeaderboardTable.rows(result), leader.modelId())
          .snippets(uri, exampleRow(data, label))
          .warnings(warnings(result, prof, modelName, leader));
      if (leader.holdout() != null) {
        report.holdout(leader.modelId(), leader.holdout().values(), leader.holdout().labels(), leader.holdout().confusionMatrix());
      }
      List<Path> files = new ArrayList<>(report.write(dir));
      ModelResult served = result.servedModel();
      if (served.hasMojo()) {
        Path mojo = Files.createDirectories(dir.resolve("model")).resolve("model.zip");
        Files.write(mojo, served.mojo());
        files.add(mojo);
      }
      reg.logArtifact(tracked.parentRunId(), dir.resolve("index.html"), "report");
      List<CommandResult.WrittenFile> written = new ArrayList<>();
      for (Path f : files) written.add(new CommandResult.WrittenFile(dir.relativize(f).toString(), f));
      out().result(new CommandResult.Files("report folder " + dir, written));
      // a notebook shows the report inline; a terminal has it in index.html
      out().result(new CommandResult.Html("omelet run report", report.fragment(dir)));

      LinkedHashMap<String, Object> v = new LinkedHashMap<>();
      v.put("run_id", tracked.parentRunId());
      v.put("experiment", name);
      v.put("leader", leader.modelId() + " (" + leader.algo() + ")");
      v.put("served", result.refit() != null
          ? served.modelId() + " (the leader refit on all " + served.trainingRows() + " rows)"
          : leader.modelId() + " (" + result.refitNote() + ")");
      v.put("estimate", result.estimate());
      if (leader.holdout() != null) v.put("holdout", LeaderboardTable.headline(leader, info.problemType()));
      if (info.positiveClass() != null) v.put("positive_class", info.positiveClass());
      v.put("model_uri", uri);
      if (version != null) v.put("model_version", version.version());
      v.put("report", dir.resolve("index.html").toString());
      v.put("duration_s", Math.round((System.currentTimeMillis() - t0) / 100.0) / 10.0);
      out().result(new CommandResult.Values("omelet run done", v));
    } finally {
      data.unpersist(false);
    }
  }

  /** SHAP of the leader, or of the best-ranked model with exact contributions; the report says which. */

  /** The AutoML estimator the options describe, tracked in experiment {@code name}. */
  private OmeletAutoML automl(Dataset<Row> data, String label, String name, String modelName, double sampleValue) {
    OmeletAutoML automl = new OmeletAutoML().setLabelCol(label).setProfile(profile).setSeed(seed)
        .setExperimentName(name).setRunName("omelet-run-" + label);
    if (modelName != null) automl.setRegisteredModelName(modelName).setModelAlias(alias);
    if (maxModels != null) automl.setMaxModels(maxModels);
    if (maxRuntimeSecs != null) automl.setMaxRuntimeSecs(maxRuntimeSecs);
    if (excludeAlgos != null && !excludeAlgos.isEmpty()) automl.setExcludeAlgos(excludeAlgos.toArray(new String[0]));
    if (sampleValue > 0) automl.setSample(sampleValue);
    if (positiveClass != null) automl.setPositiveClass(positiveClass);
    if (groupCol != null) automl.setGroupCol(groupCol);
    if (foldCol != null) automl.setFoldCol(foldCol);
    if (noRefit) automl.setRefitOnAllRows(false);
    if (classification) {
      long classes = data.select(org.apache.spark.sql.functions.col("`" + label + "`")).na().drop().distinct().count();
      automl.setProblemType(classes <= 2 ? "binomial" : "multinomial");
    }
    return automl;
  }

  /**
   * {@code --dry-run}: the checks a run makes before it trains, and what it would train on. Opens
   * the registry only to read a team preset; writes nothing.
   */
  private void dryRun(DataInput in, String name, String modelName, double sampleValue) {
    ctx().spark(registry.master);
    String presetRoot = null;
    if (!AutoMLProfiles.isBuiltIn(profile)) {
      OmeletRegistry reg = ctx().registry(registry.root);
      PresetsCommand.load(reg, profile);
      presetRoot = reg.root();
    }
    Dataset<Row> data = in.read(ctx()).cache();
    try {
      String label = DataInput.checkTarget(data, target);
      OmeletAutoML automl = automl(data, label, name, modelName, sampleValue);
      if (presetRoot != null) automl.setRegistryRoot(presetRoot);
      // bad input is an IllegalArgumentException: the command layer reports its message as is
      io.omelet.automl.AutoMLRunInfo info = automl.check(data);
      LinkedHashMap<String, Object> v = new LinkedHashMap<>();
      v.put("input", in.location());
      v.put("input_rows", info.inputRows());
      v.put("target", label);
      v.put("problem_type", info.problemType().name().toLowerCase(java.util.Locale.ROOT));
      if (info.classLabels() != null) v.put("classes", String.join(", ", info.classLabels()));
      if (info.positiveClass() != null) v.put("positive_class", info.positiveClass() + " (" + info.positiveClassReason() + ")");
      v.put("rows_used", info.usedRows());
      v.put("train_rows", info.trainRows());
      v.put("holdout_rows", info.holdoutRows());
      v.put("features", info.features().size() + ": " + String.join(", ", info.features()));
      v.put("profile", profile);
      v.put("experiment", name);
      v.put("would_register", modelName == null ? "nothing" : modelName + "@" + alias);
      for (int i = 0; i < info.warnings().size(); i++) v.put("warning_" + (i + 1), info.warnings().get(i));
      out().result(new CommandResult.Values("omelet run --dry-run: the input passes the checks; nothing was trained", v));
    } finally {
      data.unpersist();
    }
  }
  private void explain(AutoMLModel model, Dataset<Row> data, RunReport report, RegistryTracker.TrackedRun tracked,
      OmeletRegistry reg) {
    ModelResult leader = model.leader();
    boolean multinomial = model.problemType() == ProblemType.MULTINOMIAL;
    ModelResult chosen = null;
    List<ModelResult> candidates = new ArrayList<>();
    candidates.add(model.servedModel()); // the model that is served first: the refit, when there is one
    candidates.addAll(model.models());
    if (!multinomial) {
      for (ModelResult m : candidates) {
        if (m.hasMojo() && EXACT_SHAP.contains(m.algo().toLowerCase())) {
          chosen = m;
          break;
        }
      }
    }
    if (chosen == null) {
      report.shapUnavailable(multinomial
          ? "exact SHAP contributions cover binary and regression models; this target has several classes "
              + "(run 'omelet explain --method kernel' for KernelSHAP)"
          : "no leaderboard model has exact SHAP contributions");
      text("SHAP: skipped (%s)", multinomial ? "several classes" : "no model with exact contributions");
      return;
    }
    String note = chosen == model.servedModel() && chosen != leader
        ? "the served model " + chosen.modelId() + " (the leader refit on all rows)"
        : chosen == leader ? "the leader " + leader.modelId()
        : "the leader " + leader.modelId() + " (" + leader.algo() + ") has no exact contributions; explained: "
            + chosen.modelId() + ", the best model that has them";
    try {
      AutoMLModel explainedModel = model.forModel(chosen.modelId());
      ShapExplainer explainer = new ShapExplainer().setModel(explainedModel);
      Dataset<Row> rows = data.limit(explainRows);
      ModelResult c = chosen;
      ShapSummary summary = SparkProgress.during(ctx(), "explain", () -> ShapSummary.of(explainer.transform(rows),
          explainer.getOutputCol(), explainer.getBaseValueCol(), explainer.describeOutput(), explainRows, seed));
      double[] mean = summary.meanAbsShap();
      Integer[] order = new Integer[mean.length];
      for (int i = 0; i < order.length; i++) order[i] = i;
      java.util.Arrays.sort(order, (a, b) -> Double.compare(mean[b], mean[a]));
      LinkedHashMap<String, String> plots = new LinkedHashMap<>();
      plots.put("shap_summary.svg", summary.summaryPlotSvg(20));
      for (int k = 0; k < Math.min(3, order.length); k++) {
        String f = summary.features().get(order[k]);
        plots.put("shap_dependence_" + f.replaceAll("[^A-Za-z0-9_-]", "_") + ".svg", summary.dependencePlotSvg(f));
      }
      report.shap(c.modelId(), note + "; " + summary.rows() + " rows; values explain the " + explainer.describeOutput(),
          summary.features(), mean, plots);
      String childRun = tracked.childRunIds().get(c.modelId());
      if (childRun != null) summary.logTo(reg, childRun, "shap", 3);
      text("SHAP: %s; top features: %s", note, java.util.Arrays.stream(order).limit(5)
          .map(i -> summary.features().get(i)).toList());
    } catch (RuntimeException e) {
      if (ctx().cancelled()) throw new CommandCancelledException();
      LOG.warn("SHAP failed", e);
      report.shapUnavailable("SHAP of " + chosen.modelId() + " failed: " + Errors.oneLine(e));
      text("SHAP: failed (%s); the report says so", Errors.oneLine(e));
    }
  }

  private static List<String> warnings(AutoMLResult r, Profile p, String modelName, ModelResult leader) {
    List<String> w = new ArrayList<>(r.info().warnings());
    w.addAll(r.engineMessages());
    if (modelName != null && !r.servedModel().hasMojo()) {
      w.add("the served model has no MOJO (" + r.servedModel().error() + "): nothing was registered");
    }
    if (r.refit() == null && r.info().settings().refitOnAllRows() && r.refitNote() != null
        && !r.refitNote().startsWith("nothing to refit")) {
      w.add("not refit on all rows: " + r.refitNote());
    }
    if (!p.alerts.isEmpty()) w.add(p.alerts.size() + " data alerts: see the profile section");
    return w;
  }

  /** One real row, the label removed, for the REST snippet. */
  private static Map<String, Object> exampleRow(Dataset<Row> data, String label) {
    Row r = data.drop(label).head();
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < r.size(); i++) {
      Object v = r.get(i);
      m.put(r.schema().fields()[i].name(), v instanceof java.sql.Date || v instanceof java.sql.Timestamp ? v.toString() : v);
    }
    return m;
  }
}
