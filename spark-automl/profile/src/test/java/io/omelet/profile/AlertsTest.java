package io.omelet.profile;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every alert kind fires where it should, on real tables with a few derived columns. */
class AlertsTest {
  static Profile lending;
  static Dataset<Row> lendingDf;

  @BeforeAll
  static void profile() {
    lendingDf = TestSpark.csv("lending_club.csv")
        .withColumn("constant", functions.lit("x"))
        .withColumn("row_id", functions.monotonically_increasing_id())
        .withColumn("quarter", functions.col("row_id").mod(4).cast("string"))
        .withColumn("ratio", functions.when(functions.col("annual_inc").equalTo(0), Double.POSITIVE_INFINITY)
            .otherwise(functions.col("funded_amnt").divide(functions.col("annual_inc"))))
        .withColumn("inf_col", functions.when(functions.col("row_id").mod(100).equalTo(0),
            functions.lit(Double.NEGATIVE_INFINITY)).otherwise(functions.col("int_rate")))
        .withColumn("mostly_null", functions.when(functions.col("row_id").mod(10).equalTo(0),
            functions.col("int_rate")))
        .cache();
    lending = new DataProfiler().profile(lendingDf);
  }

  private static boolean has(Profile p, AlertType t, String column) {
    return p.alerts.stream().anyMatch(a -> a.type == t && java.util.Objects.equals(a.column, column));
  }

  @Test
  void constantUniqueAndUniform() {
    assertTrue(has(lending, AlertType.CONSTANT, "constant"));
    assertTrue(has(lending, AlertType.UNIQUE, "row_id"));
    assertFalse(has(lending, AlertType.UNIQUE, "funded_amnt"));
    // quarter: four values in exactly equal shares up to one row
    assertEquals(VariableType.CAT, lending.variable("quarter").type);
    assertTrue(has(lending, AlertType.UNIFORM, "quarter"));
    assertFalse(has(lending, AlertType.UNIFORM, "sub_grade"));
  }

  @Test
  void zerosSkewAndInfinite() {
    long zeros = lendingDf.filter("delinq_amnt = 0").count();
    assertTrue(zeros > 0.1 * lendingDf.count());
    VariableProfile v = lending.variable("delinq_amnt");
    assertEquals(zeros, (long) v.zeros);
    List<Alert> z = lending.alertsOf(AlertType.ZEROS);
    assertTrue(z.stream().anyMatch(a -> a.column.equals("total_bal_il")
        || a.column.equals("delinq_amnt") || a.column.equals("inq_fi")), z.toString());
    double skew = lendingDf.select(functions.skewness("delinq_amnt")).first().getDouble(0);
    assertEquals(Math.abs(skew) > 20, has(lending, AlertType.SKEWED, "delinq_amnt"));
    assertTrue(lending.alertsOf(AlertType.SKEWED).size() >= 1, lending.alerts.toString());
    assertTrue(has(lending, AlertType.INFINITE, "inf_col"));
    VariableProfile inf = lending.variable("inf_col");
    assertEquals(lendingDf.filter("inf_col = double('-Infinity')").count(), (long) inf.infinite);
    assertFalse(Double.isInfinite(inf.min), "min is over finite values");
  }

  @Test
  void missingImbalanceCardinalityEmpty() {
    assertTrue(has(lending, AlertType.MISSING, "mostly_null"));
    assertFalse(has(lending, AlertType.MISSING, "funded_amnt"));
    assertTrue(has(lending, AlertType.IMBALANCE, "Class"), "95% good / 5% bad");
    assertFalse(has(lending, AlertType.IMBALANCE, "quarter"));
    // HIGH_CARDINALITY: sub_grade has 30+ values; lower the threshold to see it fire
    DataProfiler strict = new DataProfiler().setMode(ProfileMode.UNIVARIATE).setHighCardinalityAlert(20);
    Profile p = strict.profile(lendingDf.select("sub_grade", "term"));
    assertTrue(has(p, AlertType.HIGH_CARDINALITY, "sub_grade"));
    assertFalse(has(p, AlertType.HIGH_CARDINALITY, "term"));
    assertFalse(has(lending, AlertType.HIGH_CARDINALITY, "sub_grade"), "default threshold is 50");
    // EMPTY: an all-null column, and an empty table
    Profile e = new DataProfiler().profile(lendingDf.withColumn("nothing", functions.lit(null).cast("double")));
    assertTrue(has(e, AlertType.EMPTY, "nothing"));
    Profile empty = new DataProfiler().profile(lendingDf.limit(0));
    assertTrue(has(empty, AlertType.EMPTY, null));
  }

  @Test
  void duplicatesAndHighCorrelation() {
    Dataset<Row> diamonds = TestSpark.csv("diamonds.csv");
    Profile p = new DataProfiler().profile(diamonds);
    long dups = diamonds.count() - diamonds.distinct().count();
    assertTrue(dups > 0);
    assertEquals(dups, (long) p.overview.duplicateRows);
    assertTrue(has(p, AlertType.DUPLICATES, null));
    assertTrue(has(p, AlertType.HIGH_CORRELATION, "carat"), p.alerts.toString());
    assertTrue(has(p, AlertType.HIGH_CORRELATION, "price"));
    assertFalse(has(lending, AlertType.DUPLICATES, null), "row_id makes every row distinct");
    assertEquals(0L, lending.overview.duplicateRows);
  }
}
