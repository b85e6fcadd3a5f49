package io.omelet.registry;

/**
 * The tag names Omelet and MLflow reserve, in one place: what writes a run (AutoML, the tuner, the
 * profiler, the MLflow API) and what reads one (search, the UI, the CLI) name them from here.
 * Users' own tags may use any other name; {@code mlflow.*} are MLflow's system tags, kept as MLflow
 * clients write them.
 */
public final class Tags {
  private Tags() {}

  // ---- MLflow's system tags (the ones Omelet reads; search maps the first four to run attributes)
  public static final String MLFLOW_RUN_NAME = "mlflow.runName";
  public static final String MLFLOW_PARENT_RUN_ID = "mlflow.parentRunId";
  public static final String MLFLOW_USER = "mlflow.user";
  public static final String MLFLOW_SOURCE_NAME = "mlflow.source.name";
  /** On a dataset input: train, test, validation... */
  public static final String MLFLOW_DATASET_CONTEXT = "mlflow.data.context";

  // ---- every kind of run
  /** What wrote the run: automl, automl-model, automl-refit, tuning, tuning-trial, profile. */
  public static final String KIND = "omelet.kind";
  /** On a FAILED run: the error, one line. */
  public static final String ERROR = "omelet.error";

  // ---- AutoML
  /** On a model's child run: H2O's model id. */
  public static final String MODEL_ID = "omelet.model_id";
  public static final String LEADER_RUN_ID = "omelet.leader_run_id";
  public static final String LEADER_MODEL_ID = "omelet.leader_model_id";
  /** The child run of the model that is served: the refit of the leader, or the leader. */
  public static final String SERVED_RUN_ID = "omelet.served_run_id";
  public static final String SERVED_MODEL_ID = "omelet.served_model_id";
  /** On a refit's child run: the leaderboard model it refits. */
  public static final String REFIT_OF = "omelet.refit_of";
  public static final String REFIT_OF_RUN_ID = "omelet.refit_of_run_id";
  /** On the parent: how the refit went, or why there is none. */
  public static final String REFIT = "omelet.refit";
  /** On the parent: which estimate the holdout figures are. */
  public static final String ESTIMATE = "omelet.estimate";
  public static final String WARNINGS = "omelet.warnings";
  public static final String ENGINE_MESSAGES = "omelet.engine_messages";
  /** On a FINISHED run whose version was registered but whose alias could not be moved ({@link ModelRegistration}). */
  public static final String ALIAS_ERROR = "omelet.alias_error";

  // ---- tuning
  /** Runs of the same search space carry the same value; {@code resumeFrom} looks for it. */
  public static final String TUNING_SPACE = "omelet.tuning.space";
  public static final String TUNING_TRIAL = "omelet.tuning.trial";
  /** On a trial's run: COMPLETE, PRUNED or FAILED; {@code resumeFrom} warm-starts from the COMPLETE ones. */
  public static final String TUNING_TRIAL_STATE = "state";
  public static final String TUNING_BEST_RUN_ID = "omelet.tuning.best_run_id";
  public static final String TUNING_BEST_TRIAL = "omelet.tuning.best_trial";
  /** On the parent: the registered version of the best model, as {@code name/version}. */
  public static final String TUNING_MODEL_VERSION = "omelet.tuning.model_version";
}
