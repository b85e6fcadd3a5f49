package io.omelet.tuning;

import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * One stage's instances of the {@link TunerParams}, with their docs and defaults. Java has no trait with
 * state (Spark's ValidatorParams is one), so {@link OmeletTuner} and {@link TunerModel} each hold one of
 * these, made for their own uid.
 */
public final class TunerParamSet {
  final Param<Estimator<?>> estimator;
  final Param<Evaluator> evaluator;
  final Param<TunerSpace> searchSpace;
  final IntParam numFolds;
  final DoubleParam trainRatio;
  final IntParam parallelism;
  final LongParam seed;
  final LongParam foldSeed;
  final BooleanParam collectSubModels;
  final Param<String> sampler;
  final IntParam maxTrials;
  final DoubleParam timeoutSeconds;
  final BooleanParam pruning;
  final IntParam pruningStartupTrials;
  final IntParam startupTrials;
  final IntParam gridPoints;
  final Param<String> experimentName;
  final Param<String> runName;
  final Param<String> registryRoot;
  final Param<String> registerModelName;
  final Param<String> modelAlias;
  final Param<String> resumeFrom;

  /** The Params of {@code owner} (whose uid is already set), with their defaults set on it. */
  TunerParamSet(Params owner) {
    estimator = new Param<>(owner, "estimator", "the estimator (or pipeline) to tune");
    evaluator = new Param<>(owner, "evaluator", "scores each fold's predictions; its isLargerBetter gives the direction");
    searchSpace = new Param<>(owner, "searchSpace", "the TunerSpace: the estimator's Params to search and their ranges");
    numFolds = new IntParam(owner, "numFolds", "cross-validation folds (>= 2)");
    trainRatio = new DoubleParam(owner, "trainRatio",
        "when set, one train/validation split with this share for training, in (0, 1), instead of folds");
    parallelism = new IntParam(owner, "parallelism", "trials run at once (>= 1)");
    seed = new LongParam(owner, "seed", "random seed of the folds and the sampler");
    foldSeed = new LongParam(owner, "foldSeed", "random seed of the folds when it should differ from the sampler's; unset: seed");
    collectSubModels = new BooleanParam(owner, "collectSubModels", "keep every trial's model of every fold");
    sampler = new Param<>(owner, "sampler", "tpe (default), random or grid");
    maxTrials = new IntParam(owner, "maxTrials", "most trials; 0 for no limit (then a timeout, or a grid, bounds the search)");
    timeoutSeconds = new DoubleParam(owner, "timeoutSeconds", "no trial starts after this many seconds; 0 for no limit");
    pruning = new BooleanParam(owner, "pruning", "stop a trial after a fold where it is worse than the completed trials' median");
    pruningStartupTrials = new IntParam(owner, "pruningStartupTrials", "completed trials before pruning starts (>= 1)");
    startupTrials = new IntParam(owner, "startupTrials", "tpe: random trials before the model-based proposals (>= 0);"
        + " when unset, a quarter of maxTrials, between 2 and 10 (10 with no maxTrials)");
    gridPoints = new IntParam(owner, "gridPoints", "grid: values per float (and log integer) parameter (>= 2)");
    experimentName = new Param<>(owner, "experimentName",
        "track the search in this registry experiment (a parent run, a child run per trial); empty for none");
    runName = new Param<>(owner, "runName", "the parent run's name; empty for tuning-<estimator>");
    registryRoot = new Param<>(owner, "registryRoot", "registry root; empty for spark.omelet.registry.root or ./omelet-registry");
    registerModelName = new Param<>(owner, "registerModelName",
        "register the best model as a new version of this model (needs experimentName); empty not to");
    modelAlias = new Param<>(owner, "modelAlias",
        "point this alias (e.g. champion) at the registered version once its run finished; empty not to");
    resumeFrom = new Param<>(owner, "resumeFrom",
        "warm-start the sampler from the COMPLETE trials of earlier searches of the same space in this experiment; empty not to");
    owner.setDefault(numFolds, 3);
    owner.setDefault(parallelism, 1);
    owner.setDefault(seed, (long) owner.getClass().getName().hashCode());
    owner.setDefault(collectSubModels, false);
    owner.setDefault(sampler, "tpe");
    owner.setDefault(maxTrials, 20);
    owner.setDefault(timeoutSeconds, 0.0);
    owner.setDefault(pruning, true);
    owner.setDefault(pruningStartupTrials, 5);
    owner.setDefault(gridPoints, 3);
    owner.setDefault(experimentName, "");
    owner.setDefault(runName, "");
    owner.setDefault(registryRoot, "");
    owner.setDefault(registerModelName, "");
    owner.setDefault(modelAlias, "");
    owner.setDefault(resumeFrom, "");
  }
}
