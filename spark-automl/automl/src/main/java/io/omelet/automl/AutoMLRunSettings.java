package io.omelet.automl;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * The settings one AutoML run runs with: the {@link AutoMLParams} that steer training, frozen (and
 * spelled as H2O spells them) by {@link #of} when the run starts, so a param changed during a fit
 * cannot change it. Its text form ({@link #toMap}) is what a run logs as its parameters and a saved
 * model keeps; {@link #fromMap} reads it back through the params' own checks.
 *
 * @param labelCol the label column; null when not set
 * @param featuresCols the feature columns; empty for every column but the label, weight and ignored ones
 * @param problemType null to detect it from the label
 * @param seed -1 for a random seed (the run records the one it drew)
 * @param includeAlgos only these algorithms; empty for all
 * @param excludeAlgos not these algorithms
 * @param weightCol null for none
 * @param sample 0 (or 1) for all rows, a fraction in (0, 1), or a number of rows above 1
 * @param positiveClass the class binary metrics describe; null for the minority class
 * @param refitOnAllRows whether the served model is the leader refit on every labelled row
 * @param foldCol null to draw folds at random
 * @param groupCol null for none
 * @param exploitationRatio -1 to leave the exploitation phase to H2O
 */
public record AutoMLRunSettings(String labelCol, List<String> featuresCols, List<String> ignoredCols,
    ProblemType problemType, int maxModels, double maxRuntimeSecs, double maxRuntimeSecsPerModel, int nfolds,
    long seed, List<String> includeAlgos, List<String> excludeAlgos, String sortMetric, String stoppingMetric,
    int stoppingRounds, double stoppingTolerance, boolean balanceClasses, String weightCol, double sample,
    double holdoutFraction, String positiveClass, boolean refitOnAllRows, String foldCol, String groupCol,
    double exploitationRatio) implements Serializable {

  public AutoMLRunSettings {
    featuresCols = List.copyOf(featuresCols);
    ignoredCols = List.copyOf(ignoredCols);
    includeAlgos = List.copyOf(includeAlgos);
    excludeAlgos = List.copyOf(excludeAlgos);
  }

  /** The settings {@code p} holds now. */
  public static AutoMLRunSettings of(AutoMLParams p) {
    return new AutoMLRunSettings(p.isDefined(p.labelCol()) ? orNull(p.getLabelCol()) : null,
        List.of(p.getFeaturesCols()), List.of(p.getIgnoredCols()), ProblemType.parse(p.getProblemType()),
        p.getMaxModels(), p.getMaxRuntimeSecs(), p.getMaxRuntimeSecsPerModel(), p.getNfolds(), p.getSeed(),
        List.of(AutoMLParams.canonicalAlgos("includeAlgos", p.getIncludeAlgos())),
        List.of(AutoMLParams.canonicalAlgos("excludeAlgos", p.getExcludeAlgos())),
        AutoMLParams.canonical("sortMetric", p.getSortMetric(), AutoMLParams.SORT_METRICS),
        AutoMLParams.canonical("stoppingMetric", p.getStoppingMetric(), AutoMLParams.STOPPING_METRICS),
        p.getStoppingRounds(), p.getStoppingTolerance(), p.getBalanceClasses(), orNull(p.getWeightCol()),
        p.getSample(), p.getHoldoutFraction(), orNull(p.getPositiveClass()), p.getRefitOnAllRows(),
        orNull(p.getFoldCol()), orNull(p.getGroupCol()), p.getExploitationRatio());
  }

  /** Every setting as text, by param name (null for an unset label). */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("labelCol", labelCol);
    m.put("featuresCols", String.join(",", featuresCols));
    m.put("ignoredCols", String.join(",", ignoredCols));
    m.put("problemType", problemType == null ? "auto" : problemType.name().toLowerCase(Locale.ROOT));
    m.put("maxModels", Integer.toString(maxModels));
    m.put("maxRuntimeSecs", Double.toString(maxRuntimeSecs));
    m.put("maxRuntimeSecsPerModel", Double.toString(maxRuntimeSecsPerModel));
    m.put("nfolds", Integer.toString(nfolds));
    m.put("seed", Long.toString(seed));
    m.put("includeAlgos", String.join(",", includeAlgos));
    m.put("excludeAlgos", String.join(",", excludeAlgos));
    m.put("sortMetric", sortMetric);
    m.put("stoppingMetric", stoppingMetric);
    m.put("stoppingRounds", Integer.toString(stoppingRounds));
    m.put("stoppingTolerance", Double.toString(stoppingTolerance));
    m.put("balanceClasses", Boolean.toString(balanceClasses));
    m.put("weightCol", weightCol == null ? "" : weightCol);
    m.put("sample", Double.toString(sample));
    m.put("holdoutFraction", Double.toString(holdoutFraction));
    m.put("positiveClass", positiveClass == null ? "" : positiveClass);
    m.put("refitOnAllRows", Boolean.toString(refitOnAllRows));
    m.put("foldCol", foldCol == null ? "" : foldCol);
    m.put("groupCol", groupCol == null ? "" : groupCol);
    m.put("exploitationRatio", Double.toString(exploitationRatio));
    return m;
  }

  /**
   * Settings read back from {@link #toMap()}'s form: the keys present are set through the params'
   * checks, the others keep their defaults.
   */
  public static AutoMLRunSettings fromMap(Map<String, String> text) {
    OmeletAutoML params = new OmeletAutoML();
    return of(params.copy(paramMap(params, text)));
  }

  /**
   * {@code text} (settings by name, as {@link #toMap} writes them) as values of {@code owner}'s
   * params; an unknown name fails listing the known ones, a bad value as its param's check does.
   */
  public static ParamMap paramMap(AutoMLParams owner, Map<String, String> text) {
    ParamMap out = new ParamMap();
    for (Map.Entry<String, String> e : text.entrySet()) {
      String v = e.getValue();
      if (!SETTINGS.contains(e.getKey())) {
        throw new IllegalArgumentException("unknown AutoML setting '" + e.getKey() + "'; known: " + SETTINGS);
      }
      if (v == null || (v.isBlank() && e.getKey().equals("labelCol"))) continue;
      put(out, owner.getParam(e.getKey()), v);
    }
    return out;
  }

  /** The names of the settings, in {@link #toMap}'s order. */
  static final List<String> SETTINGS = List.copyOf(of(new OmeletAutoML()).toMap().keySet());

  @SuppressWarnings("unchecked")
  private static void put(ParamMap out, Param<?> p, String v) {
    try {
      if (p instanceof IntParam i) out.put(i, Integer.parseInt(v));
      else if (p instanceof LongParam l) out.put(l, Long.parseLong(v));
      else if (p instanceof DoubleParam d) out.put(d, Double.parseDouble(v));
      else if (p instanceof BooleanParam b) out.put(b, Boolean.parseBoolean(v));
      else if (p instanceof StringArrayParam a) out.put(a, v.isBlank() ? new String[0] : v.split(","));
      else out.put((Param<String>) p, v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(p.name() + " must be a number, got '" + v + "'", e);
    }
  }

  private static String orNull(String v) {
    return v == null || v.isBlank() ? null : v;
  }
}
