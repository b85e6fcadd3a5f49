package io.omelet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * A refresh of the search index never frees the snapshot a reader still holds: the reader's job
 * runs to the end ("block not found" before), and the snapshot is freed once the last lease closes.
 */
class RunIndexLeaseTest {
  @Test
  void aRefreshKeepsALeasedSnapshotUntilItsLastReaderIsDone() {
    OmeletRegistry registry = TestSpark.freshRegistry();
    String exp = registry.createExperiment("leases");
    registry.createRun(exp, "a");
    assertEquals(1, registry.searchRuns(SearchRunsRequest.in(exp)).runs().size());

    RunIndex.Lease lease = registry.index().lease();
    Dataset<Row> held = lease.frame();
    registry.createRun(exp, "b");
    // this search refreshes the index: the snapshot the lease holds is retired, not freed
    assertEquals(2, registry.searchRuns(SearchRunsRequest.in(exp)).runs().size());
    assertEquals(1, held.count());
    lease.close();
    lease.close(); // twice is harmless
    // the last reader is gone: the retired snapshot's blocks are freed (reading it now fails)
    org.apache.spark.SparkException freed = assertThrows(org.apache.spark.SparkException.class, held::count);
    assertTrue(String.valueOf(freed.getMessage()).contains("Checkpoint block") && freed.getMessage().contains("not found"),
        "the snapshot's checkpoint blocks are gone: " + freed.getMessage());

    // A frame handed out lazily is never freed under its user (Spark's cleaner frees it once it is gone).
    Dataset<Row> lazy = registry.searchRunsAsDataFrame(SearchRunsRequest.in(exp));
    registry.createRun(exp, "c");
    assertEquals(3, registry.searchRuns(SearchRunsRequest.in(exp)).runs().size());
    assertEquals(2, lazy.count(), "a lazy search frame reads the snapshot it was planned on");
  }
}
