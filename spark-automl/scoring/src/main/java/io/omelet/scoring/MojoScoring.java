package io.omelet.scoring;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
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
    StructType added = new StructType(java.util.Arrays.copyOfRange(outSchema.fields(), data.schema().size(),
        outSchema.size()));
    CoercionPolicy policy = CoercionPolicy.forQuery(data.sparkSession(), what);
    FeatureBinding binding = FeatureBinding.bind(data.schema(), model).withPolicy(policy);
    Broadcast<MojoModel> bc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext()).broadcast(model);
    return AppendColumns.to(data, added, new Scores(bc, binding, cols), policy);
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

  /** Runs on executors: one scorer per partition, appending each row's prediction columns. */
  static final class Scores implements AppendColumns.PartitionFunction {
    private static final long serialVersionUID = 1L;
    private final Broadcast<MojoModel> model;
    private final FeatureBinding binding;
    private final ScoringColumns cols;

    Scores(Broadcast<MojoModel> model, FeatureBinding binding, ScoringColumns cols) {
      this.model = model;
      this.binding = binding;
      this.cols = cols;
    }

    @Override
    public AppendColumns.RowFunction open() {
      MojoModel m = model.value();
      RowScorer scorer = new RowScorer(m, binding);
      if (!m.isClassifier()) return (in, out) -> out[0] = scorer.score(in)[0];
      String[] domain = m.responseDomain();
      int classes = domain.length;
      UTF8String[] labels = new UTF8String[classes];
      for (int i = 0; i < classes; i++) labels[i] = UTF8String.fromString(domain[i]);
      boolean withVector = cols.probabilityCol() != null;
      boolean withPerClass = cols.classProbabilityPrefix() != null;
      return (in, out) -> {
        double[] p = scorer.score(in);
        out[0] = labels[(int) p[0]];
        int j = 1;
        if (withVector) out[j++] = AppendColumns.denseVector(java.util.Arrays.copyOfRange(p, 1, 1 + classes));
        if (withPerClass) for (int c = 0; c < classes; c++) out[j++] = p[1 + c];
      };
    }
  }
}
