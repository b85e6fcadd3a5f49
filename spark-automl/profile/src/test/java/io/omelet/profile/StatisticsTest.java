package io.omelet.profile;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-column statistics of real tables against Spark's own aggregate functions. */
class StatisticsTest {
  static Dataset<Row> lending;
  static Profile lendingProfile;
  static Dataset<Row> diamonds;
  static Profile diamondsProfile;

  @BeforeAll
  static void profile() {
    lending = TestSpark.csv("lending_club.csv").cache();
    lendingProfile = new DataProfiler().setMode(ProfileMode.UNIVARIATE).profile(lending);
    diamonds = TestSpark.csv("diamonds.csv").cache();
    diamondsProfile = new DataProfiler().setMode(ProfileMode.UNIVARIATE).profile(diamonds);
  }

  @Test
  void numericStatisticsMatchSparkOnLendingClub() {
    assertEquals(lending.count(), lendingProfile.overview.rows);
    assertEquals(23, lendingProfile.overview.columns);
    int checked = 0;
    for (StructField f : lending.schema().fields()) {
      if (!(f.dataType() instanceof NumericType)) continue;
      String c = DataProfiler.quote(f.name());
      Row r = lending.agg(functions.count(c), functions.avg(c), functions.stddev(c), functions.min(c),
          functions.max(c), functions.sum(c), functions.skewness(c), functions.kurtosis(c),
          functions.countDistinct(c),
          functions.expr("percentile(" + c + ", array(0.05, 0.25, 0.5, 0.75, 0.95))"),
          functions.count(functions.when(functions.col(c).equalTo(0), 1)),
          functions.count(functions.when(functions.col(c).lt(0), 1))).first();
      VariableProfile v = lendingProfile.variable(f.name());
      String at = " for " + f.name();
      assertEquals(r.getLong(0), v.count, "count" + at);
      assertEquals(lending.count() - r.getLong(0), v.missing, "missing" + at);
      assertEquals(r.getDouble(1), v.mean, tol(r.getDouble(1)), "mean" + at);
      assertEquals(r.getDouble(2), v.std, tol(r.getDouble(2)), "std" + at);
      assertEquals(((Number) r.get(3)).doubleValue(), v.min, 0.0, "min" + at);
      assertEquals(((Number) r.get(4)).doubleValue(), v.max, 0.0, "max" + at);
      assertEquals(((Number) r.get(5)).doubleValue(), v.sum, tol(((Number) r.get(5)).doubleValue()), "sum" + at);
      if (!r.isNullAt(6) && !Double.isNaN(r.getDouble(6))) {
        assertEquals(r.getDouble(6), v.skewness, 1e-6 * Math.max(1, Math.abs(r.getDouble(6))), "skewness" + at);
        assertEquals(r.getDouble(7), v.kurtosis, 1e-6 * Math.max(1, Math.abs(r.getDouble(7))), "kurtosis" + at);
      }
      assertEquals(r.getLong(8), (long) v.distinct, "distinct" + at);
      assertTrue(v.distinctExact);
      List<Double> q = r.getList(9);
      assertEquals(q.get(0), v.p5, tol(q.get(0)), "p5" + at);
      assertEquals(q.get(1), v.p25, tol(q.get(1)), "p25" + at);
      assertEquals(q.get(2), v.p50, tol(q.get(2)), "p50" + at);
      assertEquals(q.get(3), v.p75, tol(q.get(3)), "p75" + at);
      assertEquals(q.get(4), v.p95, tol(q.get(4)), "p95" + at);
      assertEquals(q.get(3) - q.get(1), v.iqr, tol(q.get(3)), "iqr" + at);
      assertEquals(r.getLong(10), (long) v.zeros, "zeros" + at);
      assertEquals(r.getLong(11), (long) v.negatives, "negatives" + at);
      assertEquals(v.count - v.infinite, v.histogram.total(), "histogram total" + at);
      assertFalse(v.histogram.approximate);
      assertEquals(101, v.percentiles.length);
      checked++;
    }
    assertTrue(checked >= 15, "numeric columns checked: " + checked);
  }

  @Test
  void stringStatisticsMatchSparkOnLendingClub() {
    for (StructField f : lending.schema().fields()) {
      if (!(f.dataType() instanceof StringType)) continue;
      String c = DataProfiler.quote(f.name());
      VariableProfile v = lendingProfile.variable(f.name());
      Row r = lending.agg(functions.countDistinct(c), functions.min(functions.length(functions.col(c))),
          functions.max(functions.length(functions.col(c))), functions.avg(functions.length(functions.col(c)))).first();
      assertEquals(r.getLong(0), (long) v.distinct, f.name());
      assertEquals(r.getInt(1), (int) v.minLength, f.name());
      assertEquals(r.getInt(2), (int) v.maxLength, f.name());
      assertEquals(r.getDouble(3), v.meanLength, 1e-9, f.name());
      List<Row> top = lending.groupBy(c).count().orderBy(functions.desc("count"), functions.asc(c)).limit(3).collectAsList();
      for (int i = 0; i < top.size(); i++) {
        assertEquals(top.get(i).getString(0), v.topValues.get(i).value, f.name() + " top " + i);
        assertEquals(top.get(i).getLong(1), v.topValues.get(i).count, f.name() + " top " + i);
      }
    }
    assertEquals(VariableType.CAT, lendingProfile.variable("sub_grade").type);
    assertEquals(VariableType.CAT, lendingProfile.variable("addr_state").type);
  }

  @Test
  void sketchesStayWithinTheirErrorBoundsOnDiamonds() {
    // price has more distinct values than the exact limit: HLL, KLL and frequent items take over.
    VariableProfile price = diamondsProfile.variable("price");
    long exactDistinct = diamonds.select(functions.countDistinct("price")).first().getLong(0);
    assertTrue(exactDistinct > 10_000);
    assertFalse(price.distinctExact);
    assertEquals(exactDistinct, price.distinct, exactDistinct * 0.03);
    assertFalse(price.quantilesExact);
    double[] sorted = diamonds.select("price").collectAsList().stream()
        .mapToDouble(r -> ((Number) r.get(0)).doubleValue()).sorted().toArray();
    double[] fr = {0.05, 0.25, 0.5, 0.75, 0.95};
    Double[] got = {price.p5, price.p25, price.p50, price.p75, price.p95};
    for (int i = 0; i < fr.length; i++) {
      double rank = rankOf(sorted, got[i]);
      assertEquals(fr[i], rank, 0.02, "rank of estimated quantile " + fr[i]);
    }
    assertEquals(sorted.length, price.histogram.total());
    assertTrue(price.histogram.approximate);
    // moments stay exact with sketches
    Row r = diamonds.agg(functions.avg("price"), functions.stddev("price"), functions.max("price")).first();
    assertEquals(r.getDouble(0), price.mean, 1e-9 * r.getDouble(0));
    assertEquals(r.getDouble(1), price.std, 1e-9 * r.getDouble(1));
    assertEquals(((Number) r.get(2)).doubleValue(), price.max);
    // top values from the frequent-items sketch (map size 4096): counts within its a-priori error
    assertFalse(price.topValuesExact);
    double maxError = 3.5 / 4096 * sorted.length;
    Map<String, Long> truth = new HashMap<>();
    for (Row r2 : diamonds.groupBy("price").count().collectAsList()) truth.put(String.valueOf(r2.get(0)), r2.getLong(1));
    for (ValueCount vc : price.topValues) assertEquals(truth.get(vc.value), vc.count, maxError, "price " + vc.value);
    Row top = diamonds.groupBy("price").count().orderBy(functions.desc("count"), functions.asc("price")).first();
    assertTrue(price.topValues.subList(0, 3).stream().anyMatch(vc -> vc.value.equals(String.valueOf(top.get(0)))));

    // carat stays exact: exact quantiles against Spark's percentile
    VariableProfile carat = diamondsProfile.variable("carat");
    assertTrue(carat.quantilesExact);
    List<Double> q = diamonds.select(functions.expr("percentile(carat, array(0.05, 0.5, 0.95))")).first().getList(0);
    assertEquals(q.get(0), carat.p5, 1e-12);
    assertEquals(q.get(1), carat.p50, 1e-12);
    assertEquals(q.get(2), carat.p95, 1e-12);
  }

  @Test
  void categoricalTopValuesOnDiamonds() {
    for (String c : new String[] {"cut", "color", "clarity"}) {
      VariableProfile v = diamondsProfile.variable(c);
      assertEquals(VariableType.CAT, v.type, c);
      Map<String, Long> expected = new HashMap<>();
      for (Row r : diamonds.groupBy(c).count().collectAsList()) expected.put(r.getString(0), r.getLong(1));
      assertEquals(expected.size(), (long) v.distinct);
      for (ValueCount vc : v.topValues) assertEquals(expected.get(vc.value), vc.count, c + "=" + vc.value);
      long maxCount = expected.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      assertEquals(maxCount, v.topValues.get(0).count);
    }
  }

  @Test
  void histogramCountsMatchAnIndependentBinning() {
    VariableProfile v = diamondsProfile.variable("carat");
    double[] values = diamonds.select("carat").collectAsList().stream().mapToDouble(r -> r.getDouble(0)).toArray();
    int bins = v.histogram.counts.length;
    long[] mine = new long[bins];
    for (double x : values) {
      int b = (int) ((x - v.min) / (v.max - v.min) * bins);
      mine[Math.min(bins - 1, b)]++;
    }
    assertArrayEquals(mine, v.histogram.counts);
  }

  private static double rankOf(double[] sorted, double x) {
    int lo = 0, hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return (double) lo / sorted.length;
  }

  static double tol(double expected) {
    return 1e-9 * Math.max(1, Math.abs(expected));
  }
}
