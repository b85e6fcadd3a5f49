package io.omelet.examples.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import io.omelet.automl.AutoMLModel;
import io.omelet.automl.OmeletAutoML;
import io.omelet.examples.DataDir;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

/** One data set of bin/bench automl: Omelet's AutoML and the MLlib grid on the same three splits. */
final class AutoMLComparison {
  static final long[] SEEDS = {1, 2, 3};

  private AutoMLComparison() {}

  static void compare(SparkSession spark, String name, String label, String positive) {
    Dataset<Row> data = DataDir.csv(spark, name + ".csv").cache();
    data.count();
    double omeletAuc = 0;
    double omeletS = 0;
    double sparkAuc = 0;
    double sparkS = 0;
    for (long seed : SEEDS) {
      Dataset<Row>[] split = data.randomSplit(new double[] {0.8, 0.2}, seed);
      Dataset<Row> train = split[0].cache();
      Dataset<Row> test = split[1].cache();
      train.count();
      test.count();

      long t0 = System.nanoTime();
      AutoMLModel model = new OmeletAutoML().setLabelCol(label).setMaxModels(10).setSeed(seed).fit(train);
      double s = Figures.since(t0);
      double auc = auc(model.transform(test), label, positive, "p_" + positive);
      System.err.printf("%s seed %d: omelet AUC %.4f in %.1f s (leader %s)%n", name, seed, auc, s,
          model.leader().modelId());
      omeletAuc += auc / SEEDS.length;
      omeletS += s / SEEDS.length;

      t0 = System.nanoTime();
      PipelineModel grid = sparkGrid(doubles(train, label), label, positive, seed);
      s = Figures.since(t0);
      Dataset<Row> scored = grid.transform(doubles(test, label))
          .withColumn("p_" + positive, org.apache.spark.ml.functions.vector_to_array(col("probability"), "float64")
              .getItem(1));
      auc = auc(scored, label, positive, "p_" + positive);
      System.err.printf("%s seed %d: spark grid AUC %.4f in %.1f s%n", name, seed, auc, s);
      sparkAuc += auc / SEEDS.length;
      sparkS += s / SEEDS.length;
      train.unpersist();
      test.unpersist();
    }
    Figures.print("omelet_auc_" + name, omeletAuc);
    Figures.print("sparkml_auc_" + name, sparkAuc);
    Figures.print("omelet_s_" + name, omeletS);
    Figures.print("sparkml_s_" + name, sparkS);
    data.unpersist();
  }

  /** Test AUC of a probability column for the positive class, from MLlib's evaluator. */
  static double auc(Dataset<Row> scored, String label, String positive, String probability) {
    Dataset<Row> d = scored.select(when(col(label).equalTo(positive), 1.0).otherwise(0.0).as("y"),
        col(probability).cast("double").as("p"));
    return new BinaryClassificationEvaluator().setLabelCol("y").setRawPredictionCol("p")
        .setMetricName("areaUnderROC").evaluate(d);
  }

  /** Numeric features as doubles (what Imputer takes); the same for training and test rows. */
  static Dataset<Row> doubles(Dataset<Row> df, String label) {
    for (StructField f : df.schema().fields()) {
      if (!f.name().equals(label) && !(f.dataType() instanceof StringType)) {
        df = df.withColumn(f.name(), col(f.name()).cast("double"));
      }
    }
    return df;
  }

  /** MLlib's answer: the usual pipeline and a 3-fold CV grid over GBT depth and iterations. */
  static PipelineModel sparkGrid(Dataset<Row> train, String label, String positive, long seed) {
    List<String> cats = new ArrayList<>();
    List<String> nums = new ArrayList<>();
    for (StructField f : train.schema().fields()) {
      if (f.name().equals(label)) continue;
      if (f.dataType() instanceof StringType) cats.add(f.name());
      else nums.add(f.name());
    }
    Dataset<Row> withLabel = train.withColumn("__y", when(col(label).equalTo(positive), 1.0).otherwise(0.0));
    List<PipelineStage> stages = new ArrayList<>();
    String[] idx = cats.stream().map(c -> c + "__idx").toArray(String[]::new);
    String[] ohe = cats.stream().map(c -> c + "__ohe").toArray(String[]::new);
    if (!cats.isEmpty()) {
      stages.add(new StringIndexer().setInputCols(cats.toArray(new String[0])).setOutputCols(idx).setHandleInvalid("keep"));
      stages.add(new OneHotEncoder().setInputCols(idx).setOutputCols(ohe).setHandleInvalid("keep"));
    }
    long nullCells = 0;
    for (String c : nums) nullCells += withLabel.where(col(c).isNull()).count();
    String[] numeric = nums.toArray(new String[0]);
    if (nullCells > 0) {
      String[] imputed = nums.stream().map(c -> c + "__imp").toArray(String[]::new);
      stages.add(new Imputer().setInputCols(numeric).setOutputCols(imputed));
      numeric = imputed;
    }
    List<String> features = new ArrayList<>(List.of(numeric));
    features.addAll(List.of(ohe));
    stages.add(new VectorAssembler().setInputCols(features.toArray(new String[0])).setOutputCol("__features")
        .setHandleInvalid("keep"));
    GBTClassifier gbt = new GBTClassifier().setLabelCol("__y").setFeaturesCol("__features").setSeed(seed);
    stages.add(gbt);
    Pipeline pipeline = new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
    ParamMap[] grid = new ParamGridBuilder().addGrid(gbt.maxDepth(), new int[] {3, 5, 7})
        .addGrid(gbt.maxIter(), new int[] {20, 50}).build();
    CrossValidator cv = new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(grid).setNumFolds(3)
        .setEvaluator(new BinaryClassificationEvaluator().setLabelCol("__y")).setSeed(seed);
    return (PipelineModel) cv.fit(withLabel).bestModel();
  }
}
