package io.omelet.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import io.omelet.testing.SharedSpark;

/** RowSampler: uniform over rows whatever the partition sizes, reproducible by seed, one top-n pass. */
class RowSamplerTest {
  private static final int ROWS = 10_000;
  private static final int SMALL = 200;

  /** 10,000 ids: the first 200 in four small partitions, the other 9,800 in two large ones. */
  private static Dataset<Row> skewed() {
    SparkSession spark = SharedSpark.session();
    return spark.range(0, SMALL, 1, 4).union(spark.range(SMALL, ROWS, 1, 2)).toDF("id");
  }

  private static List<Long> ids(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(r -> r.getLong(0)).toList();
  }

  @Test
  void smallEarlyPartitionsAreNotFavouredAndEveryDecileIsDrawnAlike() {
    Dataset<Row> data = skewed();
    assertEquals(6, data.rdd().getNumPartitions());
    int draws = 20;
    int n = 1000;
    int fromSmall = 0;
    int[] deciles = new int[10];
    for (long seed = 0; seed < draws; seed++) {
      List<Long> ids = ids(RowSampler.sample(data, n, seed));
      assertEquals(n, ids.size());
      assertEquals(n, new HashSet<>(ids).size(), "rows drawn without replacement");
      for (long id : ids) {
        if (id < SMALL) fromSmall++;
        deciles[(int) (id * 10 / ROWS)]++;
      }
    }
    // 20,000 draws: 2% (400) from the small partitions, 2,000 per decile; the bounds are 4 standard deviations.
    assertTrue(fromSmall > 320 && fromSmall < 480, "rows from the small partitions: " + fromSmall);
    for (int d = 0; d < 10; d++) {
      assertTrue(Math.abs(deciles[d] - 2000) < 170, "decile " + d + ": " + deciles[d]);
    }
  }

  @Test
  void theSameSeedGivesTheSameRowsAndAnotherSeedOthers() {
    Dataset<Row> data = skewed();
    Set<Long> a = new HashSet<>(ids(RowSampler.sample(data, 50, 7)));
    Set<Long> b = new HashSet<>(ids(RowSampler.sample(data, 50, 7)));
    Set<Long> c = new HashSet<>(ids(RowSampler.sample(data, 50, 8)));
    assertEquals(50, a.size());
    assertEquals(a, b);
    assertNotEquals(a, c);
  }

  @Test
  void knowingTheRowCountThinsFirstAndDrawsTheSameRows() {
    Dataset<Row> data = skewed();
    long rows = data.count();
    for (int n : new int[] {1, 50, 400}) {
      List<Long> thinned = ids(RowSampler.sample(data, n, 11, rows));
      assertEquals(n, thinned.size());
      assertEquals(Set.copyOf(ids(RowSampler.sample(data, n, 11))), Set.copyOf(thinned));
    }
  }

  @Test
  void fewerRowsThanAskedGivesThemAll() {
    Dataset<Row> data = SharedSpark.session().range(0, 30, 1, 3).toDF("id");
    assertEquals(Set.copyOf(ids(data)), Set.copyOf(ids(RowSampler.sample(data, 100, 1))));
    assertEquals(0, RowSampler.sample(data, 0, 1).count());
  }

  @Test
  void planIsAPerPartitionTopNWithoutAGlobalSort() {
    String plan = RowSampler.sample(skewed(), 10, 3).queryExecution().executedPlan().toString();
    assertTrue(plan.contains("TakeOrderedAndProject"), plan);
    assertFalse(plan.contains("rangepartitioning"), "a full sort would shuffle by range: " + plan);
  }
}
