package io.omelet.examples.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omelet.automl.AutoMLModel;
import io.omelet.automl.OmeletAutoML;
import io.omelet.examples.DataDir;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

/**
 * One data set of bin/bench automl: on three 80/20 splits (seeds 1, 2, 3), the same rows for
 * every tool, Omelet's AutoML ({@code balanced} profile, and {@code maxModels 10} as before the
 * profiles had time budgets) against what users would pick instead: MLlib's 3-fold
 * CrossValidator over a GBT grid (a random forest grid for several classes, which MLlib's GBT
 * does not do), scikit-learn's HistGradientBoosting with its defaults, and XGBoost tuned by
 * Optuna's TPE (30 trials, 3-fold CV). The Python anchors run in Debian's python3 on the split
 * written to CSV (examples/src/main/resources/bench/anchors.py). Figures are test-set means over
 * the splits: AUC (binary), RMSE (regression), log loss (several classes).
 */
final class AutoMLComparison {
  static final long[] SEEDS = {1, 2, 3};
  static final String PYTHON = "/usr/bin/python3";
  /** The anchors compared against, in the order figures are printed. */
  static final List<String> ANCHORS = List.of("sparkml", "sklearn_hgb", "xgb_optuna");

  /** A data set with a target. */
  record Case(String name, String file, String label, String task, String positive, int rows) {
    String metric() {
      return task.equals("binary") ? "auc" : task.equals("regression") ? "rmse" : "logloss";
    }

    boolean higherIsBetter() {
      return task.equals("binary");
    }
  }

  static final List<Case> CASES = List.of(
      new Case("lending_club", "lending_club.csv", "Class", "binary", "bad", 0),
      new Case("credit_data", "credit_data.csv", "Status", "binary", "bad", 0),
      new Case("mlc_churn", "mlc_churn.csv", "churn", "binary", "yes", 0),
      new Case("german_credit", "german_credit.csv", "class", "binary", "bad", 0),
      new Case("diamonds", "diamonds.csv", "price", "regression", null, 20_000),
      new Case("penguins", "penguins.csv", "species", "multiclass", null, 0));

  private static final ObjectMapper JSON = new ObjectMapper();

  private AutoMLComparison() {}

  static void compare(SparkSession spark, Case c, Path work) throws IOException, InterruptedException {
    Dataset<Row> data = load(spark, c).cache();
    data.count();
    Map<String, double[]> sums = new LinkedHashMap<>(); // tool -> {metric, seconds}
    Path script = pythonScript(work);
    for (long seed : SEEDS) {
      Dataset<Row>[] split = data.randomSplit(new double[] {0.8, 0.2}, seed);
      Dataset<Row> train = split[0].cache();
      Dataset<Row> test = split[1].cache();
      train.count();
      test.count();

      add(sums, "omelet", c, seed, () -> omelet(new OmeletAutoML().setProfile("balanced"), c, seed, train, test));
      add(sums, "omelet_maxmodels10", c, seed, () -> omelet(new OmeletAutoML().setMaxModels(10), c, seed, train, test));
      add(sums, "sparkml", c, seed, () -> sparkGrid(c, seed, train, test));
      for (Map.Entry<String, double[]> a : python(script, work, c, seed, train, test).entrySet()) {
        sums.computeIfAbsent(a.getKey(), k -> new double[2]);
        sums.get(a.getKey())[0] += a.getValue()[0] / SEEDS.length;
        sums.get(a.getKey())[1] += a.getValue()[1] / SEEDS.length;
      }
      train.unpersist();
      test.unpersist();
    }
    for (Map.Entry<String, double[]> e : sums.entrySet()) {
      Figures.print(e.getKey() + "_" + c.metric() + "_" + c.name(), e.getValue()[0]);
    }
    for (Map.Entry<String, double[]> e : sums.entrySet()) {
      Figures.print(e.getKey() + "_s_" + c.name(), e.getValue()[1]);
    }
    double omelet = sums.get("omelet")[0];
    double best = Double.NaN;
    for (String a : ANCHORS) {
      double[] v = sums.get(a);
      if (v == null || Double.isNaN(v[0])) continue;
      if (Double.isNaN(best) || (c.higherIsBetter() ? v[0] > best : v[0] < best)) best = v[0];
    }
    // positive is better for Omelet: AUC above the best anchor's, or RMSE / log loss below it
    Figures.print("omelet_minus_best_anchor_" + c.name(), c.higherIsBetter() ? omelet - best : best - omelet);
    data.unpersist();
  }

  private static void add(Map<String, double[]> sums, String tool, Case c, long seed, Supplier<double[]> run) {
    double[] r = run.get();
    System.err.printf("%s seed %d: %s %s %.4f in %.1f s%n", c.name(), seed, tool, c.metric(), r[0], r[1]);
    double[] s = sums.computeIfAbsent(tool, k -> new double[2]);
    s[0] += r[0] / SEEDS.length;
    s[1] += r[1] / SEEDS.length;
  }

  static Dataset<Row> load(SparkSession spark, Case c) {
    Dataset<Row> d = spark.read().option("header", "true").option("inferSchema", "true")
        .option("nullValue", c.name().equals("penguins") ? "NA" : "")
        .csv(DataDir.get().resolve(c.file()).toString());
    if (c.rows() > 0) d = d.orderBy(rand(0)).limit(c.rows());
    return d;
  }

  // ------------------------------------------------------------ Omelet

  private static double[] omelet(OmeletAutoML automl, Case c, long seed, Dataset<Row> train, Dataset<Row> test) {
    long t0 = System.nanoTime();
    AutoMLModel model = automl.setLabelCol(c.label()).setSeed(seed).fit(train);
    double s = Figures.since(t0);
    System.err.printf("  leader %s, served %s (%s)%n", model.leader().modelId(), model.servedModel().modelId(),
        model.result().refitNote() == null ? "refit on " + model.servedModel().trainingRows() + " rows"
            : model.result().refitNote());
    return new double[] {metric(c, model.transform(test)), s};
  }

  /** The test metric of a frame scored by Omelet: prediction and p_<class> columns. */
  static double metric(Case c, Dataset<Row> scored) {
    if (c.task().equals("regression")) {
      return new RegressionEvaluator().setLabelCol(c.label()).setPredictionCol("prediction").setMetricName("rmse")
          .evaluate(scored.withColumn(c.label(), col(c.label()).cast("double")));
    }
    if (c.task().equals("binary")) return auc(scored, c.label(), c.positive(), "p_" + c.positive());
    double sum = 0;
    List<Row> rows = scored.select(col(c.label()).cast("string"), col("probability")).collectAsList();
    List<String> classes = scored.select(col(c.label()).cast("string")).distinct().orderBy(c.label()).as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList();
    for (Row r : rows) {
      double p = ((Vector) r.get(1)).apply(classes.indexOf(r.getString(0)));
      sum -= Math.log(Math.max(p, 1e-15));
    }
    return sum / rows.size();
  }

  static double auc(Dataset<Row> scored, String label, String positive, String probability) {
    Dataset<Row> d = scored.select(when(col(label).equalTo(positive), 1.0).otherwise(0.0).as("y"),
        col(probability).cast("double").as("p"));
    return new BinaryClassificationEvaluator().setLabelCol("y").setRawPredictionCol("p")
        .setMetricName("areaUnderROC").evaluate(d);
  }

  // ------------------------------------------------------------ MLlib

  /** Numeric features as doubles (what Imputer takes); the same for training and test rows. */
  static Dataset<Row> doubles(Dataset<Row> df, String label) {
    for (StructField f : df.schema().fields()) {
      if (!f.name().equals(label) && !(f.dataType() instanceof StringType)) {
        df = df.withColumn(f.name(), col(f.name()).cast("double"));
      }
    }
    return df;
  }

  /**
   * MLlib's answer: the usual pipeline (StringIndexer, OneHotEncoder, Imputer, VectorAssembler) and
   * a 3-fold CV grid over depth {3, 5, 7} x trees {20, 50}: GBT for binary and regression, a
   * random forest for several classes.
   */
  private static double[] sparkGrid(Case c, long seed, Dataset<Row> trainIn, Dataset<Row> testIn) {
    Dataset<Row> train = doubles(trainIn, c.label());
    Dataset<Row> test = doubles(testIn, c.label());
    long t0 = System.nanoTime();
    List<String> cats = new ArrayList<>();
    List<String> nums = new ArrayList<>();
    for (StructField f : train.schema().fields()) {
      if (f.name().equals(c.label())) continue;
      if (f.dataType() instanceof StringType) cats.add(f.name());
      else nums.add(f.name());
    }
    List<PipelineStage> stages = new ArrayList<>();
    String y = "__y";
    if (c.task().equals("regression")) {
      train = train.withColumn(y, col(c.label()).cast("double"));
    } else {
      // classes in sorted order, so probability i is the i-th class name
      stages.add(new StringIndexer().setInputCol(c.label()).setOutputCol(y).setStringOrderType("alphabetAsc"));
    }
    String[] idx = cats.stream().map(s -> s + "__idx").toArray(String[]::new);
    String[] ohe = cats.stream().map(s -> s + "__ohe").toArray(String[]::new);
    if (!cats.isEmpty()) {
      stages.add(new StringIndexer().setInputCols(cats.toArray(new String[0])).setOutputCols(idx).setHandleInvalid("keep"));
      stages.add(new OneHotEncoder().setInputCols(idx).setOutputCols(ohe).setHandleInvalid("keep"));
    }
    String[] numeric = nums.toArray(new String[0]);
    String[] imputed = nums.stream().map(s -> s + "__imp").toArray(String[]::new);
    stages.add(new Imputer().setInputCols(numeric).setOutputCols(imputed));
    List<String> features = new ArrayList<>(List.of(imputed));
    features.addAll(List.of(ohe));
    stages.add(new VectorAssembler().setInputCols(features.toArray(new String[0])).setOutputCol("__features")
        .setHandleInvalid("keep"));
    ParamGridBuilder grid = new ParamGridBuilder();
    Evaluator evaluator;
    if (c.task().equals("binary")) {
      GBTClassifier gbt = new GBTClassifier().setLabelCol(y).setFeaturesCol("__features").setSeed(seed);
      stages.add(gbt);
      grid.addGrid(gbt.maxDepth(), new int[] {3, 5, 7}).addGrid(gbt.maxIter(), new int[] {20, 50});
      evaluator = new BinaryClassificationEvaluator().setLabelCol(y);
    } else if (c.task().equals("regression")) {
      GBTRegressor gbt = new GBTRegressor().setLabelCol(y).setFeaturesCol("__features").setSeed(seed);
      stages.add(gbt);
      grid.addGrid(gbt.maxDepth(), new int[] {3, 5, 7}).addGrid(gbt.maxIter(), new int[] {20, 50});
      evaluator = new RegressionEvaluator().setLabelCol(y).setMetricName("rmse");
    } else {
      RandomForestClassifier rf = new RandomForestClassifier().setLabelCol(y).setFeaturesCol("__features").setSeed(seed);
      stages.add(rf);
      grid.addGrid(rf.maxDepth(), new int[] {3, 5, 7}).addGrid(rf.numTrees(), new int[] {20, 50});
      evaluator = new MulticlassClassificationEvaluator().setLabelCol(y).setMetricName("logLoss");
    }
    Pipeline pipeline = new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
    ParamMap[] maps = grid.build();
    CrossValidator cv = new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(maps).setNumFolds(3)
        .setEvaluator(evaluator).setSeed(seed);
    PipelineModel best = (PipelineModel) cv.fit(train).bestModel();
    double s = Figures.since(t0);
    Dataset<Row> scored = best.transform(test);
    double m;
    if (c.task().equals("regression")) {
      m = new RegressionEvaluator().setLabelCol(c.label()).setPredictionCol("prediction").setMetricName("rmse")
          .evaluate(scored.withColumn(c.label(), col(c.label()).cast("double")));
    } else if (c.task().equals("binary")) {
      // index of the positive class among the sorted class names
      List<String> classes = train.select(col(c.label()).cast("string")).distinct().orderBy(c.label())
          .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
      int pos = classes.indexOf(c.positive());
      m = auc(scored.withColumn("p_pos", org.apache.spark.ml.functions.vector_to_array(col("probability"), "float64")
          .getItem(pos)), c.label(), c.positive(), "p_pos");
    } else {
      m = metric(c, scored);
    }
    return new double[] {m, s};
  }

  // ------------------------------------------------------------ Python anchors

  private static Path pythonScript(Path work) throws IOException {
    Path script = work.resolve("anchors.py");
    try (InputStream in = AutoMLComparison.class.getResourceAsStream("/bench/anchors.py")) {
      Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return script;
  }

  /** Anchor name to {metric, seconds}: NaN for both when the anchors could not run (said on stderr). */
  private static Map<String, double[]> python(Path script, Path work, Case c, long seed, Dataset<Row> train,
      Dataset<Row> test) throws IOException, InterruptedException {
    Path dir = Files.createDirectories(work.resolve(c.name() + "-" + seed));
    Path trainCsv = writeCsv(train, dir.resolve("train"));
    Path testCsv = writeCsv(test, dir.resolve("test"));
    Map<String, double[]> out = new LinkedHashMap<>();
    for (String a : List.of("sklearn_hgb", "xgb_optuna")) out.put(a, new double[] {Double.NaN, Double.NaN});
    Process p = new ProcessBuilder(PYTHON, script.toString(), trainCsv.toString(), testCsv.toString(), c.label(),
        c.task(), c.positive() == null ? "" : c.positive(), Long.toString(seed))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        JsonNode n = JSON.readTree(line);
        String anchor = n.path("anchor").asText();
        out.put(anchor, new double[] {n.path("value").asDouble(), n.path("seconds").asDouble()});
        System.err.printf("%s seed %d: %s %s %.4f in %.1f s%n", c.name(), seed, anchor, c.metric(),
            n.path("value").asDouble(), n.path("seconds").asDouble());
      }
    }
    if (p.waitFor() != 0) {
      System.err.println("the Python anchors failed (exit " + p.exitValue() + "): they need Debian's python3-sklearn,"
          + " python3-xgboost, python3-optuna and python3-pandas (apt-get install them)");
    }
    return out;
  }

  /** One CSV file with a header (nulls as empty fields), as pandas reads it. */
  private static Path writeCsv(Dataset<Row> d, Path dir) throws IOException {
    d.coalesce(1).write().mode("overwrite").option("header", "true").csv(dir.toString());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith("part-") && f.toString().endsWith(".csv"))
          .findFirst().orElseThrow(() -> new IOException("no CSV part file in " + dir));
    }
  }
}
