package io.omelet.tuning;

import static org.apache.spark.sql.functions.avg;

import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The smallest estimator the tuner can search: predicts the label's mean plus {@code shift}. */
public final class MeanRegressor extends Estimator<MeanRegressionModel> {
  private final String uid;
  private final DoubleParam shift;

  public MeanRegressor() {
    this(Identifiable.randomUID("meanRegressor"));
  }

  public MeanRegressor(String uid) {
    this.uid = uid;
    shift = new DoubleParam(this, "shift", "added to the label's mean");
    setDefault(shift, 0.0);
  }

  public DoubleParam shift() {
    return shift;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public MeanRegressionModel fit(Dataset<?> dataset) {
    double mean = dataset.agg(avg("label")).first().getDouble(0);
    return new MeanRegressionModel(uid, mean + (Double) getOrDefault(shift)).setParent(this);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return schema.add("prediction", DataTypes.DoubleType, false);
  }

  @Override
  public MeanRegressor copy(ParamMap extra) {
    return defaultCopy(extra);
  }
}
