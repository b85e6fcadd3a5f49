package io.omelet.explain;

import java.io.Serializable;
import java.util.Iterator;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A source whose SHAP values for a row depend on that row alone, so they are computed partition by
 * partition on the executors from one broadcast explainer. Exact TreeSHAP over Spark trees is one.
 * The H2O MOJO backend ({@link MojoShapSource}) is per row too but reads Spark's internal rows
 * directly, as MOJO scoring does, so it implements {@link ShapSource} itself.
 */
abstract class PartitionShapSource implements ShapSource {
  /** Computes one row's SHAP values; one per partition (not shared between threads). */
  interface RowExplainer {
    /** Fills {@code phi} (zeroed, one value per feature) for {@code prepared} and returns the base value. */
    double explain(Row prepared, double[] phi);
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
    int kept = input.schema().size();
    int numFeatures = features().size();
    StructType out = input.schema()
        .add(shapCol, SQLDataTypes.VectorType(), false)
        .add(baseCol, DataTypes.DoubleType, false);
    if (fitCol != null) out = out.add(fitCol, DataTypes.DoubleType, true);
    boolean withFit = fitCol != null;
    StructType preparedSchema = prepared.schema();
    Broadcast<PartitionExplainer> bc = input.sparkSession().sparkContext()
        .broadcast(partitionExplainer(), scala.reflect.ClassTag$.MODULE$.apply(PartitionExplainer.class));
    MapPartitionsFunction<Row, Row> f = partitionFunction(bc, preparedSchema, kept, numFeatures, withFit);
    return prepared.mapPartitions(f, Encoders.row(out));
  }

  // Static, so the closure shipped to executors holds the broadcast and sizes only, not this source.
  private static MapPartitionsFunction<Row, Row> partitionFunction(Broadcast<PartitionExplainer> bc,
      StructType preparedSchema, int kept, int numFeatures, boolean withFit) {
    return rows -> new Iterator<Row>() {
      final RowExplainer explainer = bc.value().open(preparedSchema);

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row r = rows.next();
        double[] phi = new double[numFeatures];
        double base = explainer.explain(r, phi);
        Object[] vals = new Object[kept + (withFit ? 3 : 2)];
        for (int i = 0; i < kept; i++) vals[i] = r.get(i);
        vals[kept] = Vectors.dense(phi);
        vals[kept + 1] = base;
        if (withFit) vals[kept + 2] = null;
        return RowFactory.create(vals);
      }
    };
  }
}
