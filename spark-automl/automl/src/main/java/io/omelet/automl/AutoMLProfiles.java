package io.omelet.automl;

import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Preset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named AutoML profiles: presets of budget, validation and algorithm settings, as OMELET's user
 * and group profiles. Three are built in ({@code fast}, {@code balanced}, {@code thorough}); a
 * team saves its own in the registry and loads them by name. Profiles never carry the label or
 * the feature columns: those belong to the data. Explicit params on {@link OmeletAutoML} win over
 * a profile.
 */
public final class AutoMLProfiles {
  /** The registry preset kind of AutoML profiles. */
  public static final String KIND = "automl";
  /** Settings a profile may hold. */
  static final List<String> PROFILE_KEYS = List.of("problemType", "maxModels", "maxRuntimeSecs",
      "maxRuntimeSecsPerModel", "nfolds", "seed", "includeAlgos", "excludeAlgos", "sortMetric", "stoppingMetric",
      "stoppingRounds", "stoppingTolerance", "balanceClasses", "sample", "holdoutFraction", "ignoredCols",
      "refitOnAllRows", "exploitationRatio");

  private AutoMLProfiles() {}

  /**
   * The built-in profiles by name. Each is a time budget for the whole job (search, ensembles and
   * the refit on all rows) with a model cap: a small table spends its budget on more candidates,
   * a large one stops at fewer, bigger ones when the time is up.
   * <ul>
   *   <li>{@code fast}: 60 s, at most 10 models, 3-fold CV;
   *   <li>{@code balanced}: 120 s, at most 30 models, 5-fold CV, 10% of the budget on fine-tuning
   *       the best boosted trees;
   *   <li>{@code thorough}: 600 s, no model cap, deep learning too.
   * </ul>
   */
  public static Map<String, AutoMLSettings> builtIn() {
    Map<String, AutoMLSettings> m = new LinkedHashMap<>();
    m.put("fast", new AutoMLSettings().maxRuntimeSecs(60).maxModels(10).nfolds(3).excludeAlgos("DeepLearning")
        .stoppingRounds(3));
    m.put("balanced", new AutoMLSettings().maxRuntimeSecs(120).maxModels(30).nfolds(5).excludeAlgos("DeepLearning")
        .exploitationRatio(0.1));
    m.put("thorough", new AutoMLSettings().maxRuntimeSecs(600).maxModels(0).nfolds(5).exploitationRatio(0.1));
    return m;
  }

  /** Saves a profile under {@code name} in the registry (replacing one of that name). */
  public static void save(OmeletRegistry registry, String name, AutoMLSettings settings, String description) {
    if (builtIn().containsKey(name)) {
      throw new IllegalArgumentException("'" + name + "' is a built-in profile; save yours under another name");
    }
    Map<String, String> values = new LinkedHashMap<>();
    settings.toMap().forEach((k, v) -> {
      if (PROFILE_KEYS.contains(k)) values.put(k, v);
    });
    registry.savePreset(KIND, name, values, description);
  }

  /**
   * A profile by name: built in, or saved in the registry (which may be null when only built-in
   * names are used). An unknown name fails with the names that exist.
   */
  public static AutoMLSettings load(OmeletRegistry registry, String name) {
    AutoMLSettings builtIn = builtIn().get(name);
    if (builtIn != null) return builtIn.copy();
    Preset p = registry == null ? null : registry.findPreset(KIND, name);
    if (p == null) {
      List<String> saved = registry == null ? List.of()
          : registry.listPresets(KIND).stream().map(Preset::name).toList();
      throw new IllegalArgumentException("no AutoML profile named '" + name + "'; built in: "
          + builtIn().keySet() + (registry == null ? "" : ", saved in the registry: " + saved));
    }
    return AutoMLSettings.fromMap(p.settings());
  }
}
