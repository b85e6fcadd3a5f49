package io.omelet.profile;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.stat.Statistics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Correlations against Spark's own (Pearson, Spearman) and a plain contingency table (Cramér's V); drift. */
class CorrelationAndDriftTest {
  static Dataset<Row> lending;
  static Profile profile;

  @BeforeAll
  static void setUp() {
    lending = TestSpark.csv("lending_club.csv").cache();
    profile = new DataProfiler().profile(lending);
  }

  @Test
  void pearsonAndSpearmanMatchSpark() {
    Correlations c = profile.correlations;
    assertFalse(c.sampled, "9,857 rows fit the default sample of 20,000");
    assertEquals(lending.count(), c.sampleRows);
    String[][] pairs = {{"funded_amnt", "annual_inc"}, {"int_rate", "revol_util"}, {"open_il_12m", "open_il_24m"},
        {"num_il_tl", "total_il_high_credit_limit"}};
    for (String[] pair : pairs) {
      Dataset<Row> both = lending.select(pair[0], pair[1]).na().drop();
      double pearson = both.stat().corr(pair[0], pair[1]);
      assertEquals(pearson, c.pearson.get(pair[0], pair[1]), 1e-9, pair[0] + "/" + pair[1]);
      JavaRDD<Vector> vectors = both.toJavaRDD().map(r -> Vectors.dense(
          ((Number) r.get(0)).doubleValue(), ((Number) r.get(1)).doubleValue()));
      Matrix m = Statistics.corr(vectors.rdd(), "spearman");
      assertEquals(m.apply(0, 1), c.spearman.get(pair[0], pair[1]), 1e-9, "spearman " + pair[0] + "/" + pair[1]);
    }
    assertEquals(1.0, c.pearson.get("int_rate", "int_rate"));
  }

  @Test
  void cramersVMatchesAContingencyTable() {
    Correlations c = profile.correlations;
    for (String[] pair : new String[][] {{"term", "Class"}, {"sub_grade", "term"}, {"verification_status", "Class"}}) {
      List<Row> cells = lending.groupBy(pair[0], pair[1]).count().collectAsList();
      Map<String, Long> rows = new HashMap<>(), cols = new HashMap<>();
      long n = 0;
      for (Row r : cells) {
        rows.merge(r.getString(0), r.getLong(2), Long::sum);
        cols.merge(r.getString(1), r.getLong(2), Long::sum);
        n += r.getLong(2);
      }
      Map<String, Long> cell = new HashMap<>();
      for (Row r : cells) cell.put(r.getString(0) + "\u0000" + r.getString(1), r.getLong(2));
      double chi2 = 0;
      for (Map.Entry<String, Long> a : rows.entrySet()) {
        for (Map.Entry<String, Long> b : cols.entrySet()) {
          double e = (double) a.getValue() * b.getValue() / n;
          double o = cell.getOrDefault(a.getKey() + "\u0000" + b.getKey(), 0L);
          chi2 += (o - e) * (o - e) / e;
        }
      }
      double v = Math.sqrt(chi2 / (n * (Math.min(rows.size(), cols.size()) - 1.0)));
      assertEquals(v, c.cramersV.get(pair[0], pair[1]), 1e-9, pair[0] + "/" + pair[1]);
    }
    // a binned numeric against a categorical: int_rate is what sub_grade is made of
    Double v = c.cramersV.get("int_rate", "sub_grade");
    assertNotNull(v);
    assertTrue(v > 0.8, "int_rate vs sub_grade: " + v);
    assertFalse(c.topPairs.isEmpty());
    for (int i = 1; i < c.topPairs.size(); i++) {
      assertTrue(Math.abs(c.topPairs.get(i - 1).value) >= Math.abs(c.topPairs.get(i).value));
    }
  }

  @Test
  void sampledCorrelationsSaySo() {
    Profile p = new DataProfiler().setCorrelationSampleRows(2000).profile(lending);
    assertTrue(p.correlations.sampled);
    assertEquals(2000, p.correlations.sampleRows);
    double full = profile.correlations.pearson.get("open_il_12m", "open_il_24m");
    assertEquals(full, p.correlations.pearson.get("open_il_12m", "open_il_24m"), 0.1);
  }

  @Test
  void identicalDataDoesNotDriftAShiftedCopyDoes() {
    Dataset<Row> diamonds = TestSpark.csv("diamonds.csv").cache();
    Dataset<Row>[] halves = diamonds.randomSplit(new double[] {0.5, 0.5}, 7L);
    DataProfiler profiler = new DataProfiler().setMode(ProfileMode.UNIVARIATE);
    Profile baseline = profiler.profile(halves[0]);

    DriftReport same = new ProfileDrift().compare(baseline, profiler.profile(halves[0]));
    assertFalse(same.anyDrift(), same.alerts.toString());
    assertEquals(0.0, same.column("price").psi, 1e-12);
    assertEquals(0.0, same.column("price").statistic, 1e-12);

    // another random half of the same table: no drift either
    DriftReport other = new ProfileDrift().compare(baseline, halves[1]);
    assertFalse(other.anyDrift(), other.alerts.toString());
    assertTrue(other.column("carat").statistic < 0.05, "KS distance " + other.column("carat").statistic);
    assertTrue(other.column("cut").effect < 0.05);

    Dataset<Row> shifted = halves[1]
        .withColumn("price", functions.col("price").multiply(1.5))
        .withColumn("cut", functions.when(functions.col("cut").equalTo("Ideal"), "Fair").otherwise(functions.col("cut")));
    DriftReport drift = new ProfileDrift().compare(baseline, shifted);
    assertTrue(drift.anyDrift());
    ColumnDrift price = drift.column("price");
    assertTrue(price.drifted);
    assertEquals("ks", price.test);
    assertTrue(price.pValue < 1e-6);
    assertTrue(price.psi > 0.2);
    ColumnDrift cut = drift.column("cut");
    assertTrue(cut.drifted);
    assertEquals("chi_square", cut.test);
    assertTrue(cut.pValue < 1e-6);
    assertFalse(drift.column("carat").drifted);
    assertFalse(drift.column("color").drifted);
    DriftReport back = DriftReport.fromJson(drift.toJson());
    assertEquals(drift.alerts, back.alerts);

    List<String> names = new ArrayList<>();
    for (ColumnDrift d : drift.columns) names.add(d.column);
    assertTrue(names.containsAll(List.of("carat", "cut", "color", "clarity", "price")));
    DriftReport dropped = new ProfileDrift().compare(baseline, shifted.drop("depth"));
    assertTrue(dropped.alerts.stream().anyMatch(a -> a.contains("'depth' is missing")));
  }
}
