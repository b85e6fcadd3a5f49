package io.omelet.automl;

import ai.h2o.automl.Algo;
import ai.h2o.automl.StepDefinition;
import ai.h2o.automl.StepDefinition.Step;
import io.omelet.automl.engine.OmeletSteps;
import java.util.ArrayList;
import java.util.List;

/**
 * The order in which AutoML builds its candidates: H2O AutoML's own plan (its default models,
 * grids, exploitation steps and stacked ensembles, in its priority groups) with Omelet's shallow,
 * regularised boosted trees ({@link OmeletSteps}) put in the first three groups, before the deep
 * default trees of the same group and long before the grids. H2O runs the plan group by group
 * until the model cap or the time budget ends it, so a small table trained in seconds goes on to
 * the grids while a large one stops after the first groups.
 *
 * <p>Two shapes, as in H2O: with a time budget, ensembles after each group (H2O's default plan);
 * with a model cap only, ensembles at the end (H2O's reproducible plan).
 */
final class ModelingPlan {
  private static final int MODEL = 10, GRID = 30;

  private ModelingPlan() {}

  static StepDefinition[] steps(boolean timeBudget) {
    List<StepDefinition> plan = new ArrayList<>();
    // Omelet's steps first: within a group, steps run in the order of their definitions.
    plan.add(new StepDefinition(OmeletSteps.PROVIDER,
        new Step(OmeletSteps.GBM_SHALLOW_1, 1, MODEL),
        new Step(OmeletSteps.GBM_SHALLOW_2, 2, MODEL),
        new Step(OmeletSteps.XGB_SHALLOW_1, 2, MODEL),
        new Step(OmeletSteps.GBM_SHALLOW_3, 3, MODEL)));
    int exploit = timeBudget ? 6 : 7;
    plan.add(new StepDefinition(Algo.XGBoost.name(),
        new Step("def_2", 1, MODEL), new Step("def_1", 2, MODEL), new Step("def_3", 3, MODEL),
        new Step("grid_1", 4, 3 * GRID), new Step("lr_search", exploit, GRID)));
    plan.add(new StepDefinition(Algo.GLM.name(), new Step("def_1", 1, MODEL)));
    plan.add(new StepDefinition(Algo.DRF.name(), new Step("def_1", 2, MODEL), new Step("XRT", 3, MODEL)));
    plan.add(new StepDefinition(Algo.GBM.name(),
        new Step("def_5", 1, MODEL), new Step("def_2", 2, MODEL), new Step("def_3", 2, MODEL),
        new Step("def_4", 2, MODEL), new Step("def_1", 3, MODEL), new Step("grid_1", 4, 2 * GRID),
        new Step("lr_annealing", exploit, MODEL)));
    plan.add(new StepDefinition(Algo.DeepLearning.name(),
        new Step("def_1", 3, MODEL), new Step("grid_1", 4, GRID), new Step("grid_2", 5, GRID),
        new Step("grid_3", 5, GRID)));
    plan.add(new StepDefinition("completion", new Step("resume_best_grids", timeBudget ? 10 : 6, 2 * GRID)));
    List<Step> ensembles = new ArrayList<>();
    if (timeBudget) {
      for (int g = 1; g <= 5; g++) ensembles.add(new Step("best_of_family_" + g, g, MODEL / 2));
      for (int g = 2; g <= 5; g++) ensembles.add(new Step("all_" + g, g, MODEL));
      ensembles.add(new Step("best_of_family_gbm", 6, MODEL));
      ensembles.add(new Step("all_gbm", 7, MODEL));
      ensembles.add(new Step("best_of_family_xglm", 8, MODEL));
      ensembles.add(new Step("all_xglm", 8, MODEL));
      ensembles.add(new Step("best_of_family", 10, MODEL));
      ensembles.add(new Step("best_N", 10, MODEL));
    } else {
      ensembles.add(new Step("best_of_family_xglm", 10, MODEL));
      ensembles.add(new Step("all_xglm", 10, MODEL));
    }
    plan.add(new StepDefinition(Algo.StackedEnsemble.name(), ensembles.toArray(new Step[0])));
    return plan.toArray(new StepDefinition[0]);
  }
}
