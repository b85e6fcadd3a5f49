package io.omelet.examples.bench;

import io.omelet.examples.DataDir;
import hex.genmodel.easy.EasyPredictModelWrapper;
import hex.genmodel.easy.RowData;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletSpark;
import io.omelet.scoring.MojoModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * bin/bench scoring: lending_club replicated to 1M rows and cached, scored by an H2O GBM (50 trees,
 * depth 5) registered as {@code lending_gbm@champion}:
 * <ul>
 *   <li>{@code sql_rows_per_s}: {@code SELECT omelet_predict('lending_gbm@champion', *)} written to
 *       the noop sink (so every row is scored);
 *   <li>{@code sparkml_rows_per_s}: Spark ML's GBT pipeline (StringIndexer, VectorAssembler,
 *       GBTClassifier maxIter 50 maxDepth 5) on the same rows, probability column written to noop;
 *   <li>{@code genmodel_rows_per_s}: one thread looping h2o-genmodel's EasyPredictModelWrapper over
 *       prepared RowData;
 *   <li>{@code sql_over_genmodel_per_core} = sql_rows_per_s / cores / genmodel_rows_per_s;
 *   <li>{@code rest_p50_ms}, {@code rest_p99_ms}, {@code rest_rps}: single-row POST /predict at 500
 *       requests/s for 30 s after 10 s warm-up against the in-process server (see {@link RestBench}).
 * </ul>
 * Each timed figure is the median of 3 runs after a warm-up. Argument: [rows=1000000].
 */
public final class ScoringBench implements Benchmark {
  static final String[] STRINGS = ExplainBench.STRINGS;
  static final String[] NUMBERS = ExplainBench.NUMBERS;

  @Override
  public String name() {
    return "scoring";
  }

  @Override
  public String description() {
    return "omelet_predict SQL vs Spark ML GBT pipeline vs a bare h2o-genmodel loop on lending_club x 1M rows";
  }

  @Override
  public void run(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    Path registryRoot = Files.createTempDirectory("omelet-bench-scoring").resolve("registry");
    SparkSession spark = OmeletSpark.builder("omelet-bench-scoring", "local[2]")
        .config("spark.sql.extensions", OmeletSpark.DELTA_EXTENSION + ",io.omelet.scoring.OmeletSparkExtensions")
        .config(OmeletRegistry.ROOT_CONF, registryRoot.toString())
        .getOrCreate();
    int cores = spark.sparkContext().defaultParallelism();
    Dataset<Row> lending = DataDir.csv(spark, "lending_club.csv").cache();
    long base = lending.count();

    MojoModel mojo = MojoModel.of(H2OGbm.mojo(lending));
    OmeletRegistry registry = OmeletRegistry.open(spark, registryRoot.toString());
    RestBench.register(registry, mojo.bytes());

    // The bare loop first, on a JVM that has run nothing else yet.
    double genmodelRate = genmodelLoop(mojo, lending);

    long copies = (rows + base - 1) / base;
    Dataset<Row> big = lending
        .withColumn("copy", functions.explode(functions.sequence(functions.lit(1L), functions.lit(copies))))
        .drop("copy").limit((int) rows).repartition(cores * 2).cache();
    long n = big.count();
    big.createOrReplaceTempView("lending_big");
    log("%d rows cached in %d partitions, %d cores", n, big.rdd().getNumPartitions(), cores);

    Dataset<Row> sql = spark.sql("SELECT omelet_predict('lending_gbm@champion', *) AS p FROM lending_big");
    double sqlSeconds = medianSeconds(() -> sql.write().format("noop").mode("overwrite").save());
    double sqlRate = n / sqlSeconds;

    PipelineModel gbt = sparkGbt(lending);
    Dataset<Row> sparkml = gbt.transform(big).select("probability");
    double sparkmlSeconds = medianSeconds(() -> sparkml.write().format("noop").mode("overwrite").save());
    double sparkmlRate = n / sparkmlSeconds;

    Figures.print("sql_rows_per_s", sqlRate);
    Figures.print("sparkml_rows_per_s", sparkmlRate);
    Figures.print("genmodel_rows_per_s", genmodelRate);
    Figures.print("cores", cores);
    Figures.print("sql_over_genmodel_per_core", sqlRate / cores / genmodelRate);
    Figures.print("sql_over_sparkml", sqlRate / sparkmlRate);

    big.unpersist(true);
    RestBench.measure(registry, "lending_gbm@champion", lending, 500, Duration.ofSeconds(10), Duration.ofSeconds(30));
    spark.stop();
    // H2O's threads are not daemons.
    System.exit(0);
  }

  /** Spark ML's own GBT of the same size, through its usual pipeline. */
  static PipelineModel sparkGbt(Dataset<Row> lending) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> inputs = new ArrayList<>(List.of(NUMBERS));
    for (String c : STRINGS) {
      stages.add(new StringIndexer().setInputCol(c).setOutputCol(c + "_idx").setHandleInvalid("keep"));
      inputs.add(c + "_idx");
    }
    stages.add(new StringIndexer().setInputCol("Class").setOutputCol("label"));
    stages.add(new VectorAssembler().setInputCols(inputs.toArray(new String[0])).setOutputCol("features")
        .setHandleInvalid("keep"));
    stages.add(new GBTClassifier().setMaxIter(50).setMaxDepth(5).setMaxBins(64).setSeed(42));
    return new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(lending);
  }

  /** One thread, EasyPredictModelWrapper over RowData prepared beforehand; rows per second. */
  static double genmodelLoop(MojoModel mojo, Dataset<Row> lending) throws Exception {
    EasyPredictModelWrapper wrapper = new EasyPredictModelWrapper(new EasyPredictModelWrapper.Config()
        .setModel(mojo.genModel()).setConvertUnknownCategoricalLevelsToNa(true).setConvertInvalidNumbersToNa(true));
    List<RowData> prepared = new ArrayList<>();
    for (Row r : lending.collectAsList()) {
      RowData d = new RowData();
      for (String f : mojo.features()) {
        Object v = r.getAs(f);
        if (v != null) d.put(f, v instanceof String ? v : ((Number) v).doubleValue());
      }
      prepared.add(d);
    }
    double sink = 0;
    for (int i = 0; i < 3 * prepared.size(); i++) {
      sink += wrapper.predictBinomial(prepared.get(i % prepared.size())).classProbabilities[1];
    }
    double[] rates = new double[3];
    int loops = Math.max(1, 300_000 / prepared.size());
    for (int k = 0; k < 3; k++) {
      long t0 = System.nanoTime();
      for (int l = 0; l < loops; l++) {
        for (RowData d : prepared) sink += wrapper.predictBinomial(d).classProbabilities[1];
      }
      rates[k] = (double) loops * prepared.size() / ((System.nanoTime() - t0) / 1e9);
    }
    if (Double.isNaN(sink)) log("(sink %f)", sink);
    return Figures.median(rates);
  }

  static double medianSeconds(Runnable action) {
    action.run();
    double[] s = new double[3];
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      action.run();
      s[i] = (System.nanoTime() - t0) / 1e9;
    }
    return Figures.median(s);
  }

  private static void log(String format, Object... args) {
    System.err.printf("[scoring] " + format + "%n", args);
  }
}
