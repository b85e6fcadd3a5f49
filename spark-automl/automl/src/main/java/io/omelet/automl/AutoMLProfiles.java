package io.omelet.automl;

import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Preset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.ml.param.ParamMap;

/**
 * Named AutoML profiles: presets of budget, validation and algorithm settings, as a
 * {@link ParamMap} over an estimator's params. Three are built in ({@code fast}, {@code balanced},
 * {@code thorough}); a team saves its own in the registry (as text, kind {@link #KIND}) and loads
 * them by name. Profiles never carry the label or the feature columns: those belong to the data.
 *
 * <pre>{@code
 * OmeletAutoML automl = new OmeletAutoML().setLabelCol("churn");
 * automl.copy(AutoMLProfiles.load(null, "fast", automl));   // the preset wins, as any extra ParamMap
 * automl.setProfile("fast");                                 // the params set on automl win
 * }</pre>
 */
public final class AutoMLProfiles {
  /** The registry preset kind of AutoML profiles. */
  public static final String KIND = "automl";
  /** Settings a profile may hold. */
  static final List<String> PROFILE_KEYS = List.of("problemType", "maxModels", "maxRuntimeSecs",
      "maxRuntimeSecsPerModel", "nfolds", "seed", "includeAlgos", "excludeAlgos", "sortMetric", "stoppingMetric",
      "stoppingRounds", "stoppingTolerance", "balanceClasses", "sample", "holdoutFraction", "ignoredCols",
      "refitOnAllRows", "exploitationRatio");

  private static final Map<String, Function<AutoMLParams, ParamMap>> BUILT_IN = builtIn();

  private AutoMLProfiles() {}

  private static Map<String, Function<AutoMLParams, ParamMap>> builtIn() {
    Map<String, Function<AutoMLParams, ParamMap>> m = new LinkedHashMap<>();
    m.put("fast", p -> new ParamMap().put(p.maxRuntimeSecs(), 60.0).put(p.maxModels(), 10).put(p.nfolds(), 3)
        .put(p.excludeAlgos(), new String[] {"DeepLearning"}).put(p.stoppingRounds(), 3));
    m.put("balanced", p -> new ParamMap().put(p.maxRuntimeSecs(), 120.0).put(p.maxModels(), 30).put(p.nfolds(), 5)
        .put(p.excludeAlgos(), new String[] {"DeepLearning"}).put(p.exploitationRatio(), 0.1));
    m.put("thorough", p -> new ParamMap().put(p.maxRuntimeSecs(), 600.0).put(p.maxModels(), 0).put(p.nfolds(), 5)
        .put(p.exploitationRatio(), 0.1));
    return m;
  }

  /**
   * The names of the built-in profiles. Each is a time budget for the whole job (search, ensembles and the refit
   * on all rows) with a model cap: a small table spends its budget on more candidates, a large one
   * stops at fewer, bigger ones when the time is up.
   * <ul>
   *   <li>{@code fast}: 60 s, at most 10 models, 3-fold CV;
   *   <li>{@code balanced}: 120 s, at most 30 models, 5-fold CV, 10% of the budget on fine-tuning
   *       the best boosted trees;
   *   <li>{@code thorough}: 600 s, no model cap, deep learning too.
   * </ul>
   */
  public static List<String> builtInNames() {
    return List.copyOf(BUILT_IN.keySet());
  }

  public static boolean isBuiltIn(String name) {
    return BUILT_IN.containsKey(name);
  }

  /**
   * A profile by name as values of {@code owner}'s params: built in, or saved in the registry
   * (which may be null when only built-in names are used). An unknown name fails with the names
   * that exist.
   */
  public static ParamMap load(OmeletRegistry registry, String name, AutoMLParams owner) {
    Function<AutoMLParams, ParamMap> builtIn = BUILT_IN.get(name);
    if (builtIn != null) return builtIn.apply(owner);
    Preset p = registry == null ? null : registry.findPreset(KIND, name);
    if (p == null) {
      List<String> saved = registry == null ? List.of()
          : registry.listPresets(KIND).stream().map(Preset::name).toList();
      throw new IllegalArgumentException("no AutoML profile named '" + name + "'; built in: "
          + BUILT_IN.keySet() + (registry == null ? "" : ", saved in the registry: " + saved));
    }
    return AutoMLRunSettings.paramMap(owner, p.settings());
  }

  /** Every setting of a profile as a run would have it: the profile's, AutoML's defaults for the rest. */
  public static AutoMLRunSettings settings(OmeletRegistry registry, String name) {
    OmeletAutoML automl = new OmeletAutoML();
    return AutoMLRunSettings.of(automl.copy(load(registry, name, automl)));
  }

  /** Saves the profile part of {@code settings} under {@code name} in the registry (replacing one of that name). */
  public static void save(OmeletRegistry registry, String name, AutoMLRunSettings settings, String description) {
    if (isBuiltIn(name)) {
      throw new IllegalArgumentException("'" + name + "' is a built-in profile; save yours under another name");
    }
    Map<String, String> values = new LinkedHashMap<>();
    settings.toMap().forEach((k, v) -> {
      if (PROFILE_KEYS.contains(k)) values.put(k, v);
    });
    registry.savePreset(KIND, name, values, description);
  }
}
