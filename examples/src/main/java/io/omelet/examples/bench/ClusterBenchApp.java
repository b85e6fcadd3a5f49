package io.omelet.examples.bench;

import io.omelet.automl.AutoMLModel;
import io.omelet.automl.OmeletAutoML;
import io.omelet.automl.engine.H2OEngine;
import io.omelet.automl.engine.H2OEngines;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletSpark;
import io.omelet.scoring.OmeletFunctions;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import water.Key;
import water.fvec.Frame;

/**
 * One application of {@link ClusterBench}, a driver JVM of its own in client mode:
 * {@code PREFIX MASTER BACKEND SPARK_JARS WORK_DIR [CONVERT_ROWS]}. Prints
 * {@code PREFIX_convert_rows_per_s}, {@code PREFIX_automl_s}, {@code PREFIX_auc} and, for the
 * internal backend, {@code PREFIX_sql_rows_per_s}.
 */
public final class ClusterBenchApp {
  /** lending_club: 9,857 loans, 23 columns, `Class` good/bad (5% bad). */
  private static final String AUTOML_DATA = "lending_club.csv";
  private static final String LABEL = "Class";

  private ClusterBenchApp() {}

  public static void main(String[] args) {
    int code = 0;
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      code = 1;
    }
    System.out.flush();
    // H2O's threads are not daemons
    Runtime.getRuntime().halt(code);
  }

  private static void run(String[] a) throws Exception {
    String prefix = a[0], master = a[1], backend = a[2], sparkJars = a[3];
    Path work = Path.of(a[4]);
    long convertRows = a.length > 5 ? Long.parseLong(a[5]) : 3_000_000L;
    Path data = Path.of(System.getProperty("omelet.data.dir", "data"));
    String registry = work.resolve("registry").toString();
    SparkSession spark = OmeletSpark.builder("omelet-bench-cluster-" + prefix, master)
        .config("spark.jars", sparkJars)
        .config("spark.executor.memory", "1g")
        .config("spark.cores.max", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.omelet.h2o.backend", backend)
        .config("spark.omelet.h2o.nodes", "2")
        .config(OmeletRegistry.ROOT_CONF, registry)
        .getOrCreate();
    OmeletFunctions.register(spark);

    // 1. Rows into H2O: flights (3M x 5: numbers, a date and two airport codes), cached in Spark first
    //    so the figure is the move alone, not the parquet read.
    Dataset<Row> flights = spark.read().parquet(data.resolve("flights-3m.parquet").toString()).limit((int) convertRows)
        .repartition(4).cache();
    long rows = flights.count();
    H2OEngine engine = H2OEngines.active();
    engine.start();
    long t0 = System.nanoTime();
    Frame fr = engine.toH2OFrame(flights, Key.make("bench_flights"));
    double convertS = (System.nanoTime() - t0) / 1e9;
    if (fr.numRows() != rows) throw new IllegalStateException("H2O got " + fr.numRows() + " of " + rows + " rows");
    fr.delete();
    flights.unpersist(true);
    Figures.print(prefix + "_convert_rows", rows);
    Figures.print(prefix + "_convert_rows_per_s", rows / convertS);

    // 2. AutoML, fixed budget: at most 4 models, 3-fold CV, a 20% holdout, fixed seed; tracked and
    //    registered as lc@champion so SQL can score with it.
    Dataset<Row> lc = spark.read().option("header", "true").option("inferSchema", "true")
        .csv(data.resolve(AUTOML_DATA).toString()).cache();
    lc.count();
    OmeletAutoML automl = new OmeletAutoML().setLabelCol(LABEL).setMaxModels(4).setNfolds(3).setSeed(42)
        .setMaxRuntimeSecs(0).setExcludeAlgos("DeepLearning", "StackedEnsemble")
        .setRegistryRoot(registry).setExperimentName("bench-cluster").setRegisteredModelName("lc")
        .setModelAlias("champion");
    long t1 = System.nanoTime();
    AutoMLModel model = automl.fit(lc);
    double automlS = (System.nanoTime() - t1) / 1e9;
    Figures.print(prefix + "_automl_s", automlS);
    Figures.print(prefix + "_auc", model.leader().holdout().get("auc"));
    Figures.print(prefix + "_leader", model.leader().modelId());

    // 3. SQL scoring on the executors: lending_club 40 times over (394,280 rows), cached.
    if (!"embedded".equals(backend)) {
      Dataset<Row> big = lc.drop(LABEL).crossJoin(spark.range(40).withColumnRenamed("id", "copy")).drop("copy")
          .repartition(4).cache();
      long n = big.count();
      big.createOrReplaceTempView("loans");
      spark.sql("SELECT count(omelet_predict('lc@champion', *)) FROM loans LIMIT 1").collect(); // warm-up: MOJO load
      long t2 = System.nanoTime();
      Row r = spark.sql("SELECT count(omelet_predict('lc@champion', *)) AS scored FROM loans").first();
      double sqlS = (System.nanoTime() - t2) / 1e9;
      if (r.getLong(0) != n) throw new IllegalStateException("scored " + r.getLong(0) + " of " + n + " rows");
      Figures.print(prefix + "_sql_rows", n);
      Figures.print(prefix + "_sql_rows_per_s", n / sqlS);
    }
  }
}
