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
 * The Params {@link OmeletTuner} and {@link TunerModel} share, as Spark's {@code ValidatorParams} and
 * {@code CrossValidatorParams} are shared by {@code CrossValidator} and its model: a fit copies the
 * tuner's values onto the model. Spark ML finds Params through public no-argument methods returning them,
 * which these default methods are.
 */
public interface TunerParams extends Params {
  /** This stage's own Param instances. */
  TunerParamSet tunerParams();

  default Param<Estimator<?>> estimator() { return tunerParams().estimator; }
  default Param<Evaluator> evaluator() { return tunerParams().evaluator; }
  default Param<TunerSpace> searchSpace() { return tunerParams().searchSpace; }
  default IntParam numFolds() { return tunerParams().numFolds; }
  default DoubleParam trainRatio() { return tunerParams().trainRatio; }
  default IntParam parallelism() { return tunerParams().parallelism; }
  default LongParam seed() { return tunerParams().seed; }
  default LongParam foldSeed() { return tunerParams().foldSeed; }
  default BooleanParam collectSubModels() { return tunerParams().collectSubModels; }
  default Param<String> sampler() { return tunerParams().sampler; }
  default IntParam maxTrials() { return tunerParams().maxTrials; }
  default DoubleParam timeoutSeconds() { return tunerParams().timeoutSeconds; }
  default BooleanParam pruning() { return tunerParams().pruning; }
  default IntParam pruningStartupTrials() { return tunerParams().pruningStartupTrials; }
  default IntParam startupTrials() { return tunerParams().startupTrials; }
  default IntParam gridPoints() { return tunerParams().gridPoints; }
  default Param<String> experimentName() { return tunerParams().experimentName; }
  default Param<String> runName() { return tunerParams().runName; }
  default Param<String> registryRoot() { return tunerParams().registryRoot; }
  default Param<String> registerModelName() { return tunerParams().registerModelName; }
  default Param<String> modelAlias() { return tunerParams().modelAlias; }
  default Param<String> resumeFrom() { return tunerParams().resumeFrom; }

  // Getters; null for an unset Param without a default.
  default Estimator<?> getEstimator() { return isDefined(estimator()) ? getOrDefault(estimator()) : null; }
  default Evaluator getEvaluator() { return isDefined(evaluator()) ? getOrDefault(evaluator()) : null; }
  default TunerSpace getSearchSpace() { return isDefined(searchSpace()) ? getOrDefault(searchSpace()) : null; }
  default int getNumFolds() { return (Integer) getOrDefault(numFolds()); }
  /** The share for training of a single split; null when folds are used. */
  default Double getTrainRatio() { return isDefined(trainRatio()) ? (Double) getOrDefault(trainRatio()) : null; }
  default int getParallelism() { return (Integer) getOrDefault(parallelism()); }
  default long getSeed() { return (Long) getOrDefault(seed()); }
  /** The folds' seed when set apart from {@link #getSeed()}; null when the folds use the seed. */
  default Long getFoldSeed() { return isDefined(foldSeed()) ? (Long) getOrDefault(foldSeed()) : null; }
  default boolean getCollectSubModels() { return (Boolean) getOrDefault(collectSubModels()); }
  default String getSampler() { return getOrDefault(sampler()); }
  default int getMaxTrials() { return (Integer) getOrDefault(maxTrials()); }
  default double getTimeoutSeconds() { return (Double) getOrDefault(timeoutSeconds()); }
  default boolean getPruning() { return (Boolean) getOrDefault(pruning()); }
  default int getPruningStartupTrials() { return (Integer) getOrDefault(pruningStartupTrials()); }
  /** The TPE start-up trials as set; null when derived from the budget (see OmeletTuner.effectiveStartupTrials). */
  default Integer getStartupTrials() { return isDefined(startupTrials()) ? (Integer) getOrDefault(startupTrials()) : null; }
  default int getGridPoints() { return (Integer) getOrDefault(gridPoints()); }
  default String getExperimentName() { return getOrDefault(experimentName()); }
  default String getRunName() { return getOrDefault(runName()); }
  default String getRegistryRoot() { return getOrDefault(registryRoot()); }
  default String getRegisterModelName() { return getOrDefault(registerModelName()); }
  default String getModelAlias() { return getOrDefault(modelAlias()); }
  default String getResumeFrom() { return getOrDefault(resumeFrom()); }
}
