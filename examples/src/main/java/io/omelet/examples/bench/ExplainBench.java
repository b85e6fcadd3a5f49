package io.omelet.examples.bench;

import io.omelet.examples.DataDir;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import com.microsoft.azure.synapse.ml.explainers.TabularSHAP;

import hex.genmodel.PredictContributions;
import hex.genmodel.PredictContributionsFactory;
import io.omelet.explain.ShapExplainer;
import io.omelet.registry.OmeletSpark;
import io.omelet.scoring.FeatureBinding;
import io.omelet.scoring.MojoModel;
import io.omelet.scoring.RowContributions;

/**
 * bin/bench explain: KernelSHAP of a Spark ML GBT pipeline on lending_club (200 rows, background of
 * 100 rows, numSamples 2 x 22 + 2048 = 2092 for both), Omelet against SynapseML's TabularSHAP, and
 * Omelet's exact TreeSHAP of the same pipeline on all rows.
 *
 * <p>SynapseML takes seconds per row at this budget, so it is timed on fewer rows (default 24, the
 * same first rows) and reported in rows per second. Both get one small warm-up run first.
 *
 * <p>Then exact TreeSHAP of an H2O GBM (50 trees, depth 5) through its MOJO on all lending_club rows with
 * ShapExplainer on local[2] ({@code treeshap_rows_per_s}), beside a bare single-thread h2o-genmodel loop computing
 * the same model's contributions over prepared double[] rows ({@code genmodel_contrib_rows_per_s}) and Omelet's
 * own single-thread loop ({@code omelet_contrib_rows_per_s}, RowContributions on the same rows). As the machine is
 * shared, the same two are also given per CPU second ({@code treeshap_rows_per_cpu_s} from the Spark tasks' executor
 * CPU time, {@code genmodel_contrib_rows_per_cpu_s} from the thread's CPU time) and their ratio.
 *
 * <p>Arguments: [h2o|spark] [omeletRows=200] [anchorRows=24]; "h2o" runs only the H2O part, "spark" only the Spark
 * ML part (KernelSHAP against SynapseML and the Spark TreeSHAP); without either, both.
 */
public final class ExplainBench implements Benchmark {
  static final String[] STRINGS = {"term", "sub_grade", "addr_state", "verification_status", "emp_length"};
  static final String[] NUMBERS = {"funded_amnt", "int_rate", "annual_inc", "delinq_2yrs", "inq_last_6mths",
      "revol_util", "acc_now_delinq", "open_il_6m", "open_il_12m", "open_il_24m", "total_bal_il", "all_util",
      "inq_fi", "inq_last_12m", "delinq_amnt", "num_il_tl", "total_il_high_credit_limit"};

  @Override
  public String name() {
    return "explain";
  }

  @Override
  public String description() {
    return "KernelSHAP (Omelet vs SynapseML TabularSHAP) and exact TreeSHAP of a Spark GBT pipeline on lending_club";
  }

  @Override
  public void run(String[] args) throws Exception {
    String part = args.length > 0 && (args[0].equals("h2o") || args[0].equals("spark")) ? args[0] : "all";
    if (!part.equals("all")) args = java.util.Arrays.copyOfRange(args, 1, args.length);
    SparkSession spark = OmeletSpark.builder("omelet-bench-explain", "local[2]").getOrCreate();
    Dataset<Row> data = DataDir.csv(spark, "lending_club.csv")
        .withColumn("label", functions.when(functions.col("Class").equalTo("bad"), 1.0).otherwise(0.0))
        .cache();
    if (!part.equals("h2o")) sparkPart(spark, data, args);
    if (!part.equals("spark")) h2oPart(spark, data);
    spark.stop();
  }

  private void sparkPart(SparkSession spark, Dataset<Row> data, String[] args) {
    int omeletRows = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int anchorRows = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    long total = data.count();

    PipelineModel model = fit(data);
    String[] features = new String[NUMBERS.length + STRINGS.length];
    System.arraycopy(NUMBERS, 0, features, 0, NUMBERS.length);
    System.arraycopy(STRINGS, 0, features, NUMBERS.length, STRINGS.length);
    int numSamples = 2 * features.length + 2048;

    Dataset<Row> shuffled = data.orderBy(functions.rand(17)).cache();
    Dataset<Row> background = shuffled.limit(100).cache();
    background.count();
    Dataset<Row> explained = shuffled.except(background).orderBy(functions.rand(23)).limit(omeletRows)
        .withColumn("rid", functions.monotonically_increasing_id()).localCheckpoint();
    // SynapseML works partition by partition: give it as many partitions as Omelet uses (2 rows a task).
    Dataset<Row> anchorSet = explained.orderBy("rid").limit(anchorRows).repartition(Math.max(2, anchorRows / 2))
        .localCheckpoint();
    System.err.printf("explain bench: %d rows, %d features, numSamples %d, background 100%n", total, features.length,
        numSamples);

    ShapExplainer kernel = new ShapExplainer().setModel(model).setMethod("kernel").setInputCols(features)
        .setNumSamples(numSamples).setBackgroundSize(100).setBackgroundData(background).setTargetClass(1);
    force(kernel.transform(explained.limit(4)), "shap");
    long t0 = System.nanoTime();
    force(kernel.transform(explained), "shap");
    double omeletSeconds = Figures.since(t0);
    double omeletRate = omeletRows / omeletSeconds;
    System.err.printf("omelet kernelshap: %d rows in %.1f s%n", omeletRows, omeletSeconds);

    TabularSHAP anchor = new TabularSHAP();
    anchor.setInputCols(features);
    anchor.setOutputCol("shapValues");
    anchor.setNumSamples(numSamples);
    anchor.setModel(model);
    anchor.setTargetCol("probability");
    anchor.setTargetClasses(new int[] {1});
    anchor.setBackgroundData(functions.broadcast(background));
    force(anchor.transform(anchorSet.limit(2)), "shapValues");
    long t1 = System.nanoTime();
    force(anchor.transform(anchorSet), "shapValues");
    double anchorSeconds = Figures.since(t1);
    double anchorRate = anchorRows / anchorSeconds;
    System.err.printf("synapseml tabularshap: %d rows in %.1f s%n", anchorRows, anchorSeconds);

    ShapExplainer tree = new ShapExplainer().setModel(model).setMethod("tree").setTargetClass(1);
    force(tree.transform(data), "shap");
    double[] treeRates = new double[3];
    for (int i = 0; i < treeRates.length; i++) {
      long t2 = System.nanoTime();
      force(tree.transform(data), "shap");
      treeRates[i] = total / Figures.since(t2);
    }
    double treeRate = Figures.median(treeRates);

    Figures.print("omelet_kernelshap_rows_per_s", omeletRate);
    Figures.print("anchor_kernelshap_rows_per_s", anchorRate);
    Figures.print("anchor_name", "synapseml-1.1.3-TabularSHAP");
    Figures.print("kernelshap_speedup", omeletRate / anchorRate);
    Figures.print("sparkml_treeshap_rows_per_s", treeRate);
  }

  /**
   * Exact TreeSHAP of an H2O GBM (50 trees, depth 5) through its MOJO: ShapExplainer on all rows with both cores,
   * against h2o-genmodel's contributions loop on one thread.
   */
  private void h2oPart(SparkSession spark, Dataset<Row> data) throws Exception {
    String[] cols = new String[NUMBERS.length + STRINGS.length + 1];
    System.arraycopy(NUMBERS, 0, cols, 0, NUMBERS.length);
    System.arraycopy(STRINGS, 0, cols, NUMBERS.length, STRINGS.length);
    cols[cols.length - 1] = "Class";
    Dataset<Row> lc = data.selectExpr(cols);
    MojoModel mojo = MojoModel.of(H2OGbm.mojo(lc));
    int cores = spark.sparkContext().defaultParallelism();
    // One partition per core's worth of work, several per core so that both stay busy to the end.
    Dataset<Row> rows = lc.drop("Class").repartition(4 * cores).cache();
    long total = rows.count();
    System.err.printf("explain bench (H2O): GBM %d trees depth %d, %d rows, %d features, %d cores%n", H2OGbm.TREES,
        H2OGbm.DEPTH, total, mojo.features().length, cores);

    ShapExplainer tree = new ShapExplainer().setMojo(mojo).setMethod("tree");
    force(tree.transform(rows), "shap");
    // CPU time of the tasks too: on a shared machine wall-clock rates depend on the other load, CPU time less so.
    java.util.concurrent.atomic.AtomicLong taskCpuNanos = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong taskRunMillis = new java.util.concurrent.atomic.AtomicLong();
    org.apache.spark.scheduler.SparkListener cpu = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          taskCpuNanos.addAndGet(end.taskMetrics().executorCpuTime());
          taskRunMillis.addAndGet(end.taskMetrics().executorRunTime());
        }
      }
    };
    spark.sparkContext().addSparkListener(cpu);
    double[] treeRates = new double[5];
    double[] treeCpuRates = new double[5];
    for (int i = 0; i < treeRates.length; i++) {
      spark.sparkContext().listenerBus().waitUntilEmpty();
      taskCpuNanos.set(0);
      taskRunMillis.set(0);
      long t = System.nanoTime();
      force(tree.transform(rows), "shap");
      double wall = Figures.since(t);
      treeRates[i] = total / wall;
      spark.sparkContext().listenerBus().waitUntilEmpty();
      treeCpuRates[i] = total / (taskCpuNanos.get() / 1e9);
      System.err.printf("h2o treeshap run %d: %.2f s wall, tasks %.2f s running, %.2f s on CPU%n", i, wall,
          taskRunMillis.get() / 1e3, taskCpuNanos.get() / 1e9);
    }
    spark.sparkContext().removeSparkListener(cpu);
    // The same through one task (one core busy): tells Spark's own per-row cost from two cores sharing the machine.
    Dataset<Row> oneTask = rows.coalesce(1);
    force(tree.transform(oneTask), "shap");
    long t1 = System.nanoTime();
    force(tree.transform(oneTask), "shap");
    System.err.printf("h2o treeshap in one task: %.0f rows/s%n", total / Figures.since(t1));
    double treeRate = Figures.median(treeRates);
    double treeCpuRate = Figures.median(treeCpuRates);

    // The same rows, prepared once as the model's double[] rows (as any genmodel caller would).
    FeatureBinding binding = FeatureBinding.bind(rows.schema(), mojo);
    java.util.List<org.apache.spark.sql.catalyst.InternalRow> internal = rows.queryExecution().toRdd().toJavaRDD()
        .collect();
    int width = mojo.contributionsModel().getNames().length;
    double[][] prepared = new double[internal.size()][];
    for (int i = 0; i < prepared.length; i++) {
      prepared[i] = new double[width];
      binding.fill(internal.get(i), prepared[i]);
    }
    PredictContributions genmodel = ((PredictContributionsFactory) mojo.contributionsModel())
        .makeContributionsPredictor();
    double[] genmodelRates = singleThreadRates(prepared, r -> genmodel.calculateContributions(r)[0]);
    RowContributions ours = new RowContributions(mojo, binding);
    double[] oursRates = singleThreadRates(prepared, r -> ours.contributions(r)[0]);
    double genmodelRate = genmodelRates[0];
    double oursRate = oursRates[0];

    Figures.print("treeshap_rows_per_s", treeRate);
    Figures.print("genmodel_contrib_rows_per_s", genmodelRate);
    Figures.print("omelet_contrib_rows_per_s", oursRate);
    Figures.print("treeshap_over_genmodel_per_core", treeRate / cores / genmodelRate);
    Figures.print("treeshap_rows_per_cpu_s", treeCpuRate);
    Figures.print("genmodel_contrib_rows_per_cpu_s", genmodelRates[1]);
    Figures.print("treeshap_over_genmodel_per_cpu_s", treeCpuRate / genmodelRates[1]);
  }

  /**
   * Rows per wall-clock second and per CPU second of {@code f} over all rows on this thread: medians of 5 passes
   * after 2 warm-up passes.
   */
  private static double[] singleThreadRates(double[][] rows, java.util.function.ToDoubleFunction<double[]> f) {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    double sink = 0;
    double[] rates = new double[5];
    double[] cpuRates = new double[5];
    for (int pass = -2; pass < rates.length; pass++) {
      long c = threads.getCurrentThreadCpuTime();
      long t = System.nanoTime();
      for (double[] r : rows) sink += f.applyAsDouble(r);
      if (pass >= 0) {
        rates[pass] = rows.length / Figures.since(t);
        cpuRates[pass] = rows.length / ((threads.getCurrentThreadCpuTime() - c) / 1e9);
      }
    }
    if (sink == 42.4242) System.err.println(sink); // keeps the JIT from dropping the loop
    return new double[] {Figures.median(rates), Figures.median(cpuRates)};
  }

  static PipelineModel fit(Dataset<Row> data) {
    String[] idx = new String[STRINGS.length];
    String[] ohe = new String[STRINGS.length];
    for (int i = 0; i < STRINGS.length; i++) {
      idx[i] = STRINGS[i] + "_idx";
      ohe[i] = STRINGS[i] + "_ohe";
    }
    String[] assembled = new String[NUMBERS.length + STRINGS.length];
    System.arraycopy(NUMBERS, 0, assembled, 0, NUMBERS.length);
    System.arraycopy(ohe, 0, assembled, NUMBERS.length, ohe.length);
    return new Pipeline().setStages(new PipelineStage[] {
        new StringIndexer().setInputCols(STRINGS).setOutputCols(idx).setHandleInvalid("keep"),
        new OneHotEncoder().setInputCols(idx).setOutputCols(ohe),
        new VectorAssembler().setInputCols(assembled).setOutputCol("features").setHandleInvalid("keep"),
        new GBTClassifier().setMaxIter(50).setMaxDepth(5).setSeed(1)}).fit(data);
  }

  /** Runs the whole explanation: a count could let Spark skip the work, a noop write cannot. */
  static void force(Dataset<Row> explained, String col) {
    explained.select(col).write().format("noop").mode("overwrite").save();
  }
}
