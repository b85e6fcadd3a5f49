package io.omelet.explain;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import io.omelet.common.RowSampler;

/**
 * The background rows KernelSHAP replaces unknown features with, and their weights (summing to 1).
 * Values are kept as the raw column values, in the column order given, so they go back through the
 * model's own transform.
 */
final class Background implements Serializable {
  private static final long serialVersionUID = 1L;

  final StructType schema;
  final Object[][] rows;
  final double[] weights;

  Background(StructType schema, Object[][] rows, double[] weights) {
    this.schema = schema;
    this.rows = rows;
    this.weights = weights;
  }

  int size() {
    return rows.length;
  }

  /** {@code size} rows drawn uniformly at random (fixed seed), equally weighted. */
  static Background sample(Dataset<Row> data, String[] cols, int size, long seed) {
    Dataset<Row> picked = RowSampler.sample(data.select(columns(cols)), size, seed);
    List<Row> rows = picked.collectAsList();
    if (rows.isEmpty()) throw new IllegalArgumentException("the background data is empty");
    Object[][] values = new Object[rows.size()][];
    for (int i = 0; i < values.length; i++) values[i] = toArray(rows.get(i));
    double[] w = new double[values.length];
    java.util.Arrays.fill(w, 1.0 / values.length);
    return new Background(picked.schema(), values, w);
  }

  /**
   * A k-means summary with {@code k} centres weighted by cluster size. Clusters are found on the
   * standardised numbers (missing ones imputed by the mean) and one-hot strings; each centre is then
   * written back as real values: the cluster median of every number (an observed value) and the most
   * frequent value of every string, so it still goes through the model's transform like a data row.
   */
  static Background kmeans(Dataset<Row> data, String[] cols, int k, long seed) {
    StructType schema = data.select(columns(cols)).schema();
    List<String> nums = new ArrayList<>();
    List<String> strs = new ArrayList<>();
    for (StructField f : schema.fields()) {
      if (f.dataType() instanceof NumericType) nums.add(f.name());
      else strs.add(f.name());
    }
    Dataset<Row> d = data.select(columns(cols));
    List<String> assembled = new ArrayList<>();
    List<PipelineStage> stages = new ArrayList<>();
    if (!nums.isEmpty()) {
      String[] numIn = nums.toArray(new String[0]);
      String[] numOut = nums.stream().map(c -> "__bg_num_" + c).toArray(String[]::new);
      for (int i = 0; i < numIn.length; i++) d = d.withColumn(numOut[i], d.col(numIn[i]).cast(DataTypes.DoubleType));
      String[] imputed = nums.stream().map(c -> "__bg_imp_" + c).toArray(String[]::new);
      stages.add(new Imputer().setInputCols(numOut).setOutputCols(imputed));
      assembled.addAll(List.of(imputed));
    }
    if (!strs.isEmpty()) {
      String[] in = strs.stream().map(c -> "__bg_str_" + c).toArray(String[]::new);
      for (int i = 0; i < in.length; i++) d = d.withColumn(in[i], d.col(strs.get(i)).cast(DataTypes.StringType));
      String[] idx = strs.stream().map(c -> "__bg_idx_" + c).toArray(String[]::new);
      String[] ohe = strs.stream().map(c -> "__bg_ohe_" + c).toArray(String[]::new);
      stages.add(new StringIndexer().setInputCols(in).setOutputCols(idx).setHandleInvalid("keep"));
      stages.add(new OneHotEncoder().setInputCols(idx).setOutputCols(ohe));
      assembled.addAll(List.of(ohe));
    }
    stages.add(new VectorAssembler().setInputCols(assembled.toArray(new String[0])).setOutputCol("__bg_vec"));
    stages.add(new StandardScaler().setInputCol("__bg_vec").setOutputCol("__bg_scaled").setWithMean(false));
    Dataset<Row> cached = d.cache();
    // Spark's k-means fails when asked for more centres than there are distinct points.
    int centres = (int) Math.min(k, cached.select(columns(cols)).distinct().count());
    if (centres < 2) {
      cached.unpersist();
      return sample(data, cols, k, seed);
    }
    stages.add(new KMeans().setK(centres).setSeed(seed).setFeaturesCol("__bg_scaled").setPredictionCol("__bg_cluster")
        .setMaxIter(30));
    try {
      PipelineModel pm = new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(cached);
      Dataset<Row> clustered = pm.transform(cached);
      List<Column> aggs = new ArrayList<>();
      aggs.add(functions.count(functions.lit(1)).as("__bg_n"));
      for (String c : cols) {
        Column col = clustered.col(c);
        aggs.add((nums.contains(c) ? functions.percentile_approx(col, functions.lit(0.5), functions.lit(10000))
            : functions.mode(col)).as(c));
      }
      List<Row> summary = clustered.groupBy("__bg_cluster")
          .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]))
          .orderBy("__bg_cluster").collectAsList();
      Object[][] rows = new Object[summary.size()][];
      double[] w = new double[summary.size()];
      double total = 0;
      for (int i = 0; i < rows.length; i++) {
        Row r = summary.get(i);
        w[i] = r.getLong(1);
        total += w[i];
        rows[i] = new Object[cols.length];
        for (int j = 0; j < cols.length; j++) rows[i][j] = r.get(2 + j);
      }
      for (int i = 0; i < w.length; i++) w[i] /= total;
      return new Background(schema, rows, w);
    } finally {
      cached.unpersist();
    }
  }

  private static Column[] columns(String[] cols) {
    Column[] out = new Column[cols.length];
    for (int i = 0; i < cols.length; i++) out[i] = functions.col(cols[i]);
    return out;
  }

  private static Object[] toArray(Row r) {
    Object[] v = new Object[r.size()];
    for (int i = 0; i < v.length; i++) v[i] = r.get(i);
    return v;
  }
}
