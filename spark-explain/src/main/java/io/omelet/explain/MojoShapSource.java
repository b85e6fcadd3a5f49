package io.omelet.explain;

import java.util.List;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import io.omelet.scoring.AppendColumns;
import io.omelet.scoring.CoercionPolicy;
import io.omelet.scoring.FeatureBinding;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.RowContributions;

/**
 * Exact SHAP values of an H2O model from its MOJO ({@link RowContributions}: TreeSHAP for GBM, DRF
 * and XGBoost, one class at a time for a multinomial GBM, linear contributions for GLM), computed
 * partition by partition on the executors.
 * Unlike the other per-row sources it works on Spark's internal rows, as MOJO scoring does: the
 * row's columns go straight into the model's reused double[] and no Row object is built.
 */
final class MojoShapSource implements ShapSource {
  private final MojoModel mojo;
  private final List<String> features;
  /** Output position of each of the MOJO's features. */
  private final int[] position;
  private final int targetClass;
  private final boolean negate;
  private final double baseShift;
  private final String description;

  /**
   * {@code features} orders the SHAP vector and must name every feature of the MOJO (matched
   * ignoring case); {@code targetClass} 0 of a binomial model explains the first class's log-odds
   * (or probability) instead of the second's.
   */
  MojoShapSource(MojoModel mojo, List<String> features, int targetClass) {
    this.mojo = mojo;
    String why = RowContributions.unsupportedReasonForClass(mojo);
    if (why != null) throw new IllegalArgumentException("ShapExplainer: method=tree needs exact contributions, but " + why);
    String[] mojoFeatures = mojo.features();
    if (features.size() != mojoFeatures.length) {
      throw new IllegalArgumentException("ShapExplainer: exact contributions explain all " + mojoFeatures.length
          + " features of the H2O model " + List.of(mojoFeatures) + ", not " + features);
    }
    position = new int[mojoFeatures.length];
    for (int f = 0; f < mojoFeatures.length; f++) {
      int p = -1;
      for (int k = 0; k < features.size(); k++) if (features.get(k).equalsIgnoreCase(mojoFeatures[f])) p = k;
      if (p < 0) {
        throw new IllegalArgumentException("ShapExplainer: the H2O model's feature '" + mojoFeatures[f]
            + "' is not among the explained features " + features + "; exact contributions explain every feature");
      }
      position[f] = p;
    }
    this.features = List.copyOf(features);
    String[] domain = mojo.responseDomain();
    if (domain != null && (targetClass < 0 || targetClass >= domain.length)) {
      throw new IllegalArgumentException("ShapExplainer: targetClass " + targetClass + " is out of range: the model has "
          + domain.length + " classes " + List.of(domain));
    }
    this.targetClass = targetClass;
    if (RowContributions.isMultinomialGbm(mojo)) {
      // one exact vector per class: this class's trees explain its raw score
      this.negate = false;
      this.baseShift = 0.0;
      this.description = "raw score of class " + domain[targetClass];
    } else {
      String explained = explainedOutput(mojo);
      boolean probability = explained.startsWith("probability");
      this.negate = domain != null && targetClass == 0;
      this.baseShift = negate && probability ? 1.0 : 0.0;
      this.description = domain == null ? explained
          : (probability ? "probability" : "log-odds") + " of class " + domain[targetClass];
    }
  }

  /** What H2O's contributions add up to for class index 1 (or for regression), in words. */
  static String explainedOutput(MojoModel mojo) {
    return RowContributions.explainedOutput(mojo);
  }

  /** E.g. "log-odds of class bad". */
  String description() {
    return description;
  }

  @Override
  public String method() {
    return "tree";
  }

  @Override
  public List<String> features() {
    return features;
  }

  @Override
  public Dataset<Row> explain(Dataset<Row> input, String shapCol, String baseCol, String fitCol) {
    CoercionPolicy policy = CoercionPolicy.forQuery(input.sparkSession(), "ShapExplainer(method=tree)");
    FeatureBinding binding = FeatureBinding.bind(input.schema(), mojo).withPolicy(policy);
    StructType added = new StructType().add(shapCol, SQLDataTypes.VectorType(), false).add(baseCol, DataTypes.DoubleType, false);
    if (fitCol != null) added = added.add(fitCol, DataTypes.DoubleType, true);
    Broadcast<MojoModel> bc = JavaSparkContext.fromSparkContext(input.sparkSession().sparkContext()).broadcast(mojo);
    return AppendColumns.to(input, added,
        new Contributions(bc, binding, targetClass, position, features.size(), negate, baseShift), policy);
  }

  /** Runs on the executors: one RowContributions per partition over the broadcast MOJO. */
  static final class Contributions implements AppendColumns.PartitionFunction {
    private static final long serialVersionUID = 1L;
    private final Broadcast<MojoModel> mojo;
    private final FeatureBinding binding;
    private final int targetClass;
    private final int[] position;
    private final int width;
    private final boolean negate;
    private final double baseShift;

    Contributions(Broadcast<MojoModel> mojo, FeatureBinding binding, int targetClass, int[] position, int width,
        boolean negate, double baseShift) {
      this.mojo = mojo;
      this.binding = binding;
      this.targetClass = targetClass;
      this.position = position;
      this.width = width;
      this.negate = negate;
      this.baseShift = baseShift;
    }

    @Override
    public AppendColumns.RowFunction open() {
      RowContributions contributions = new RowContributions(mojo.value(), binding, targetClass);
      double[] phi = new double[width];
      double sign = negate ? -1 : 1;
      int n = position.length;
      return (in, out) -> {
        double[] c = contributions.contributions(in);
        for (int f = 0; f < n; f++) phi[position[f]] = sign * c[f];
        out[0] = AppendColumns.denseVector(phi);
        out[1] = baseShift + sign * c[n];
      };
    }
  }
}
