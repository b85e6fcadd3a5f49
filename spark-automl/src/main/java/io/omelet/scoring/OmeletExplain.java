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
 * output. A model without contributions fails when the query is analysed.
 */
public final class OmeletExplain extends MojoFunction {
  private static final long serialVersionUID = 1L;

  public static final String CONTRIBUTIONS = "contributions";
  public static final String BIAS = "bias";
  static final StructType TYPE = new StructType()
      .add(CONTRIBUTIONS, DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), false)
      .add(BIAS, DataTypes.DoubleType, false);

  OmeletExplain(String uri, String description, MojoModel mojo, FeatureBinding binding, Expression[] features) {
    super(OmeletFunctions.EXPLAIN, uri, description, mojo, binding, features);
    String why = RowContributions.unsupportedReason(mojo);
    if (why != null) throw new IllegalArgumentException(OmeletFunctions.EXPLAIN + "('" + uri + "'): " + why);
  }

  @Override
  public DataType dataType() {
    return TYPE;
  }

  @Override
  protected MojoFunction copy(Expression[] newFeatures) {
    return new OmeletExplain(modelUri(), modelDescription(), mojo(), binding(), newFeatures);
  }

  private record Workspace(RowContributions contributions, GenericArrayData names, int n) {}

  @Override
  protected Object newWorkspace() {
    RowContributions c = new RowContributions(mojo(), binding());
    String[] names = c.names();
    UTF8String[] keys = new UTF8String[names.length];
    for (int i = 0; i < keys.length; i++) keys[i] = UTF8String.fromString(names[i]);
    return new Workspace(c, new GenericArrayData(keys), names.length);
  }

  @Override
  protected Object score(double[] modelRow, Scratch s) {
    Workspace w = s.workspace();
    double[] phi = w.contributions.contributions(modelRow);
    double[] values = new double[w.n];
    System.arraycopy(phi, 0, values, 0, w.n);
    return new GenericInternalRow(new Object[] {
        new ArrayBasedMapData(w.names, UnsafeArrayData.fromPrimitiveArray(values)), phi[w.n]});
  }
}
