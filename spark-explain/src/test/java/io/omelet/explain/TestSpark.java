package io.omelet.explain;

import java.nio.file.Path;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import io.omelet.testing.SharedSpark;

/** One local Spark session per test JVM and the real data sets the tests read (small slices, fixed seeds). */
final class TestSpark {
  static final String[] LC_STRINGS = {"term", "sub_grade", "addr_state", "verification_status", "emp_length"};
  static final String[] LC_NUMBERS = {"funded_amnt", "int_rate", "annual_inc", "delinq_2yrs", "inq_last_6mths",
      "revol_util", "acc_now_delinq", "open_il_6m", "open_il_12m", "open_il_24m", "total_bal_il", "all_util",
      "inq_fi", "inq_last_12m", "delinq_amnt", "num_il_tl", "total_il_high_credit_limit"};
  static final String[] DIAMOND_STRINGS = {"cut", "color", "clarity"};
  static final String[] DIAMOND_NUMBERS = {"carat", "depth", "table", "x", "y", "z"};

  private static Dataset<Row> lendingClub;
  private static Dataset<Row> diamonds;

  private TestSpark() {}

  static SparkSession spark() {
    return SharedSpark.session();
  }

  static Path dataDir() {
    return SharedSpark.dataDir();
  }

  /** 3,000 lending_club rows with label = 1 for bad loans. */
  static synchronized Dataset<Row> lendingClub() {
    if (lendingClub == null) {
      lendingClub = spark().read().option("header", true).option("inferSchema", true)
          .csv(dataDir().resolve("lending_club.csv").toString())
          .withColumn("label", functions.when(functions.col("Class").equalTo("bad"), 1.0).otherwise(0.0))
          .limit(3000).cache();
      lendingClub.count();
    }
    return lendingClub;
  }

  /** 2,000 diamonds rows (regression on price). */
  static synchronized Dataset<Row> diamonds() {
    if (diamonds == null) {
      diamonds = spark().read().option("header", true).option("inferSchema", true)
          .csv(dataDir().resolve("diamonds.csv").toString())
          .sample(false, 0.04, 7).limit(2000)
          .withColumn("label", functions.col("price").cast("double")).cache();
      diamonds.count();
    }
    return diamonds;
  }

  /** StringIndexer + OneHotEncoder for the strings, VectorAssembler for all, then {@code predictor}. */
  static PipelineModel fitPipeline(Dataset<Row> data, String[] strings, String[] numbers, PipelineStage predictor) {
    String[] idx = new String[strings.length];
    String[] ohe = new String[strings.length];
    for (int i = 0; i < strings.length; i++) {
      idx[i] = strings[i] + "_idx";
      ohe[i] = strings[i] + "_ohe";
    }
    String[] assembled = new String[numbers.length + strings.length];
    System.arraycopy(numbers, 0, assembled, 0, numbers.length);
    System.arraycopy(ohe, 0, assembled, numbers.length, ohe.length);
    StringIndexer si = new StringIndexer().setInputCols(strings).setOutputCols(idx).setHandleInvalid("keep");
    OneHotEncoder oh = new OneHotEncoder().setInputCols(idx).setOutputCols(ohe);
    VectorAssembler va = new VectorAssembler().setInputCols(assembled).setOutputCol("features").setHandleInvalid("keep");
    return new Pipeline().setStages(new PipelineStage[] {si, oh, va, predictor}).fit(data);
  }
}
