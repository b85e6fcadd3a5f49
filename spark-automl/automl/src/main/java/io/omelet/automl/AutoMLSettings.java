package io.omelet.automl;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed AutoML settings, named as H2O and Sparkling Water name them. Mutable with fluent setters
 * so that profiles (named presets) can be applied first and explicit settings on top; the job
 * copies them when it starts. Defaults are H2O's, except where noted.
 */
public final class AutoMLSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The algorithm names {@code includeAlgos}/{@code excludeAlgos} accept (DRF includes XRT). */
  public static final List<String> ALGOS =
      List.of("XGBoost", "GBM", "DRF", "GLM", "DeepLearning", "StackedEnsemble");
  /** Leaderboard sort metrics H2O accepts. */
  public static final List<String> SORT_METRICS = List.of("AUTO", "deviance", "logloss", "MSE",
      "RMSE", "MAE", "RMSLE", "AUC", "AUCPR", "mean_per_class_error");
  /** Early-stopping metrics H2O accepts. */
  public static final List<String> STOPPING_METRICS = List.of("AUTO", "deviance", "logloss",
      "MSE", "RMSE", "MAE", "RMSLE", "AUC", "AUCPR", "lift_top_group", "misclassification",
      "mean_per_class_error");

  private String labelCol;
  private String[] featuresCols;
  private String[] ignoredCols = new String[0];
  private ProblemType problemType;
  private int maxModels;
  private double maxRuntimeSecs;
  private double maxRuntimeSecsPerModel;
  private int nfolds = 5;
  private long seed = -1;
  private String[] includeAlgos;
  private String[] excludeAlgos;
  private String sortMetric = "AUTO";
  private String stoppingMetric = "AUTO";
  private int stoppingRounds = 3;
  private double stoppingTolerance = -1;
  private boolean balanceClasses;
  private String weightCol;
  private double sample;
  private double holdoutFraction = 0.2;
  private String positiveClass;
  private String projectName;
  private boolean refitOnAllRows = true;
  private String foldCol;
  private String groupCol;
  private double exploitationRatio = -1;

  public AutoMLSettings copy() {
    AutoMLSettings c = new AutoMLSettings();
    c.labelCol = labelCol;
    c.featuresCols = featuresCols == null ? null : featuresCols.clone();
    c.ignoredCols = ignoredCols.clone();
    c.problemType = problemType;
    c.maxModels = maxModels;
    c.maxRuntimeSecs = maxRuntimeSecs;
    c.maxRuntimeSecsPerModel = maxRuntimeSecsPerModel;
    c.nfolds = nfolds;
    c.seed = seed;
    c.includeAlgos = includeAlgos == null ? null : includeAlgos.clone();
    c.excludeAlgos = excludeAlgos == null ? null : excludeAlgos.clone();
    c.sortMetric = sortMetric;
    c.stoppingMetric = stoppingMetric;
    c.stoppingRounds = stoppingRounds;
    c.stoppingTolerance = stoppingTolerance;
    c.balanceClasses = balanceClasses;
    c.weightCol = weightCol;
    c.sample = sample;
    c.holdoutFraction = holdoutFraction;
    c.positiveClass = positiveClass;
    c.projectName = projectName;
    c.refitOnAllRows = refitOnAllRows;
    c.foldCol = foldCol;
    c.groupCol = groupCol;
    c.exploitationRatio = exploitationRatio;
    return c;
  }

  /**
   * Settings read back from {@link #toMap()}'s form (e.g. a profile saved in the registry): the
   * keys present are applied through the checked setters, the others keep their defaults.
   */
  public static AutoMLSettings fromMap(Map<String, String> m) {
    AutoMLSettings s = new AutoMLSettings();
    for (Map.Entry<String, String> e : m.entrySet()) {
      String v = e.getValue();
      if (v == null) continue;
      String[] list = v.isBlank() ? new String[0] : v.split(",");
      switch (e.getKey()) {
        case "labelCol" -> { if (!v.isBlank()) s.labelCol(v); }
        case "featuresCols" -> { if (!v.isBlank()) s.featuresCols(list); }
        case "ignoredCols" -> s.ignoredCols(list);
        case "problemType" -> { if (!v.equalsIgnoreCase("auto")) s.problemType(ProblemType.parse(v)); }
        case "maxModels" -> s.maxModels(Integer.parseInt(v));
        case "maxRuntimeSecs" -> s.maxRuntimeSecs(Double.parseDouble(v));
        case "maxRuntimeSecsPerModel" -> s.maxRuntimeSecsPerModel(Double.parseDouble(v));
        case "nfolds" -> s.nfolds(Integer.parseInt(v));
        case "seed" -> s.seed(Long.parseLong(v));
        case "includeAlgos" -> { if (list.length > 0) s.includeAlgos(list); }
        case "excludeAlgos" -> { if (list.length > 0) s.excludeAlgos(list); }
        case "sortMetric" -> s.sortMetric(v);
        case "stoppingMetric" -> s.stoppingMetric(v);
        case "stoppingRounds" -> s.stoppingRounds(Integer.parseInt(v));
        case "stoppingTolerance" -> s.stoppingTolerance(Double.parseDouble(v));
        case "balanceClasses" -> s.balanceClasses(Boolean.parseBoolean(v));
        case "weightCol" -> { if (!v.isBlank()) s.weightCol(v); }
        case "sample" -> s.sample(Double.parseDouble(v));
        case "holdoutFraction" -> s.holdoutFraction(Double.parseDouble(v));
        case "positiveClass" -> s.positiveClass(v);
        case "refitOnAllRows" -> s.refitOnAllRows(Boolean.parseBoolean(v));
        case "foldCol" -> s.foldCol(v);
        case "groupCol" -> s.groupCol(v);
        case "exploitationRatio" -> s.exploitationRatio(Double.parseDouble(v));
        default -> throw new IllegalArgumentException("unknown AutoML setting '" + e.getKey() + "'; known: "
            + new AutoMLSettings().toMap().keySet());
      }
    }
    return s;
  }

  /** Every setting as text, for logging them as a run's parameters. */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("labelCol", labelCol);
    m.put("featuresCols", featuresCols == null ? "" : String.join(",", featuresCols));
    m.put("ignoredCols", String.join(",", ignoredCols));
    m.put("problemType", problemType == null ? "auto" : problemType.name().toLowerCase(Locale.ROOT));
    m.put("maxModels", Integer.toString(maxModels));
    m.put("maxRuntimeSecs", Double.toString(maxRuntimeSecs));
    m.put("maxRuntimeSecsPerModel", Double.toString(maxRuntimeSecsPerModel));
    m.put("nfolds", Integer.toString(nfolds));
    m.put("seed", Long.toString(seed));
    m.put("includeAlgos", includeAlgos == null ? "" : String.join(",", includeAlgos));
    m.put("excludeAlgos", excludeAlgos == null ? "" : String.join(",", excludeAlgos));
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

  public String labelCol() { return labelCol; }

  public AutoMLSettings labelCol(String v) {
    labelCol = v;
    return this;
  }

  /** Feature columns; null means every column except the label, weight and ignored ones. */
  public String[] featuresCols() { return featuresCols == null ? null : featuresCols.clone(); }

  public AutoMLSettings featuresCols(String... v) {
    featuresCols = v == null || v.length == 0 ? null : v.clone();
    return this;
  }

  public String[] ignoredCols() { return ignoredCols.clone(); }

  public AutoMLSettings ignoredCols(String... v) {
    ignoredCols = v == null ? new String[0] : v.clone();
    return this;
  }

  /** Null means detected from the label. */
  public ProblemType problemType() { return problemType; }

  public AutoMLSettings problemType(ProblemType v) {
    problemType = v;
    return this;
  }

  public int maxModels() { return maxModels; }

  /** 0 for no limit (then H2O stops at maxRuntimeSecs, 3600 s if that is 0 too). */
  public AutoMLSettings maxModels(int v) {
    if (v < 0) throw new IllegalArgumentException("maxModels must be >= 0, got " + v);
    maxModels = v;
    return this;
  }

  public double maxRuntimeSecs() { return maxRuntimeSecs; }

  public AutoMLSettings maxRuntimeSecs(double v) {
    if (v < 0) throw new IllegalArgumentException("maxRuntimeSecs must be >= 0, got " + v);
    maxRuntimeSecs = v;
    return this;
  }

  public double maxRuntimeSecsPerModel() { return maxRuntimeSecsPerModel; }

  public AutoMLSettings maxRuntimeSecsPerModel(double v) {
    if (v < 0) throw new IllegalArgumentException("maxRuntimeSecsPerModel must be >= 0, got " + v);
    maxRuntimeSecsPerModel = v;
    return this;
  }

  public int nfolds() { return nfolds; }

  /** Cross-validation folds: 0 (no cross-validation) or at least 2; default 5. */
  public AutoMLSettings nfolds(int v) {
    if (v == 1 || v < 0) {
      throw new IllegalArgumentException("nfolds must be 0 (no cross-validation) or >= 2, got " + v);
    }
    nfolds = v;
    return this;
  }

  public long seed() { return seed; }

  /** -1 for a random seed (the job records the seed it drew). */
  public AutoMLSettings seed(long v) {
    seed = v;
    return this;
  }

  public String[] includeAlgos() { return includeAlgos == null ? null : includeAlgos.clone(); }

  public AutoMLSettings includeAlgos(String... v) {
    includeAlgos = v == null || v.length == 0 ? null : canonicalAlgos("includeAlgos", v);
    return this;
  }

  public String[] excludeAlgos() { return excludeAlgos == null ? null : excludeAlgos.clone(); }

  public AutoMLSettings excludeAlgos(String... v) {
    excludeAlgos = v == null || v.length == 0 ? null : canonicalAlgos("excludeAlgos", v);
    return this;
  }

  public String sortMetric() { return sortMetric; }

  public AutoMLSettings sortMetric(String v) {
    sortMetric = canonical("sortMetric", v, SORT_METRICS);
    return this;
  }

  public String stoppingMetric() { return stoppingMetric; }

  public AutoMLSettings stoppingMetric(String v) {
    stoppingMetric = canonical("stoppingMetric", v, STOPPING_METRICS);
    return this;
  }

  public int stoppingRounds() { return stoppingRounds; }

  public AutoMLSettings stoppingRounds(int v) {
    if (v < 0) throw new IllegalArgumentException("stoppingRounds must be >= 0, got " + v);
    stoppingRounds = v;
    return this;
  }

  public double stoppingTolerance() { return stoppingTolerance; }

  /** -1 lets H2O pick it from the data size. */
  public AutoMLSettings stoppingTolerance(double v) {
    stoppingTolerance = v;
    return this;
  }

  public boolean balanceClasses() { return balanceClasses; }

  public AutoMLSettings balanceClasses(boolean v) {
    balanceClasses = v;
    return this;
  }

  public String weightCol() { return weightCol; }

  public AutoMLSettings weightCol(String v) {
    weightCol = v == null || v.isBlank() ? null : v;
    return this;
  }

  public double sample() { return sample; }

  /** 0 (or 1) for all rows, a fraction in (0, 1), or a number of rows above 1 (like OMELET's -s). */
  public AutoMLSettings sample(double v) {
    if (v < 0 || Double.isNaN(v)) throw new IllegalArgumentException("sample must be >= 0, got " + v);
    if (v > 1 && v != Math.rint(v)) {
      throw new IllegalArgumentException("sample above 1 is a row count and must be whole, got " + v);
    }
    sample = v;
    return this;
  }

  public double holdoutFraction() { return holdoutFraction; }

  /** Share of rows held out for evaluation, in [0, 0.9]; 0 for none; default 0.2. */
  public AutoMLSettings holdoutFraction(double v) {
    if (!(v >= 0 && v <= 0.9)) {
      throw new IllegalArgumentException("holdoutFraction must be in [0, 0.9], got " + v);
    }
    holdoutFraction = v;
    return this;
  }

  /** The class binary metrics describe (precision, recall, F1); null for the minority class. */
  public String positiveClass() { return positiveClass; }

  /**
   * The class that precision, recall and F1 of a binary problem describe, as the label reads
   * (numbers as written, e.g. {@code 1}); null or blank for the minority class of the data.
   */
  public AutoMLSettings positiveClass(String v) {
    positiveClass = v == null || v.isBlank() ? null : v;
    return this;
  }

  public String projectName() { return projectName; }

  /**
   * Whether the served model is the leader refit on every labelled row (holdout included) with the
   * settings it was selected with; default true. The leader's cross-validation and holdout
   * metrics stay its estimate.
   */
  public boolean refitOnAllRows() { return refitOnAllRows; }

  public AutoMLSettings refitOnAllRows(boolean v) {
    refitOnAllRows = v;
    return this;
  }

  /**
   * A column that assigns each row its cross-validation fold (each distinct value is one fold);
   * null to draw folds at random (stratified for classification). Not a feature.
   */
  public String foldCol() { return foldCol; }

  public AutoMLSettings foldCol(String v) {
    foldCol = v == null || v.isBlank() ? null : v;
    return this;
  }

  /**
   * A column whose rows belong together (e.g. one customer's): every group lies wholly inside one
   * fold and wholly inside or outside the holdout; null for none. Not a feature.
   */
  public String groupCol() { return groupCol; }

  /**
   * The share of the time budget H2O AutoML spends on its exploitation phase (fine-tuning the
   * best GBM and XGBoost: learning-rate annealing and search) instead of new candidates, in
   * [0, 1]; -1 (default) leaves the phase to H2O's plan order.
   */
  public double exploitationRatio() { return exploitationRatio; }

  public AutoMLSettings exploitationRatio(double v) {
    if (!(v == -1 || (v >= 0 && v <= 1))) {
      throw new IllegalArgumentException("exploitationRatio must be in [0, 1], or -1 for H2O's default; got " + v);
    }
    exploitationRatio = v;
    return this;
  }

  public AutoMLSettings groupCol(String v) {
    groupCol = v == null || v.isBlank() ? null : v;
    return this;
  }

  public AutoMLSettings projectName(String v) {
    projectName = v;
    return this;
  }

  private static String[] canonicalAlgos(String what, String[] names) {
    return Arrays.stream(names).map(n -> canonical(what, n, ALGOS)).toArray(String[]::new);
  }

  private static String canonical(String what, String v, List<String> allowed) {
    if (v == null) throw new IllegalArgumentException(what + " must not be null");
    String t = v.trim();
    if (what.endsWith("Algos") && t.equalsIgnoreCase("XRT")) t = "DRF";
    for (String a : allowed) if (a.equalsIgnoreCase(t)) return a;
    throw new IllegalArgumentException("unknown " + what + " value '" + v + "': expected one of "
        + allowed);
  }
}
