package io.omelet.examples.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

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

import io.omelet.explain.ShapExplainer;
import io.omelet.registry.OmeletSpark;

/**
 * bin/bench explain: KernelSHAP of a Spark ML GBT pipeline on lending_club (200 rows, background of
 * 100 rows, numSamples 2 x 22 + 2048 = 2092 for both), Omelet against SynapseML's TabularSHAP, and
 * Omelet's exact TreeSHAP of the same pipeline on all rows.
 *
 * <p>SynapseML takes seconds per row at this budget, so it is timed on fewer rows (default 24, the
 * same first rows) and reported in rows per second. Both get one small warm-up run first.
 * Arguments: [omeletRows=200] [anchorRows=24].
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
    int omeletRows = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int anchorRows = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    SparkSession spark = OmeletSpark.builder("omelet-bench-explain", "local[2]").getOrCreate();
    Dataset<Row> data = spark.read().option("header", true).option("inferSchema", true)
        .csv(dataDir().resolve("lending_club.csv").toString())
        .withColumn("label", functions.when(functions.col("Class").equalTo("bad"), 1.0).otherwise(0.0))
        .cache();
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
    spark.stop();
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

  static Path dataDir() {
    String prop = System.getProperty("omelet.data.dir");
    if (prop != null && Files.exists(Paths.get(prop, "lending_club.csv"))) return Paths.get(prop);
    Path p = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
    while (p != null) {
      if (Files.exists(p.resolve("data/lending_club.csv"))) return p.resolve("data");
      p = p.getParent();
    }
    throw new IllegalStateException("data/lending_club.csv not found (set -Domelet.data.dir)");
  }
}
