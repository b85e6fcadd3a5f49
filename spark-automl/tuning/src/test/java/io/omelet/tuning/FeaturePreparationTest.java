package io.omelet.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/** The feature stages on credit_data with a missing value, an identifier, an empty column and a date added. */
class FeaturePreparationTest {
  @Test
  void textIsIndexedNumbersImputedAndWhatCannotBeAFeatureIsLeftOutWithItsReason() {
    Dataset<Row> credit = TuningData.credit().select("Status", "Home", "Age", "Income");
    Dataset<Row> raw = credit
        .withColumn("Income", functions.when(functions.col("Age").equalTo(30), null).otherwise(functions.col("Income")))
        .withColumn("row_id", functions.monotonically_increasing_id().cast("string"))
        .withColumn("nothing", functions.lit(null).cast("double"))
        .withColumn("owner", functions.col("Home").equalTo("owner"))
        .withColumn("seen", functions.current_date());
    FeaturePreparation prep = FeaturePreparation.of(raw, "Status", "features");

    assertEquals(List.of("Home", "Age", "Income", "owner"), prep.features());
    assertEquals(3, prep.leftOut().size(), prep.leftOut().toString());
    assertEquals("seen (date: neither text nor a number)", prep.leftOut().get(0));
    assertTrue(prep.leftOut().get(1).startsWith("row_id (text with ~"), prep.leftOut().toString());
    assertEquals("nothing (null in every row)", prep.leftOut().get(2));
    assertEquals(32, prep.maxBins());
    assertEquals(4, prep.stages().size());

    PipelineModel fitted = prep.pipeline().fit(raw);
    List<Row> rows = fitted.transform(raw).select("Age", "Income", "features").collectAsList();
    // Spark's Imputer takes an approximate median: between the 45th and 55th percentiles
    double[] nearMedian = raw.stat().approxQuantile("Income", new double[] {0.45, 0.55}, 0);
    for (Row r : rows) {
      Vector v = r.getAs("features");
      assertEquals(4, v.size());
      assertEquals(((Number) r.get(0)).doubleValue(), v.apply(1), 0);
      if (r.isNullAt(1)) assertTrue(v.apply(2) >= nearMedian[0] && v.apply(2) <= nearMedian[1], "a missing income is the median: " + v);
      else assertEquals(((Number) r.get(1)).doubleValue(), v.apply(2), 0);
    }
    assertTrue(rows.stream().anyMatch(r -> r.isNullAt(1)), "some incomes are missing");
  }
}
