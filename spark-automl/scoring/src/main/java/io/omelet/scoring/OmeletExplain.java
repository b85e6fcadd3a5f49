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
 * {@code omelet_explain(model_uri, ...)}: the row's SHAP contributions from the model's MOJO
 * (exact TreeSHAP for GBM, DRF and XGBoost, exact linear contributions for GLM), as
 * {@code struct<contributions: map<feature, double>, bias: double>} on the model's link scale
 * (log-odds for a binary classifier): bias plus the sum of the contributions is the model's raw
 * output. A multinomial GBM is explained class by class, one vector per class, under the same field
 * names: {@code struct<contributions: map<class, map<feature, double>>, bias: map<class, double>>},
 * each class's raw score (the softmax input) being its bias plus its contributions. A model without
 * contributions fails when the query is analysed.
 */
public final class OmeletExplain extends MojoFunction {
  private static final long serialVersionUID = 1L;

  public static final String CONTRIBUTIONS = "contributions";
  public static final String BIAS = "bias";
  private static final DataType FEATURE_MAP = DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false);
  static final StructType TYPE = new StructType()
      .add(CONTRIBUTIONS, FEATURE_MAP, false)
      .add(BIAS, DataTypes.DoubleType, false);
  static final StructType PER_CLASS_TYPE = new StructType()
      .add(CONTRIBUTIONS, DataTypes.createMapType(DataTypes.StringType, FEATURE_MAP, false), false)
      .add(BIAS, FEATURE_MAP, false);

  private final boolean perClass;

  OmeletExplain(LoadedModel model, FeatureBinding binding, Expression[] features) {
    super(OmeletFunctions.EXPLAIN, model, binding, features);
    String why = RowContributions.unsupportedReasonForClass(model.mojo());
    if (why != null) throw new IllegalArgumentException(OmeletFunctions.EXPLAIN + "('" + model.resolved().uri() + "'): " + why);
    this.perClass = RowContributions.isMultinomialGbm(model.mojo());
  }

  @Override
  public DataType dataType() {
    return perClass ? PER_CLASS_TYPE : TYPE;
  }

  @Override
  protected MojoFunction copy(Expression[] newFeatures) {
    return new OmeletExplain(model(), binding(), newFeatures);
  }

  /** One explainer per output (per class of a multinomial GBM), the feature keys and the class keys. */
  private record Workspace(RowContributions[] outputs, GenericArrayData names, GenericArrayData classes, int n) {}

  @Override
  protected Object newWorkspace() {
    RowContributions[] outputs = RowContributions.perOutput(mojo(), binding());
    String[] names = outputs[0].names();
    GenericArrayData classes = perClass ? utf8(mojo().responseDomain()) : null;
    return new Workspace(outputs, utf8(names), classes, names.length);
  }

  private static GenericArrayData utf8(String[] values) {
    UTF8String[] keys = new UTF8String[values.length];
    for (int i = 0; i < keys.length; i++) keys[i] = UTF8String.fromString(values[i]);
    return new GenericArrayData(keys);
  }

  @Override
  protected Object score(double[] modelRow, Scratch s) {
    Workspace w = s.workspace();
    if (!perClass) {
      double[] phi = w.outputs[0].contributions(modelRow);
      return new GenericInternalRow(new Object[] {featureMap(w, phi), phi[w.n]});
    }
    Object[] perClassMaps = new Object[w.outputs.length];
    double[] bias = new double[w.outputs.length];
    for (int c = 0; c < w.outputs.length; c++) {
      double[] phi = w.outputs[c].contributions(modelRow);
      perClassMaps[c] = featureMap(w, phi);
      bias[c] = phi[w.n];
    }
    return new GenericInternalRow(new Object[] {
        new ArrayBasedMapData(w.classes, new GenericArrayData(perClassMaps)),
        new ArrayBasedMapData(w.classes, UnsafeArrayData.fromPrimitiveArray(bias))});
  }

  private static ArrayBasedMapData featureMap(Workspace w, double[] phi) {
    double[] values = new double[w.n];
    System.arraycopy(phi, 0, values, 0, w.n);
    return new ArrayBasedMapData(w.names, UnsafeArrayData.fromPrimitiveArray(values));
  }
}
