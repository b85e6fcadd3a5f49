package io.omelet.automl;

import ai.h2o.automl.Algo;
import ai.h2o.automl.AutoMLBuildSpec;
import hex.ScoreKeeper;
import io.omelet.automl.engine.OmeletSteps;
import java.util.List;
import java.util.Locale;
import water.fvec.Frame;

/**
 * H2O AutoML's build spec for a job's settings: folds from the fold column the job drew (never
 * H2O's own), the stopping criteria, the algorithms and Omelet's modeling plan.
 */
final class H2OAutoMLSpec {
  private H2OAutoMLSpec() {}

  /** The spec of a run on {@code train} with {@code runtimeSecs} of AutoML's budget (0 for none). */
  static AutoMLBuildSpec of(AutoMLRunSettings settings, TrainingPlan plan, Frame train, String project,
      double runtimeSecs) {
    AutoMLBuildSpec spec = new AutoMLBuildSpec();
    spec.input_spec.training_frame = train._key;
    spec.input_spec.response_column = plan.label;
    spec.input_spec.weights_column = plan.weight;
    if (settings.nfolds() >= 2) spec.input_spec.fold_column = AutoMLJob.FOLD_COL;
    if (!"AUTO".equals(settings.sortMetric())) {
      spec.input_spec.sort_metric = settings.sortMetric().toLowerCase(Locale.ROOT);
    }
    spec.build_control.project_name = project;
    spec.build_control.nfolds = 0; // folds come from the fold column (or there is no CV)
    spec.build_control.balance_classes = settings.balanceClasses();
    AutoMLBuildSpec.AutoMLStoppingCriteria stop = spec.build_control.stopping_criteria;
    stop.set_seed(plan.seed);
    stop.set_max_models(settings.maxModels());
    stop.set_max_runtime_secs(runtimeSecs);
    stop.set_max_runtime_secs_per_model(settings.maxRuntimeSecsPerModel());
    stop.set_stopping_rounds(settings.stoppingRounds());
    if (settings.stoppingTolerance() > 0) stop.set_stopping_tolerance(settings.stoppingTolerance());
    if (!"AUTO".equals(settings.stoppingMetric())) {
      stop.set_stopping_metric(stoppingMetric(settings.stoppingMetric()));
    }
    OmeletSteps.register();
    spec.build_models.modeling_plan = ModelingPlan.steps(runtimeSecs > 0);
    if (settings.exploitationRatio() >= 0) spec.build_models.exploitation_ratio = settings.exploitationRatio();
    if (!settings.includeAlgos().isEmpty()) spec.build_models.include_algos = algos(settings.includeAlgos());
    if (!settings.excludeAlgos().isEmpty()) spec.build_models.exclude_algos = algos(settings.excludeAlgos());
    return spec;
  }

  private static ScoreKeeper.StoppingMetric stoppingMetric(String name) {
    for (ScoreKeeper.StoppingMetric m : ScoreKeeper.StoppingMetric.values()) {
      if (m.name().equalsIgnoreCase(name)) return m;
    }
    throw new AutoMLInputException("unknown stoppingMetric '" + name + "'");
  }

  private static Algo[] algos(List<String> names) {
    return names.stream().map(Algo::valueOf).toArray(Algo[]::new);
  }
}
