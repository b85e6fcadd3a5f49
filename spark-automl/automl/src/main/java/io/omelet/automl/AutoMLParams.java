package io.omelet.automl;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;
import scala.Function1;

/**
 * The params of {@link OmeletAutoML} and {@link AutoMLModel}, declared once, as Spark ML's
 * {@code ImputerParams} is for {@code Imputer} and {@code ImputerModel}. Named as Sparkling Water's
 * H2OAutoML names them; defaults are H2O's except where a doc says otherwise.
 *
 * <p>Why an interface over a holder: the estimator and the model extend different Spark classes
 * and Java has no traits, and a {@link Param} must be made with its owner's uid. So each owner
 * makes one {@link Declared} in its constructor (which also sets the defaults), and this
 * interface's default methods expose its params (Spark ML finds params through public
 * no-argument methods returning them, default methods included) and read them with typed
 * getters. Setters live on the classes, so they return the class: the estimator has one for every
 * param; the model, like Spark's models, only for the output columns.
 *
 * <p>Every value is checked when it is set (by the param's validator, so also through a
 * {@code ParamMap} or {@code copy(extra)}), with a message naming the param and the values it takes.
 */
public interface AutoMLParams extends Params {

  /** This instance's params (made with its uid); not for users. */
  Declared declared();

  default Param<String> labelCol() { return declared().labelCol; }
  default StringArrayParam featuresCols() { return declared().featuresCols; }
  default StringArrayParam ignoredCols() { return declared().ignoredCols; }
  /**
   * The {@code problemType} param. Named apart from the param because {@link AutoMLModel#problemType()}
   * has long answered the type a model was trained for.
   */
  default Param<String> problemTypeParam() { return declared().problemType; }
  default IntParam maxModels() { return declared().maxModels; }
  default DoubleParam maxRuntimeSecs() { return declared().maxRuntimeSecs; }
  default DoubleParam maxRuntimeSecsPerModel() { return declared().maxRuntimeSecsPerModel; }
  default IntParam nfolds() { return declared().nfolds; }
  default LongParam seed() { return declared().seed; }
  default StringArrayParam includeAlgos() { return declared().includeAlgos; }
  default StringArrayParam excludeAlgos() { return declared().excludeAlgos; }
  default Param<String> sortMetric() { return declared().sortMetric; }
  default Param<String> stoppingMetric() { return declared().stoppingMetric; }
  default IntParam stoppingRounds() { return declared().stoppingRounds; }
  default DoubleParam stoppingTolerance() { return declared().stoppingTolerance; }
  default BooleanParam balanceClasses() { return declared().balanceClasses; }
  default Param<String> weightCol() { return declared().weightCol; }
  default DoubleParam sample() { return declared().sample; }
  default DoubleParam holdoutFraction() { return declared().holdoutFraction; }
  default Param<String> positiveClass() { return declared().positiveClass; }
  default BooleanParam refitOnAllRows() { return declared().refitOnAllRows; }
  default Param<String> foldCol() { return declared().foldCol; }
  default Param<String> groupCol() { return declared().groupCol; }
  default DoubleParam exploitationRatio() { return declared().exploitationRatio; }
  default Param<String> predictionCol() { return declared().predictionCol; }
  default Param<String> probabilityCol() { return declared().probabilityCol; }
  default Param<String> experimentName() { return declared().experimentName; }
  default Param<String> runName() { return declared().runName; }
  default Param<String> registeredModelName() { return declared().registeredModelName; }
  default Param<String> modelAlias() { return declared().modelAlias; }
  default Param<String> registryRoot() { return declared().registryRoot; }
  default Param<String> profile() { return declared().profile; }

  /** The label column; fails when it is not set (it has no default). */
  default String getLabelCol() { return $(labelCol()); }
  default String[] getFeaturesCols() { return $(featuresCols()); }
  default String[] getIgnoredCols() { return $(ignoredCols()); }
  default String getProblemType() { return $(problemTypeParam()); }
  default int getMaxModels() { return (Integer) $(maxModels()); }
  default double getMaxRuntimeSecs() { return (Double) $(maxRuntimeSecs()); }
  default double getMaxRuntimeSecsPerModel() { return (Double) $(maxRuntimeSecsPerModel()); }
  default int getNfolds() { return (Integer) $(nfolds()); }
  default long getSeed() { return (Long) $(seed()); }
  default String[] getIncludeAlgos() { return $(includeAlgos()); }
  default String[] getExcludeAlgos() { return $(excludeAlgos()); }
  default String getSortMetric() { return $(sortMetric()); }
  default String getStoppingMetric() { return $(stoppingMetric()); }
  default int getStoppingRounds() { return (Integer) $(stoppingRounds()); }
  default double getStoppingTolerance() { return (Double) $(stoppingTolerance()); }
  default boolean getBalanceClasses() { return (Boolean) $(balanceClasses()); }
  default String getWeightCol() { return $(weightCol()); }
  default double getSample() { return (Double) $(sample()); }
  default double getHoldoutFraction() { return (Double) $(holdoutFraction()); }
  default String getPositiveClass() { return $(positiveClass()); }
  default boolean getRefitOnAllRows() { return (Boolean) $(refitOnAllRows()); }
  default String getFoldCol() { return $(foldCol()); }
  default String getGroupCol() { return $(groupCol()); }
  default double getExploitationRatio() { return (Double) $(exploitationRatio()); }
  default String getPredictionCol() { return $(predictionCol()); }
  default String getProbabilityCol() { return $(probabilityCol()); }
  default String getExperimentName() { return $(experimentName()); }
  default String getRunName() { return $(runName()); }
  default String getRegisteredModelName() { return $(registeredModelName()); }
  default String getModelAlias() { return $(modelAlias()); }
  default String getRegistryRoot() { return $(registryRoot()); }
  default String getProfile() { return $(profile()); }

  /** The algorithm names {@code includeAlgos}/{@code excludeAlgos} accept (DRF includes XRT). */
  List<String> ALGOS = List.of("XGBoost", "GBM", "DRF", "GLM", "DeepLearning", "StackedEnsemble");
  /** Leaderboard sort metrics H2O accepts. */
  List<String> SORT_METRICS = List.of("AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "RMSLE", "AUC",
      "AUCPR", "mean_per_class_error");
  /** Early-stopping metrics H2O accepts. */
  List<String> STOPPING_METRICS = List.of("AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "RMSLE", "AUC",
      "AUCPR", "lift_top_group", "misclassification", "mean_per_class_error");

  /** {@code v} as H2O spells it among {@code allowed} (any case; XRT is DRF for the algorithm lists). */
  static String canonical(String what, String v, List<String> allowed) {
    if (v == null) throw new IllegalArgumentException(what + " must not be null");
    String t = v.trim();
    if (what.endsWith("Algos") && t.equalsIgnoreCase("XRT")) t = "DRF";
    for (String a : allowed) if (a.equalsIgnoreCase(t)) return a;
    throw new IllegalArgumentException("unknown " + what + " value '" + v + "': expected one of " + allowed);
  }

  static String[] canonicalAlgos(String what, String[] names) {
    return Arrays.stream(names).map(n -> canonical(what, n, ALGOS)).toArray(String[]::new);
  }

  /** The params of one owner, made with its uid, their checks and defaults. */
  final class Declared implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Param<String> labelCol, problemType, sortMetric, stoppingMetric, weightCol, positiveClass,
        foldCol, groupCol, predictionCol, probabilityCol, experimentName, runName, registeredModelName,
        modelAlias, registryRoot, profile;
    private final StringArrayParam featuresCols, ignoredCols, includeAlgos, excludeAlgos;
    private final IntParam maxModels, nfolds, stoppingRounds;
    private final DoubleParam maxRuntimeSecs, maxRuntimeSecsPerModel, stoppingTolerance, sample, holdoutFraction,
        exploitationRatio;
    private final LongParam seed;
    private final BooleanParam balanceClasses, refitOnAllRows;

    /** Makes {@code owner}'s params (its uid must be set) and sets their defaults on it. */
    Declared(AutoMLParams o) {
      labelCol = new Param<>(o, "labelCol", "the column to predict");
      featuresCols = new StringArrayParam(o, "featuresCols",
          "feature columns; empty for every column but the label, weight and ignored ones");
      ignoredCols = new StringArrayParam(o, "ignoredCols", "columns not to use as features");
      problemType = new Param<>(o, "problemType", "auto (detected from the label), binomial, multinomial or regression",
          parses(ProblemType::parse));
      maxModels = new IntParam(o, "maxModels", "most models to build (stacked ensembles not counted); 0 for no limit",
          number(v -> v >= 0, "maxModels must be >= 0"));
      maxRuntimeSecs = new DoubleParam(o, "maxRuntimeSecs",
          "time budget of the whole run in seconds; 0 for none (3600 when maxModels is 0 too)",
          number(v -> v >= 0, "maxRuntimeSecs must be >= 0"));
      maxRuntimeSecsPerModel = new DoubleParam(o, "maxRuntimeSecsPerModel", "time budget per model in seconds; 0 for none",
          number(v -> v >= 0, "maxRuntimeSecsPerModel must be >= 0"));
      nfolds = new IntParam(o, "nfolds", "cross-validation folds (0 for none, else >= 2)",
          number(v -> v == 0 || v >= 2, "nfolds must be 0 (no cross-validation) or >= 2"));
      seed = new LongParam(o, "seed", "random seed; -1 for a random one (the run records the one it drew)");
      includeAlgos = new StringArrayParam(o, "includeAlgos",
          "only these algorithms: XGBoost, GBM, DRF (XRT included), GLM, DeepLearning, StackedEnsemble",
          parses(v -> canonicalAlgos("includeAlgos", v)));
      excludeAlgos = new StringArrayParam(o, "excludeAlgos", "not these algorithms (same names as includeAlgos)",
          parses(v -> canonicalAlgos("excludeAlgos", v)));
      sortMetric = new Param<>(o, "sortMetric", "leaderboard sort metric: " + String.join(", ", SORT_METRICS),
          parses(v -> canonical("sortMetric", v, SORT_METRICS)));
      stoppingMetric = new Param<>(o, "stoppingMetric", "early-stopping metric: " + String.join(", ", STOPPING_METRICS),
          parses(v -> canonical("stoppingMetric", v, STOPPING_METRICS)));
      stoppingRounds = new IntParam(o, "stoppingRounds",
          "early stopping after this many rounds without improvement; 0 to disable",
          number(v -> v >= 0, "stoppingRounds must be >= 0"));
      stoppingTolerance = new DoubleParam(o, "stoppingTolerance",
          "relative improvement that counts; -1 to let H2O pick from the data size");
      balanceClasses = new BooleanParam(o, "balanceClasses", "over/under-sample the classes to balance them");
      weightCol = new Param<>(o, "weightCol", "column of row weights; empty for none");
      sample = new DoubleParam(o, "sample", "rows to use: 0 for all, a fraction in (0, 1), or a whole row count above 1",
          number(v -> v >= 0 && (v <= 1 || v == Math.rint(v)),
              "sample must be >= 0, and whole above 1 (a row count)"));
      holdoutFraction = new DoubleParam(o, "holdoutFraction",
          "share of rows held out to evaluate every model (stratified for classification), in [0, 0.9]",
          number(v -> v >= 0 && v <= 0.9, "holdoutFraction must be in [0, 0.9]"));
      positiveClass = new Param<>(o, "positiveClass",
          "binary problems: the class precision, recall and F1 describe, as the label reads; empty for the minority class");
      refitOnAllRows = new BooleanParam(o, "refitOnAllRows",
          "serve the leader refit on every labelled row (holdout included) with its selected settings;"
              + " false to serve it as trained");
      foldCol = new Param<>(o, "foldCol",
          "column assigning each row its cross-validation fold; empty to draw folds at random (stratified)");
      groupCol = new Param<>(o, "groupCol",
          "column of groups kept together (each wholly in one fold and one side of the holdout); empty for none");
      exploitationRatio = new DoubleParam(o, "exploitationRatio",
          "share of the time budget for fine-tuning the best boosted trees, in [0, 1]; -1 for H2O's default",
          number(v -> v == -1 || (v >= 0 && v <= 1),
              "exploitationRatio must be in [0, 1], or -1 for H2O's default"));
      predictionCol = new Param<>(o, "predictionCol", "prediction column the model adds");
      probabilityCol = new Param<>(o, "probabilityCol",
          "class probability vector column the model adds (classification); empty to leave it out");
      experimentName = new Param<>(o, "experimentName",
          "track the fit in this registry experiment (a parent run, a child run per model); empty for no tracking");
      runName = new Param<>(o, "runName", "name of the parent run; empty for automl-<label>");
      registeredModelName = new Param<>(o, "registeredModelName",
          "register the served model as a new version of this model (needs experimentName); empty not to");
      modelAlias = new Param<>(o, "modelAlias", "point this alias (e.g. champion) at the new version; empty not to");
      registryRoot = new Param<>(o, "registryRoot",
          "registry root path; empty for spark.omelet.registry.root or ./omelet-registry");
      profile = new Param<>(o, "profile",
          "named preset (fast, balanced, thorough, or one saved in the registry) under the params set here");

      String[] none = new String[0];
      o.setDefault(featuresCols, none);
      o.setDefault(ignoredCols, none);
      o.setDefault(problemType, "auto");
      o.setDefault(maxModels, 0);
      o.setDefault(maxRuntimeSecs, 0.0);
      o.setDefault(maxRuntimeSecsPerModel, 0.0);
      o.setDefault(nfolds, 5);
      o.setDefault(seed, -1L);
      o.setDefault(includeAlgos, none);
      o.setDefault(excludeAlgos, none);
      o.setDefault(sortMetric, "AUTO");
      o.setDefault(stoppingMetric, "AUTO");
      o.setDefault(stoppingRounds, 3);
      o.setDefault(stoppingTolerance, -1.0);
      o.setDefault(balanceClasses, false);
      o.setDefault(weightCol, "");
      o.setDefault(sample, 0.0);
      o.setDefault(holdoutFraction, 0.2);
      o.setDefault(positiveClass, "");
      o.setDefault(refitOnAllRows, true);
      o.setDefault(foldCol, "");
      o.setDefault(groupCol, "");
      o.setDefault(exploitationRatio, -1.0);
      o.setDefault(predictionCol, "prediction");
      o.setDefault(probabilityCol, "probability");
      for (Param<String> p : List.of(experimentName, runName, registeredModelName, modelAlias, registryRoot, profile)) {
        o.setDefault(p, "");
      }
    }

    /**
     * A validator failing with {@code message} and the value (or, for an empty message, with the
     * check's own exception). Serializable, as Spark's own validators are, since params are.
     */
    private static <T> Function1<T, Object> check(Check<T> ok, String message) {
      return (Function1<T, Object> & Serializable) v -> {
        if (v == null) throw new IllegalArgumentException("a null value is not allowed");
        if (!ok.test(v)) throw new IllegalArgumentException(message + ", got " + v);
        return Boolean.TRUE;
      };
    }

    /** A validator that parses the value, failing with the parser's own message. */
    private static <T> Function1<T, Object> parses(Parser<T> parse) {
      return check(v -> {
        parse.apply(v);
        return true;
      }, "");
    }

    private interface Parser<T> extends java.util.function.Function<T, Object>, Serializable {}

    /** {@link #check} for the numeric params, whose Spark type is {@code Param<Object>}. */
    private static Function1<Object, Object> number(Check<Double> ok, String message) {
      return check(v -> ok.test(((Number) v).doubleValue()), message);
    }

    /** A serializable test, so the validators made of it are too. */
    private interface Check<T> extends Predicate<T>, Serializable {}
  }
}
