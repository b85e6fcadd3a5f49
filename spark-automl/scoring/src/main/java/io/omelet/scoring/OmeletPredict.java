package io.omelet.scoring;

import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * {@code omelet_predict(model_uri, ...)}: for a classifier a struct of {@code prediction} (the
 * label, by the model's own decision rule, e.g. the F1-optimal threshold of a binomial model),
 * {@code probabilities} (label to probability) and, for two classes, {@code positive_probability}
 * (the probability of the model's second label, the one H2O treats as positive); for regression a
 * struct of {@code prediction} (a double).
 */
public final class OmeletPredict extends MojoFunction {
  private static final long serialVersionUID = 1L;

  public static final String PREDICTION = "prediction";
  public static final String PROBABILITIES = "probabilities";
  public static final String POSITIVE_PROBABILITY = "positive_probability";

  private final StructType type;
  private final int classes;

  OmeletPredict(LoadedModel model, FeatureBinding binding, Expression[] features) {
    super(OmeletFunctions.PREDICT, model, binding, features);
    this.type = resultType(model.mojo());
    this.classes = model.mojo().isClassifier() ? model.mojo().responseDomain().length : 0;
  }

  /** The struct the function returns for this model. */
  public static StructType resultType(MojoModel mojo) {
    if (!mojo.isClassifier()) {
      return new StructType().add(PREDICTION, DataTypes.DoubleType, false);
    }
    StructType t = new StructType()
        .add(PREDICTION, DataTypes.StringType, false)
        .add(PROBABILITIES, DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), false);
    if (mojo.responseDomain().length == 2) t = t.add(POSITIVE_PROBABILITY, DataTypes.DoubleType, false);
    return t;
  }

  @Override
  public DataType dataType() {
    return type;
  }

  @Override
  protected MojoFunction copy(Expression[] newFeatures) {
    return new OmeletPredict(model(), binding(), newFeatures);
  }

  /** Per thread: the scorer with its prediction array, and the label strings made once. */
  private record Workspace(RowScorer scorer, UTF8String[] labels, GenericArrayData labelArray) {}

  @Override
  protected Object newWorkspace() {
    RowScorer scorer = new RowScorer(mojo(), binding());
    if (classes == 0) return new Workspace(scorer, null, null);
    String[] domain = mojo().responseDomain();
    UTF8String[] labels = new UTF8String[domain.length];
    for (int i = 0; i < labels.length; i++) labels[i] = UTF8String.fromString(domain[i]);
    return new Workspace(scorer, labels, new GenericArrayData(labels));
  }

  @Override
  protected Object score(double[] modelRow, Scratch s) {
    Workspace w = s.workspace();
    double[] p = w.scorer.score(modelRow);
    if (classes == 0) return new GenericInternalRow(new Object[] {p[0]});
    double[] probs = new double[classes];
    System.arraycopy(p, 1, probs, 0, classes);
    ArrayBasedMapData byLabel = new ArrayBasedMapData(w.labelArray, UnsafeArrayData.fromPrimitiveArray(probs));
    return classes == 2
        ? new GenericInternalRow(new Object[] {w.labels[(int) p[0]], byLabel, probs[1]})
        : new GenericInternalRow(new Object[] {w.labels[(int) p[0]], byLabel});
  }
}
