package io.omelet.explain;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * KernelSHAP for any Spark ML model, evaluated through the model's own transform.
 *
 * <p>For every explained row x, coalition z (shared by all rows) and background row b, the model
 * sees the row that takes x's value where z is set and b's value elsewhere. A background row that
 * already equals x on some features gives the same row for every coalition that differs from
 * another only on those features, and x itself when only those are missing: each distinct row is
 * evaluated once. All synthetic rows of a partition's explained rows are generated on the executor,
 * go through one {@code transform}, and are folded back, in the same partition and order, into
 * E[f | z] per coalition and one weighted least-squares solve per row; no shuffle.
 */
final class KernelShapSource implements ShapSource {
  static final String ID = "__omelet_row_id";
  static final String EVAL = "__omelet_eval";
  static final String EQ = "__omelet_eq";

  /** The model output explained: a double column, or one element of a vector column. */
  record Output(String col, int index, String description) implements Serializable {
    double read(Object v) {
      if (v instanceof Vector vec) return vec.apply(index);
      return ((Number) v).doubleValue();
    }
  }

  private final Transformer model;
  private final List<String> features;
  private final List<String> carried;
  private final Output output;
  private final Coalitions coalitions;
  private final Background background;
  private final int rowsPerTask;

  /**
   * {@code background} holds the columns {@code features} then {@code carried} (other columns the
   * model reads, always taken from the explained row).
   */
  KernelShapSource(Transformer model, List<String> features, List<String> carried, Output output,
      Coalitions coalitions, Background background, int rowsPerTask) {
    this.model = model;
    this.features = List.copyOf(features);
    this.carried = List.copyOf(carried);
    this.output = output;
    this.coalitions = coalitions;
    this.background = background;
    this.rowsPerTask = rowsPerTask;
  }

  @Override
  public String method() {
    return "kernel";
  }

  @Override
  public List<String> features() {
    return features;
  }

  Coalitions coalitions() {
    return coalitions;
  }

  /** The expected output over the background, evaluated through the model. */
  double baseValue() {
    List<Row> rows = new ArrayList<>();
    for (Object[] r : background.rows) rows.add(RowFactory.create(r));
    var spark = org.apache.spark.sql.SparkSession.active();
    List<Row> out = model.transform(spark.createDataFrame(rows, background.schema)).select(output.col()).collectAsList();
    double base = 0;
    for (int i = 0; i < out.size(); i++) base += background.weights[i] * output.read(out.get(i).get(0));
    return base;
  }

  @Override
  public Dataset<Row> explain(Dataset<Row> input, String shapCol, String baseCol, String fitCol) {
    List<String> raw = new ArrayList<>(features);
    raw.addAll(carried);
    double base = baseValue();

    // Stable row ids to join the estimates back to the caller's rows.
    Dataset<Row> indexed = input.withColumn(ID, functions.monotonically_increasing_id()).localCheckpoint();
    long n = indexed.count();
    int parts = (int) Math.max(1, Math.min(100_000, (n + rowsPerTask - 1) / rowsPerTask));
    Column[] sel = new Column[raw.size() + 1];
    for (int i = 0; i < raw.size(); i++) sel[i] = indexed.col(raw.get(i));
    sel[raw.size()] = indexed.col(ID);
    Dataset<Row> xs = indexed.select(sel).repartition(parts);

    StructType xsSchema = xs.schema();
    StructType synthSchema = xsSchema.add(EVAL, DataTypes.IntegerType, false).add(EQ, DataTypes.BinaryType, true);
    EvaluationPlan plan = new EvaluationPlan(coalitions, background, features.size(), carried.size());
    Broadcast<EvaluationPlan> bc = input.sparkSession().sparkContext()
        .broadcast(plan, scala.reflect.ClassTag$.MODULE$.apply(EvaluationPlan.class));
    // Synthetic rows are built in Spark's internal row format: no conversion per row on the way in.
    DataType[] xsTypes = new DataType[xsSchema.size()];
    for (int i = 0; i < xsTypes.length; i++) xsTypes[i] = xsSchema.fields()[i].dataType();
    JavaRDD<InternalRow> syntheticRows = xs.queryExecution().toRdd().toJavaRDD()
        .mapPartitions(generator(bc, xsTypes));
    Dataset<Row> synthetic = input.sparkSession().internalCreateDataFrame(syntheticRows.rdd(), synthSchema, false);
    Dataset<Row> scored = model.transform(synthetic).select(ID, EVAL, EQ, output.col());
    boolean vectorOutput = scored.schema().fields()[3].dataType() instanceof VectorUDT;

    StructType resultSchema = new StructType().add(ID, DataTypes.LongType, false)
        .add(shapCol, SQLDataTypes.VectorType(), false)
        .add("__omelet_fx", DataTypes.DoubleType, false)
        .add(fitCol == null ? "__omelet_fit" : fitCol, DataTypes.DoubleType, false);
    JavaRDD<Row> resultRows = scored.queryExecution().toRdd().toJavaRDD()
        .mapPartitions(aggregator(bc, output.index(), vectorOutput, base));
    Dataset<Row> results = input.sparkSession().createDataFrame(resultRows, resultSchema);

    Dataset<Row> joined = indexed.join(functions.broadcast(results), ID);
    List<Column> outCols = new ArrayList<>();
    for (String c : input.columns()) outCols.add(indexed.col(c));
    outCols.add(results.col(shapCol));
    outCols.add(functions.lit(base).as(baseCol));
    if (fitCol != null) outCols.add(results.col(fitCol));
    return joined.select(outCols.toArray(new Column[0]));
  }

  /** Per explained row: x itself (carrying its equality masks), then each distinct synthetic row once. */
  private static FlatMapFunction<Iterator<InternalRow>, InternalRow> generator(Broadcast<EvaluationPlan> bc, DataType[] types) {
    return rows -> new Iterator<InternalRow>() {
      final EvaluationPlan plan = bc.value();
      final EvaluationPlan.SyntheticRowTable table = new EvaluationPlan.SyntheticRowTable();
      final int width = plan.m + plan.carried;
      Object[] x;
      long id;
      EvaluationPlan.Layout layout;
      int next;

      @Override
      public boolean hasNext() {
        return (layout != null && next < layout.count()) || rows.hasNext();
      }

      @Override
      public InternalRow next() {
        if (layout == null || next >= layout.count()) {
          if (!rows.hasNext()) throw new NoSuchElementException();
          InternalRow r = rows.next().copy();
          x = new Object[width];
          for (int i = 0; i < width; i++) x[i] = r.isNullAt(i) ? null : r.get(i, types[i]);
          id = r.getLong(width);
          long[] eq = plan.equalities(x);
          layout = plan.layout(eq, table);
          next = 1;
          Object[] v = Arrays.copyOf(x, width + 3);
          v[width] = id;
          v[width + 1] = 0;
          v[width + 2] = EvaluationPlan.pack(eq);
          return new GenericInternalRow(v);
        }
        int e = next++;
        long key = layout.evalKey()[e];
        Object[] bg = plan.background[layout.evalBackground()[e]];
        Object[] v = new Object[width + 3];
        for (int j = 0; j < plan.m; j++) v[j] = ((key >>> j) & 1L) != 0 ? x[j] : bg[j];
        for (int j = plan.m; j < width; j++) v[j] = x[j];
        v[width] = id;
        v[width + 1] = e;
        return new GenericInternalRow(v);
      }
    };
  }

  /** The explained value of a scored row: a double, or element {@code index} of a vector (Spark's VectorUDT layout). */
  static double read(InternalRow r, int ordinal, int index, boolean vector) {
    if (!vector) return r.getDouble(ordinal);
    InternalRow v = r.getStruct(ordinal, 4);
    ArrayData values = v.getArray(3);
    if (v.getByte(0) == 1) return values.getDouble(index);
    ArrayData indices = v.getArray(2);
    for (int i = 0; i < indices.numElements(); i++) if (indices.getInt(i) == index) return values.getDouble(i);
    return 0.0;
  }

  /** Folds each row's evaluations (contiguous, in generation order) into its SHAP values. */
  private static FlatMapFunction<Iterator<InternalRow>, Row> aggregator(Broadcast<EvaluationPlan> bc, int index, boolean vector,
      double base) {
    return rows -> new Iterator<Row>() {
      final EvaluationPlan plan = bc.value();
      final EvaluationPlan.SyntheticRowTable table = new EvaluationPlan.SyntheticRowTable();

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        InternalRow first = rows.next();
        if (first.getInt(1) != 0 || first.isNullAt(2)) {
          throw new IllegalStateException("KernelSHAP: the model's transform reordered rows (evaluation "
              + first.getInt(1) + " of row " + first.getLong(0) + " came first); KernelSHAP needs a model whose "
              + "transform works row by row");
        }
        long id = first.getLong(0);
        EvaluationPlan.Layout layout = plan.layout(EvaluationPlan.unpack(first.getBinary(2)), table);
        double[] values = new double[layout.count()];
        values[0] = read(first, 3, index, vector);
        for (int e = 1; e < values.length; e++) {
          InternalRow r = rows.hasNext() ? rows.next() : null;
          if (r == null || r.getLong(0) != id || r.getInt(1) != e) {
            throw new IllegalStateException("KernelSHAP: evaluation " + e + " of row " + id + " is missing or out of "
                + "order after the model's transform; KernelSHAP needs a model whose transform works row by row");
          }
          values[e] = read(r, 3, index, vector);
        }
        int k = plan.masks.length;
        int nb = plan.background.length;
        double[] expected = new double[k];
        int[] idx = layout.index();
        for (int c = 0; c < k; c++) {
          double s = 0;
          int off = c * nb;
          for (int b = 0; b < nb; b++) s += plan.backgroundWeights[b] * values[idx[off + b]];
          expected[c] = s;
        }
        double fx = values[0];
        double[] phi = new double[plan.m];
        double r2 = KernelShapSolver.solve(plan.m, plan.masks, plan.coalitionWeights, expected, fx, base, phi);
        return RowFactory.create(id, Vectors.dense(phi), fx, r2);
      }
    };
  }
}
