package io.omelet.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Registers a run's model as a new version, all or nothing, then moves an alias to it.
 *
 * <p>In order: the version is made (the run's artifact copied into the registry's model storage,
 * with its description and tags); the caller's steps that belong with it run (say, finishing the
 * run that made it); when one of them fails, the version is deleted again (and the model too when
 * this registration created it) and the error rethrown, so no version is left that its run does
 * not account for. Last, when asked, the alias moves to the new version, once everything else is
 * written, so it never points at a version whose run did not finish. A failed alias move keeps the
 * version (its run finished with it) and says why on the run, in {@link Tags#ALIAS_ERROR}.
 *
 * <pre>{@code
 * ModelVersion v = ModelRegistration.of(registry, "churn")
 *     .source(runId, "model/model.zip").description("best of 40 trials").alias("champion")
 *     .register(version -> registry.setTerminated(runId, RunStatus.FINISHED));
 * }</pre>
 */
public final class ModelRegistration {
  private final OmeletRegistry registry;
  private final String modelName;
  private String runId;
  private String artifactPath;
  private String description;
  private Map<String, String> tags = Map.of();
  private String alias;
  private String reportRunId;

  private ModelRegistration(OmeletRegistry registry, String modelName) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.modelName = Names.requireModelName(modelName);
  }

  /** A registration of a new version of {@code modelName} (created on its first version). */
  public static ModelRegistration of(OmeletRegistry registry, String modelName) {
    return new ModelRegistration(registry, modelName);
  }

  /**
   * Checks a model name and an alias (null: none) before any work, so that a bad name is not found
   * only when a long fit registers its result.
   */
  public static void checkNames(String modelName, String alias) {
    Names.requireModelName(modelName);
    if (alias != null) Names.requireAlias(alias);
  }

  /** The run whose artifact (a file or folder, e.g. {@code model/model.zip}) becomes the version. */
  public ModelRegistration source(String runId, String artifactPath) {
    this.runId = Objects.requireNonNull(runId, "runId");
    this.artifactPath = Objects.requireNonNull(artifactPath, "artifactPath");
    return this;
  }

  public ModelRegistration description(String description) {
    this.description = description;
    return this;
  }

  /** The version's tags. */
  public ModelRegistration tags(Map<String, String> tags) {
    this.tags = new LinkedHashMap<>(tags);
    return this;
  }

  /** Moves this alias to the new version once it is registered; null or blank: no alias. */
  public ModelRegistration alias(String alias) {
    this.alias = alias == null || alias.isBlank() ? null : Names.requireAlias(alias);
    return this;
  }

  /** The run that learns of a failed alias move ({@link Tags#ALIAS_ERROR}); by default the source run. */
  public ModelRegistration reportTo(String runId) {
    this.reportRunId = runId;
    return this;
  }

  public String modelName() {
    return modelName;
  }

  public String alias() {
    return alias;
  }

  /** Registers the version and moves the alias, with nothing else to do in between. */
  public ModelVersion register() {
    return register(version -> {});
  }

  /**
   * Registers the version, runs {@code withVersion} on it (a failure there deletes the version
   * again and is rethrown), then moves the alias (a failure there is a {@link RegistryException}
   * and keeps the version).
   */
  public ModelVersion register(Consumer<ModelVersion> withVersion) {
    if (runId == null) throw new IllegalStateException("give the source run and artifact of the version to register");
    boolean modelExisted = exists();
    ModelVersion version = registry.createModelVersion(modelName, runId, artifactPath, description, tags);
    try {
      withVersion.accept(version);
    } catch (Exception | Error e) { // Spark's AnalysisException is a checked exception thrown unchecked
      rollBack(version, modelExisted, e);
      throw e;
    }
    if (alias != null) moveAlias(version);
    return version;
  }

  private boolean exists() {
    try {
      registry.getRegisteredModel(modelName);
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /** Deletes the version, and the model when this registration made it and no other version came since. */
  private void rollBack(ModelVersion version, boolean modelExisted, Throwable cause) {
    try {
      registry.deleteModelVersion(modelName, version.version());
      if (!modelExisted && registry.listModelVersions(modelName).isEmpty()) registry.deleteRegisteredModel(modelName);
    } catch (Exception rollback) {
      cause.addSuppressed(rollback);
    }
  }

  private void moveAlias(ModelVersion version) {
    try {
      registry.setRegisteredModelAlias(modelName, alias, version.version());
    } catch (Exception e) {
      String run = reportRunId != null ? reportRunId : runId;
      String msg = "run " + run + " registered " + modelName + " version " + version.version() + ", but alias '"
          + alias + "' was not moved: " + e.getMessage();
      try {
        registry.setTag(run, Tags.ALIAS_ERROR, msg);
      } catch (Exception tagFailed) {
        e.addSuppressed(tagFailed);
      }
      throw new RegistryException(msg, e);
    }
  }
}
