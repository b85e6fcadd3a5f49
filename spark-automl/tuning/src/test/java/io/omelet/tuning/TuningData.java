package io.omelet.tuning;

import io.omelet.testing.SharedSpark;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Small real data sets for the tuner tests, read once per JVM. */
final class TuningData {
  static final String[] CREDIT_NUMERIC = {"Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount", "Price"};
  private static Dataset<Row> credit;
  private static Dataset<Row> creditFeatures;
  private static Dataset<Row> penguins;

  private TuningData() {}

  static SparkSession spark() {
    return SharedSpark.session();
  }

  /** 2,000 rows of credit_data.csv without missing values: Status (good/bad) and the numeric columns. */
  static synchronized Dataset<Row> credit() {
    if (credit == null) {
      credit = SharedSpark.csv("credit_data.csv").na().drop().limit(2000).repartition(2).cache();
      credit.count();
    }
    return credit;
  }

  /** {@link #credit()} with {@code label} (1.0 = bad) and {@code features}. */
  static synchronized Dataset<Row> creditFeatures() {
    if (creditFeatures == null) {
      creditFeatures = new Pipeline().setStages(new PipelineStage[] {indexer(), assembler()}).fit(credit()).transform(credit())
          .select("label", "features").cache();
      creditFeatures.count();
    }
    return creditFeatures;
  }

  static StringIndexer indexer() {
    return new StringIndexer().setInputCol("Status").setOutputCol("label").setStringOrderType("alphabetAsc");
  }

  static VectorAssembler assembler() {
    return new VectorAssembler().setInputCols(CREDIT_NUMERIC).setOutputCol("features");
  }

  /** penguins.csv (3 species) with label and features from the four measurements, no missing values. */
  static synchronized Dataset<Row> penguins() {
    if (penguins == null) {
      Dataset<Row> raw = SharedSpark.csvNa("penguins.csv").na().drop();
      penguins = new Pipeline().setStages(new PipelineStage[] {
          new StringIndexer().setInputCol("species").setOutputCol("label"),
          new VectorAssembler().setInputCols(new String[] {"bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"})
              .setOutputCol("features")}).fit(raw).transform(raw).select("label", "features").cache();
      penguins.count();
    }
    return penguins;
  }
}
