package io.omelet.scoring;

import hex.ModelCategory;
import hex.genmodel.GenModel;
import hex.genmodel.PredictContributions;
import hex.genmodel.PredictContributionsFactory;
import hex.genmodel.algos.drf.DrfMojoModel;
import hex.genmodel.algos.gbm.GbmMojoModel;
import hex.genmodel.algos.glm.GlmMojoModel;
import java.lang.reflect.Field;
import java.util.Arrays;
import io.omelet.trees.FlatForest;
import io.omelet.trees.TreeShap;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Per-row SHAP contributions of an H2O model, read from its MOJO: exact path-dependent TreeSHAP
 * for GBM and DRF (XRT too) computed here in double precision over the MOJO's trees
 * ({@link H2OForest}, {@link TreeShap}; per class for a multinomial GBM), for XGBoost through h2o-genmodel's contributions predictor (float32, as
 * XGBoost's MOJO scores in float32 itself), and exact linear contributions for GLM computed here
 * from the MOJO's coefficients (h2o-genmodel 3.44 has none for GLM). One value per input feature (a categorical is one feature, also where XGBoost
 * one-hot encodes it: its level contributions are added back up) plus the bias term, on the
 * model's link scale: bias + sum = {@link #explainedValue}, e.g. the log-odds of the second class
 * for a binomial GBM, GLM or XGBoost, the second class's probability for a binomial DRF, the
 * prediction for a gaussian regression.
 *
 * <p>GLM: with the reference row r made of the training means of the numeric features and the
 * modes of the categorical ones (the values the MOJO imputes for missing ones), a feature's
 * contribution is its term of the linear predictor at x minus its term at r (beta·(x − mean) for a
 * number, beta[level of x] − beta[mode] for a categorical) and the bias is the linear predictor at
 * r. A linear model has no interactions, so these are the exact Shapley values of the game
 * "features outside the coalition take their reference value", and they add up to the linear
 * predictor exactly.
 *
 * <p>One per task or thread (not thread-safe): the result array is reused. About 400 lines because
 * it holds the three ways to one answer side by side (trees, XGBoost, GLM), each short, so that what
 * they share (the feature order, the class layout, the bias) is written once.
 */
public final class RowContributions {
  private final GenModel model;
  private final FeatureBinding binding;
  private final PredictContributions trees;
  private final TreeShap treeShap;
  /** GBM and DRF: the flat trees explained, and which of their outputs. */
  private final FlatForest forest;
  private final int output;
  private final Glm glm;
  private final String[] names;
  /** For each contribution of h2o-genmodel (bias excluded), the feature it belongs to. */
  private final int[] slotFeature;
  private final double[] row;
  private final double[] out;
  private final Link link;
  private final String explained;

  /** How the explained value comes from h2o-genmodel's prediction array. */
  private enum Link { LOGIT_P1, P1, IDENTITY, LOG, RAW_CLASS }

  /** Contributions of a single-output model (regression, binomial); see the class comment. */
  public RowContributions(MojoModel mojo, FeatureBinding binding) {
    this(mojo, binding, -1);
  }

  /**
   * Contributions of one class of a multinomial GBM ({@code targetClass} = its index in the response
   * domain: its raw score, the input of the softmax, is explained), or of a single-output model
   * ({@code targetClass} -1, or any class: those are explained through their one output).
   */
  public RowContributions(MojoModel mojo, FeatureBinding binding, int targetClass) {
    boolean multinomial = isMultinomialGbm(mojo);
    String why = multinomial ? null : unsupportedReason(mojo);
    if (why != null) throw new IllegalArgumentException(why);
    if (multinomial && (targetClass < 0 || targetClass >= mojo.responseDomain().length)) {
      throw new IllegalArgumentException("the " + mojo.algorithm() + " model has " + mojo.responseDomain().length
          + " classes " + java.util.List.of(mojo.responseDomain()) + ": exact contributions are per class, give "
          + "targetClass 0.." + (mojo.responseDomain().length - 1) + (targetClass < 0 ? "" : " (not " + targetClass + ")"));
    }
    this.binding = binding;
    GenModel plain = mojo.genModel();
    String[] features = mojo.features();
    this.names = features;
    this.row = new double[Math.max(plain.getNames().length, plain.nfeatures())];
    this.out = new double[features.length + 1];
    this.link = multinomial ? Link.RAW_CLASS : linkOf(plain);
    this.explained = multinomial ? "raw score of class " + mojo.responseDomain()[targetClass] + " (softmax input)"
        : describe(link, mojo.responseDomain());
    if (plain instanceof GlmMojoModel g) {
      this.model = plain;
      this.forest = null;
      this.output = 0;
      this.glm = new Glm(g);
      this.trees = null;
      this.treeShap = null;
      this.slotFeature = null;
    } else if (plain instanceof GbmMojoModel || plain instanceof DrfMojoModel) {
      this.model = plain;
      this.glm = null;
      this.trees = null;
      this.slotFeature = null;
      this.forest = H2OForest.of(mojo).orElseThrow(() -> new IllegalArgumentException("the "
          + mojo.algorithm() + " MOJO's trees cannot be read for exact contributions; use KernelSHAP (ShapExplainer "
          + "method \"kernel\") instead"));
      this.output = multinomial ? targetClass : 0;
      this.treeShap = new TreeShap(forest, output);
    } else {
      this.model = mojo.contributionsModel();
      this.forest = null;
      this.output = 0;
      this.treeShap = null;
      try {
        // h2o-genmodel's contributions predictor is thread-safe: one per JVM per MOJO, weighed as the model
        this.trees = ModelCache.SHARED.get("contributions:" + mojo.key(),
            () -> ((PredictContributionsFactory) model).makeContributionsPredictor(), p -> mojo.unzippedBytes());
      } catch (UnsupportedOperationException e) {
        throw new IllegalArgumentException("the " + mojo.algorithm() + " MOJO cannot give contributions ("
            + e.getMessage() + "); use KernelSHAP (ShapExplainer method \"kernel\") instead", e);
      }
      this.glm = null;
      this.slotFeature = slots(trees.getContributionNames(), features);
    }
  }

  /**
   * One explainer per output the model's contributions are given for: one per class of a
   * multinomial GBM (in the order of its response domain), else one. The classes' trees are
   * disjoint, so all of them cost one pass over the forest.
   */
  public static RowContributions[] perOutput(MojoModel mojo, FeatureBinding binding) {
    if (!isMultinomialGbm(mojo)) return new RowContributions[] {new RowContributions(mojo, binding)};
    RowContributions[] all = new RowContributions[mojo.responseDomain().length];
    for (int c = 0; c < all.length; c++) all[c] = new RowContributions(mojo, binding, c);
    return all;
  }

  /** A GBM of three or more classes: exact contributions per class ({@link #RowContributions(MojoModel, FeatureBinding, int)}). */
  public static boolean isMultinomialGbm(MojoModel mojo) {
    GenModel g = mojo.genModel();
    return g instanceof GbmMojoModel gbm && g.getModelCategory() == ModelCategory.Multinomial
        && !gbm._balanceClasses && !g.requiresOffset();
  }

  /** What the contributions of a supported MOJO add up to, in words (see {@link #explainedOutput()}). */
  public static String explainedOutput(MojoModel mojo) {
    String why = unsupportedReason(mojo);
    if (why != null) throw new IllegalArgumentException(why);
    return describe(linkOf(mojo.genModel()), mojo.responseDomain());
  }

  private static String describe(Link link, String[] domain) {
    String positive = domain == null ? null : domain[1];
    return switch (link) {
      case LOGIT_P1 -> "log-odds of class " + positive;
      case P1 -> "probability of class " + positive;
      case IDENTITY -> "prediction";
      case LOG -> "log of the prediction";
      case RAW_CLASS -> "raw class score";
    };
  }

  private static Link linkOf(GenModel m) {
    boolean binomial = m.getModelCategory() == ModelCategory.Binomial;
    if (m instanceof DrfMojoModel) return binomial ? Link.P1 : Link.IDENTITY;
    if (binomial) return Link.LOGIT_P1;
    if (m instanceof GbmMojoModel gbm) return linkOf(gbm._link_function == null ? "identity" : gbm._link_function.name());
    if (m instanceof GlmMojoModel) {
      String l = Glm.fieldIn(GlmMojoModel.class, m, "_link");
      return linkOf(l == null ? "identity" : l);
    }
    return Link.IDENTITY;
  }

  /**
   * Why this MOJO has no exact contributions for one chosen class (or its one output), or null: as
   * {@link #unsupportedReason}, but a multinomial GBM is explained class by class.
   */
  public static String unsupportedReasonForClass(MojoModel mojo) {
    return isMultinomialGbm(mojo) ? null : unsupportedReason(mojo);
  }

  /** True if {@link #RowContributions} accepts this MOJO. */
  public static boolean supported(MojoModel mojo) {
    return unsupportedReason(mojo) == null;
  }

  /** True if {@link #perOutput} explains this MOJO (one output, or class by class). */
  public static boolean supportedPerOutput(MojoModel mojo) {
    return unsupportedReasonForClass(mojo) == null;
  }

  /** Why this MOJO has no contributions, or null when it has them. */
  public static String unsupportedReason(MojoModel mojo) {
    GenModel g = mojo.genModel();
    String algo = mojo.algorithm();
    ModelCategory c = g.getModelCategory();
    String fallback = "; use KernelSHAP (ShapExplainer method \"kernel\") to explain it";
    boolean family = g instanceof GlmMojoModel || g instanceof PredictContributionsFactory;
    if (!family) {
      return "the " + algo + " model has no exact SHAP contributions in its MOJO (they exist for GBM, DRF/XRT, "
          + "XGBoost and GLM)" + fallback;
    }
    if (c != ModelCategory.Regression && c != ModelCategory.Binomial) {
      if (isMultinomialGbm(mojo)) {
        return "the " + algo + " model is " + c + ": its exact contributions are per class (ShapExplainer with "
            + "targetClass)";
      }
      return "the " + algo + " model is " + c + ": exact contributions exist for regression and binomial "
          + "models, and per class for multinomial GBM" + fallback + " (with targetClass for one class)";
    }
    if (g instanceof DrfMojoModel drf && drf.isBinomialDoubleTrees()) {
      return "the " + algo + " model was trained with binomial_double_trees, for which h2o-genmodel computes no "
          + "contributions" + fallback;
    }
    if (g instanceof hex.genmodel.MojoModel mm && mm._balanceClasses) {
      return "the " + algo + " model was trained with balance_classes, whose probability correction its "
          + "contributions do not cover" + fallback;
    }
    if (g instanceof GbmMojoModel gbm) {
      String link = gbm._link_function == null ? "identity" : gbm._link_function.name();
      boolean ok = c == ModelCategory.Binomial ? link.equals("logit") : link.equals("identity") || link.equals("log");
      if (!ok) return "the " + algo + " model's link function is " + link + ", not covered here" + fallback;
    }
    if (g instanceof GlmMojoModel) {
      String link = Glm.fieldIn(GlmMojoModel.class, g, "_link");
      boolean ok = c == ModelCategory.Binomial || link == null || link.equals("identity") || link.equals("log");
      if (!ok) return "the " + algo + " model's link function is " + link + ", not covered here" + fallback;
    }
    if (g.requiresOffset()) {
      return "the " + algo + " model uses an offset column, which its contributions do not cover" + fallback;
    }
    return null;
  }

  /** The explained features, in output order (the MOJO's feature order); the bias is not among them. */
  public String[] names() {
    return names.clone();
  }

  /** What the contributions add up to, in words, e.g. "log-odds of class bad". */
  public String explainedOutput() {
    return explained;
  }

  /** The input row's contributions: one per feature, then the bias. The array is reused. */
  public double[] contributions(InternalRow in) {
    binding.fill(in, row);
    return contributions(row);
  }

  /** The same from a prepared row (features in the model's order, as {@link FeatureBinding#fill} writes them). */
  public double[] contributions(double[] modelRow) {
    Arrays.fill(out, 0.0);
    if (glm != null) {
      glm.contributions(modelRow, out);
      return out;
    }
    if (treeShap != null) {
      treeShap.shap(modelRow, out);
      out[out.length - 1] = treeShap.bias();
      return out;
    }
    float[] c = trees.calculateContributions(modelRow);
    int last = c.length - 1;
    for (int i = 0; i < last; i++) out[slotFeature[i]] += c[i];
    out[out.length - 1] = c[last];
    return out;
  }

  /**
   * The model output the contributions add up to, from h2o-genmodel's prediction array for the
   * row ({@code score0}'s result).
   */
  public double explainedValue(double[] preds) {
    return switch (link) {
      case LOGIT_P1 -> Math.log(preds[2] / (1 - preds[2]));
      case P1 -> preds[2];
      case IDENTITY -> preds[0];
      case LOG -> Math.log(preds[0]);
      case RAW_CLASS -> throw new IllegalStateException("a class's raw score is not in the prediction array "
          + "(softmax loses it): explain and compare through the trees");
    };
  }

  /**
   * The model output the contributions add up to, for a prepared row: through the flat trees for a
   * GBM or DRF (the only way to a multinomial class's raw score), else from {@code score0}.
   */
  public double explainedValueOf(double[] modelRow) {
    if (forest != null) return forest.output(output, modelRow);
    double[] preds = new double[model.getPredsSize()];
    return explainedValue(model.score0(modelRow, preds));
  }

  private static Link linkOf(String name) {
    return switch (name) {
      case "identity", "family_default" -> Link.IDENTITY;
      case "log" -> Link.LOG;
      default -> throw new IllegalStateException("unexpected link function " + name);
    };
  }

  /**
   * Maps h2o-genmodel's contribution names to features: a feature's own name, or "feature.level"
   * and "feature.missing(NA)" for the one-hot slots of a categorical (XGBoost). The last name is the
   * bias.
   */
  private static int[] slots(String[] contributionNames, String[] features) {
    int n = contributionNames.length - 1;
    int[] slot = new int[n];
    java.util.Map<String, Integer> exact = new java.util.HashMap<>();
    for (int f = 0; f < features.length; f++) exact.put(features[f], f);
    for (int i = 0; i < n; i++) {
      String c = contributionNames[i];
      Integer f = exact.get(c);
      if (f == null) {
        int best = -1;
        for (int k = 0; k < features.length; k++) {
          if (c.startsWith(features[k] + ".") && (best < 0 || features[k].length() > features[best].length())) {
            best = k;
          }
        }
        if (best < 0) {
          throw new IllegalStateException("h2o-genmodel contribution '" + c + "' matches none of the model's "
              + "features " + Arrays.toString(features));
        }
        f = best;
      }
      slot[i] = f;
    }
    return slot;
  }

  /** A GLM's linear predictor, term by term, from the coefficients its MOJO holds. */
  private static final class Glm {
    final boolean allLevels;
    final int cats;
    final int[] catOffsets;
    final int nums;
    final double[] beta;
    final boolean meanImputation;
    /** The reference row: modes of categoricals, means of numbers. */
    final double[] reference;
    final double bias;

    Glm(GlmMojoModel g) {
      allLevels = field(g, "_useAllFactorLevels");
      cats = field(g, "_cats");
      catOffsets = field(g, "_catOffsets");
      beta = field(g, "_beta");
      meanImputation = field(g, "_meanImputation");
      int[] modes = field(g, "_catModes");
      double[] means = field(g, "_numMeans");
      nums = beta.length - 1 - catOffsets[cats];
      reference = new double[cats + nums];
      for (int i = 0; i < cats; i++) reference[i] = modes == null ? 0 : modes[i];
      for (int j = 0; j < nums; j++) reference[cats + j] = means == null ? 0 : means[j];
      double b = beta[beta.length - 1];
      for (int i = 0; i < cats + nums; i++) b += term(i, reference[i]);
      bias = b;
    }

    /** Feature i's term of the linear predictor at value v (as GlmMojoModel.score0 adds it up). */
    double term(int i, double v) {
      if (i >= cats) return beta[catOffsets[cats] + i - cats] * v;
      if (Double.isNaN(v)) return Double.NaN;
      int level = (int) v;
      int idx;
      if (allLevels) {
        idx = level + catOffsets[i];
      } else {
        if (level == 0) return 0;
        idx = level - 1 + catOffsets[i];
      }
      return idx < catOffsets[i + 1] ? beta[idx] : 0;
    }

    void contributions(double[] x, double[] out) {
      for (int i = 0; i < cats + nums; i++) {
        double v = x[i];
        if (Double.isNaN(v) && meanImputation) v = reference[i];
        out[i] = term(i, v) - term(i, reference[i]);
      }
      out[out.length - 1] = bias;
    }

    private static <T> T field(GlmMojoModel g, String name) {
      try {
        return fieldIn(Class.forName("hex.genmodel.algos.glm.GlmMojoModelBase"), g, name);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }

    // h2o-genmodel keeps a GLM's coefficients in package-private fields; the layout is version-stable
    // and checked by the additivity tests.
    @SuppressWarnings("unchecked")
    static <T> T fieldIn(Class<?> c, Object o, String name) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return (T) f.get(o);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + name + " of the GLM MOJO (h2o-genmodel "
            + "version mismatch?): " + e, e);
      }
    }
  }
}
