package io.omelet.automl.engine;

import ai.h2o.automl.Algo;
import ai.h2o.automl.AutoML;
import ai.h2o.automl.ModelingStep;
import ai.h2o.automl.ModelingSteps;
import ai.h2o.automl.ModelingStepsProvider;
import ai.h2o.automl.ModelingStepsRegistry;
import hex.Model;
import hex.tree.gbm.GBMModel;
import hex.tree.xgboost.XGBoostModel;

/**
 * Omelet's own AutoML steps, run inside H2O AutoML's modelling plan like H2O's own: shallow,
 * strongly regularised boosted trees (depth 2 to 4, small learning rate, many trees cut by early
 * stopping, row and column sampling). On small, noisy tables these beat H2O's default trees (depth
 * 6 to 15), which fit the noise; they are cheap, so they go early in the plan, before the grids.
 *
 * <p>They stop on their own terms: AutoML's stopping tolerance is 1/sqrt(rows) (3.5% on 800 rows),
 * which would stop a slow learner after a few dozen trees; these ask for a 0.1% improvement
 * within 5 scoring rounds (25 trees).
 * Registered with H2O's steps registry under {@link #PROVIDER} by {@link #register()}.
 */
public final class OmeletSteps extends ModelingSteps {
  /** The provider name step definitions use. */
  public static final String PROVIDER = "Omelet";
  /** Step ids, in the order the modelling plan runs them. */
  public static final String GBM_SHALLOW_1 = "gbm_shallow_1", GBM_SHALLOW_2 = "gbm_shallow_2",
      GBM_SHALLOW_3 = "gbm_shallow_3", XGB_SHALLOW_1 = "xgb_shallow_1";

  private static volatile boolean registered;

  /** Makes the steps known to H2O AutoML in this JVM (once; cheap after that). */
  public static void register() {
    if (registered) return;
    synchronized (OmeletSteps.class) {
      if (!registered) {
        ModelingStepsRegistry.registerProvider(new Provider());
        registered = true;
      }
    }
  }

  /** What H2O's registry holds: it makes the steps for each AutoML run. */
  public static final class Provider implements ModelingStepsProvider<OmeletSteps> {
    @Override
    public String getName() {
      return PROVIDER;
    }

    @Override
    public OmeletSteps newInstance(AutoML aml) {
      return new OmeletSteps(aml);
    }
  }

  private final ModelingStep[] defaults;

  public OmeletSteps(AutoML aml) {
    super(aml);
    defaults = new ModelingStep[] {
        gbm(GBM_SHALLOW_1, 3, 0.05, 10, 0.8, 0.8),
        gbm(GBM_SHALLOW_2, 2, 0.03, 20, 0.7, 0.7),
        gbm(GBM_SHALLOW_3, 4, 0.02, 30, 0.8, 0.6),
        xgb(XGB_SHALLOW_1, 3, 0.03, 5, 10.0, 0.5),
    };
  }

  @Override
  public String getProvider() {
    return PROVIDER;
  }

  @Override
  protected ModelingStep[] getDefaultModels() {
    return defaults;
  }

  private static void stopPatiently(Model.Parameters p) {
    p._stopping_tolerance = STOPPING_TOLERANCE;
    p._stopping_rounds = STOPPING_ROUNDS;
    if (p instanceof hex.tree.SharedTreeModel.SharedTreeParameters t) t._score_tree_interval = 5;
    if (p instanceof XGBoostModel.XGBoostParameters x) x._score_tree_interval = 5;
  }

  static final double STOPPING_TOLERANCE = 1e-3;
  static final int STOPPING_ROUNDS = 5;

  private ModelingStep gbm(String id, int depth, double learnRate, int minRows, double rowSample, double colSample) {
    return new ModelingStep.ModelStep<GBMModel>(PROVIDER, Algo.GBM, id, aml()) {
      @Override
      public Model.Parameters prepareModelParameters() {
        GBMModel.GBMParameters p = new GBMModel.GBMParameters();
        p._max_depth = depth;
        p._learn_rate = learnRate;
        p._min_rows = minRows;
        p._sample_rate = rowSample;
        p._col_sample_rate = colSample;
        p._col_sample_rate_per_tree = 0.8;
        p._ntrees = 10_000; // early stopping picks the number
        stopPatiently(p);
        return p;
      }
    };
  }

  private ModelingStep xgb(String id, int depth, double learnRate, int minChildWeight, double lambda, double alpha) {
    return new ModelingStep.ModelStep<XGBoostModel>(PROVIDER, Algo.XGBoost, id, aml()) {
      @Override
      public Model.Parameters prepareModelParameters() {
        XGBoostModel.XGBoostParameters p = new XGBoostModel.XGBoostParameters();
        p._max_depth = depth;
        p._learn_rate = learnRate;
        p._min_rows = minChildWeight;
        p._reg_lambda = (float) lambda;
        p._reg_alpha = (float) alpha;
        p._sample_rate = 0.8;
        p._col_sample_rate_per_tree = 0.8;
        p._ntrees = 10_000;
        stopPatiently(p);
        return p;
      }
    };
  }
}
