package io.omelet.scoring;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Batch scoring of a DataFrame through a MOJO, partition by partition on the executors: the MOJO
 * is broadcast once, loaded once per executor JVM ({@link MojoModel}), and each partition's
 * internal rows are copied into one reused double[] and scored by h2o-genmodel directly; no Row
 * objects and no per-row maps. The same core serves {@code AutoMLModel.transform}, holdout
 * evaluation and (issue 5) the SQL function, the MojoScorer transformer and REST.
 */
public final class MojoScoring {
  private MojoScoring() {}

  /** The input schema plus the scoring columns; fails if a column would be shadowed. */
  public static StructType outputSchema(StructType input, MojoModel model, ScoringColumns cols) {
    List<StructField> added = new ArrayList<>();
    if (model.isClassifier()) {
      added.add(DataTypes.createStructField(cols.predictionCol(), DataTypes.StringType, true));
      if (cols.probabilityCol() != null) {
        added.add(DataTypes.createStructField(cols.probabilityCol(), SQLDataTypes.VectorType(), true));
      }
      if (cols.classProbabilityPrefix() != null) {
        for (String label : model.responseDomain()) {
          added.add(DataTypes.createStructField(cols.classProbabilityPrefix() + label,
              DataTypes.DoubleType, true));
        }
      }
    } else {
      added.add(DataTypes.createStructField(cols.predictionCol(), DataTypes.DoubleType, true));
    }
    Set<String> existing = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    existing.addAll(List.of(input.fieldNames()));
    StructType out = input;
    for (StructField f : added) {
      if (existing.contains(f.name())) {
        throw new IllegalArgumentException("output column '" + f.name()
            + "' already exists in the input; rename it or choose another output column name");
      }
      out = out.add(f);
    }
    return out;
  }

  /**
   * Adds the scoring columns to {@code data} (lazily: nothing runs until an action). Values that
   * cannot be coerced follow the session's {@link CoercionPolicy}, counted under {@code what}.
   */
  public static Dataset<Row> transform(Dataset<Row> data, MojoModel model, ScoringColumns cols, String what) {
    StructType outSchema = outputSchema(data.schema(), model, cols);
    SparkSession spark = data.sparkSession();
    CoercionPolicy policy = CoercionPolicy.forQuery(spark, what);
    FeatureBinding binding = FeatureBinding.bind(data.schema(), model).withPolicy(policy);
    Broadcast<MojoModel> bc = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model);
    JavaRDD<InternalRow> in = data.queryExecution().toRdd().toJavaRDD();
    JavaRDD<InternalRow> out = in.mapPartitions(new AppendScores(bc, binding, cols));
    CoercionPolicy.track(out.rdd(), policy);
    return spark.internalCreateDataFrame(out.rdd(), outSchema, false);
  }

  /**
   * Scores {@code data} and returns, per row, h2o-genmodel's prediction array (see
   * {@link RowScorer}) followed by the value of {@code extraCol} as a double (for evaluation:
   * the label's index in the model's response domain, or the numeric label; NaN if null or
   * unknown). Collects to the driver: meant for holdout sets.
   */
  public static List<double[]> scoreWithLabel(Dataset<Row> data, MojoModel model, String labelCol) {
    FeatureBinding binding = FeatureBinding.bind(data.schema(), model);
    int labelOrd = data.schema().fieldIndex(labelCol);
    String[] domain = model.responseDomain();
    org.apache.spark.sql.types.DataType labelType = data.schema().fields()[labelOrd].dataType();
    boolean textLabel = labelType == DataTypes.StringType;
    Broadcast<MojoModel> bc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext())
        .broadcast(model);
    return data.queryExecution().toRdd().toJavaRDD().mapPartitions(
        (FlatMapFunction<Iterator<InternalRow>, double[]>) rows -> {
          RowScorer scorer = new RowScorer(bc.value(), binding);
          java.util.Map<String, Integer> labelIndex = new java.util.HashMap<>();
          if (domain != null) for (int i = 0; i < domain.length; i++) labelIndex.put(domain[i], i);
          List<double[]> res = new ArrayList<>();
          while (rows.hasNext()) {
            InternalRow r = rows.next();
            double[] p = scorer.score(r);
            double[] o = java.util.Arrays.copyOf(p, p.length + 1);
            double label;
            if (r.isNullAt(labelOrd)) {
              label = Double.NaN;
            } else if (domain != null) {
              String s = textLabel ? r.getUTF8String(labelOrd).toString()
                  : String.valueOf(r.get(labelOrd, labelType));
              Integer idx = labelIndex.get(s);
              label = idx == null ? Double.NaN : idx;
            } else {
              label = ((Number) r.get(labelOrd, labelType))
                  .doubleValue();
            }
            o[p.length] = label;
            res.add(o);
          }
          return res.iterator();
        }).collect();
  }

  /** Runs on executors: scores each row and appends the output values. */
  static final class AppendScores implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
    private final Broadcast<MojoModel> model;
    private final FeatureBinding binding;
    private final ScoringColumns cols;

    AppendScores(Broadcast<MojoModel> model, FeatureBinding binding, ScoringColumns cols) {
      this.model = model;
      this.binding = binding;
      this.cols = cols;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
      MojoModel m = model.value();
      RowScorer scorer = new RowScorer(m, binding);
      boolean classifier = m.isClassifier();
      String[] domain = m.responseDomain();
      UTF8String[] labels = null;
      int k = 0;
      if (classifier) {
        k = domain.length;
        labels = new UTF8String[k];
        for (int i = 0; i < k; i++) labels[i] = UTF8String.fromString(domain[i]);
      }
      boolean withVector = classifier && cols.probabilityCol() != null;
      boolean withPerClass = classifier && cols.classProbabilityPrefix() != null;
      int width = classifier ? 1 + (withVector ? 1 : 0) + (withPerClass ? k : 0) : 1;
      VectorUDT vectorType = new VectorUDT();
      UTF8String[] finalLabels = labels;
      int classes = k;
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public InternalRow next() {
          InternalRow in = rows.next();
          double[] p = scorer.score(in);
          Object[] values = new Object[width];
          if (!classifier) {
            values[0] = p[0];
          } else {
            values[0] = finalLabels[(int) p[0]];
            int j = 1;
            if (withVector) {
              values[j++] = vectorType.serialize(
                  Vectors.dense(java.util.Arrays.copyOfRange(p, 1, 1 + classes)));
            }
            if (withPerClass) {
              for (int c = 0; c < classes; c++) values[j++] = p[1 + c];
            }
          }
          return new JoinedRow(in, new GenericInternalRow(values));
        }
      };
    }
  }
}
