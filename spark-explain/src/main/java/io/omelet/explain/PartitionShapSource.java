package io.omelet.explain;

import java.io.Serializable;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import io.omelet.scoring.AppendColumns;

/**
 * A source whose SHAP values for a row depend on that row alone, so they are computed partition by
 * partition on the executors from one broadcast explainer, through the same row iterator as MOJO
 * scoring ({@link AppendColumns}). Exact TreeSHAP over Spark trees is one; the H2O MOJO backend
 * ({@link MojoShapSource}) binds the caller's columns itself and needs no prepared columns.
 */
abstract class PartitionShapSource implements ShapSource {
  /** Computes one row's SHAP values; one per partition (not shared between threads). */
  interface RowExplainer {
    /** Fills {@code phi} (zeroed, one value per feature) for {@code prepared} and returns the base value. */
    double explain(InternalRow prepared, double[] phi);
  }

  /** Built on the driver, broadcast, and opened once per partition on the executor. */
  interface PartitionExplainer extends Serializable {
    RowExplainer open(StructType preparedSchema);
  }

  /**
   * Adds what the row explainer reads to {@code input}, keeping the input's columns first and in
   * order (e.g. the assembled feature vector).
   */
  protected abstract Dataset<Row> prepare(Dataset<Row> input);

  protected abstract PartitionExplainer partitionExplainer();

  @Override
  public Dataset<Row> explain(Dataset<Row> input, String shapCol, String baseCol, String fitCol) {
    Dataset<Row> prepared = prepare(input);
    StructType added = new StructType()
        .add(shapCol, SQLDataTypes.VectorType(), false)
        .add(baseCol, DataTypes.DoubleType, false);
    if (fitCol != null) added = added.add(fitCol, DataTypes.DoubleType, true);
    Broadcast<PartitionExplainer> bc = input.sparkSession().sparkContext()
        .broadcast(partitionExplainer(), scala.reflect.ClassTag$.MODULE$.apply(PartitionExplainer.class));
    Dataset<Row> explained = AppendColumns.to(prepared, added,
        partitionFunction(bc, prepared.schema(), features().size()), null);
    // The prepared columns (the feature vector) are the explainer's, not the caller's.
    int kept = input.schema().size();
    Column[] cols = new Column[kept + added.size()];
    for (int i = 0; i < kept; i++) cols[i] = explained.col(input.columns()[i]);
    for (int i = 0; i < added.size(); i++) cols[kept + i] = explained.col(added.fieldNames()[i]);
    return explained.select(cols);
  }

  // Static, so the closure shipped to executors holds the broadcast and sizes only, not this source.
  private static AppendColumns.PartitionFunction partitionFunction(Broadcast<PartitionExplainer> bc,
      StructType preparedSchema, int numFeatures) {
    return () -> {
      RowExplainer explainer = bc.value().open(preparedSchema);
      double[] phi = new double[numFeatures];
      return (in, out) -> {
        java.util.Arrays.fill(phi, 0.0);
        out[1] = explainer.explain(in, phi);
        out[0] = AppendColumns.denseVector(phi);
      };
    };
  }
}
