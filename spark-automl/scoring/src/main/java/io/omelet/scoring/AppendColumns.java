package io.omelet.scoring;

import java.io.Serializable;
import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The one per-partition row iterator of Omelet's DataFrame scoring and explaining steps: every
 * row of the input, in Spark's internal format (no {@code Row} object, no conversion), gets some
 * values appended, computed by a function opened once per partition on the executor (where the
 * per-thread working arrays of h2o-genmodel or TreeSHAP are made). Lazy: nothing runs until an
 * action.
 */
public final class AppendColumns {
  private AppendColumns() {}

  /** Made on the driver and shipped to the executors; opened once per partition. */
  @FunctionalInterface
  public interface PartitionFunction extends Serializable {
    RowFunction open();
  }

  /** One partition's function: writes the appended values of {@code in} into {@code out}. */
  @FunctionalInterface
  public interface RowFunction {
    void append(InternalRow in, Object[] out);
  }

  /**
   * {@code input} with the columns of {@code added} after its own. Values follow Spark's internal
   * representation of the added types (UTF8String for strings, a serialized vector for vectors).
   * A {@code policy} (or null) is remembered for {@link CoercionPolicy#uncoercedValues}.
   */
  public static Dataset<Row> to(Dataset<Row> input, StructType added, PartitionFunction function,
                                CoercionPolicy policy) {
    StructType out = input.schema();
    for (StructField f : added.fields()) out = out.add(f);
    JavaRDD<InternalRow> rows = input.queryExecution().toRdd().toJavaRDD()
        .mapPartitions(new Appending(function, added.size()));
    if (policy != null) CoercionPolicy.track(rows.rdd(), policy);
    return input.sparkSession().internalCreateDataFrame(rows.rdd(), out, false);
  }

  /**
   * A dense ml {@code Vector} in Spark's internal form (type 1, no size or indices, the values),
   * built without a Vector object; {@code values} is copied, so the caller may reuse it.
   */
  public static InternalRow denseVector(double[] values) {
    return new GenericInternalRow(new Object[] {(byte) 1, null, null, UnsafeArrayData.fromPrimitiveArray(values)});
  }

  private static final class Appending implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
    private static final long serialVersionUID = 1L;
    private final PartitionFunction function;
    private final int width;

    Appending(PartitionFunction function, int width) {
      this.function = function;
      this.width = width;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
      RowFunction f = function.open();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public InternalRow next() {
          InternalRow in = rows.next();
          // Fresh values per row: downstream operators may hold on to a row (e.g. a collect).
          Object[] values = new Object[width];
          f.append(in, values);
          return new JoinedRow(in, new GenericInternalRow(values));
        }
      };
    }
  }
}
