package io.omelet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.registry.search.FilterSyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ten imported runs r0..r9 (algo GBM x4, DRF x3, XGBoost x2, GLM; auc 0.50 + 0.05 i, r5 has no
 * auc; team risk on even runs, growth on odd; r9 FAILED) and one run logged through the API
 * ("api": auc 0.2 then 0.97 at a later step, GBM, its team tag deleted, one dataset input).
 */
class SearchRunsTest {
  static OmeletRegistry registry;
  static String exp;
  static String apiRun;

  @BeforeAll
  static void fill() {
    SparkSession spark = TestSpark.get();
    registry = TestSpark.freshRegistry();
    exp = registry.createExperiment("search");
    String[] algos = {"GBM", "GBM", "GBM", "GBM", "DRF", "DRF", "DRF", "XGBoost", "XGBoost", "GLM"};
    long t0 = 1_700_000_000_000L;
    List<Row> runs = new ArrayList<>();
    List<Row> metrics = new ArrayList<>();
    List<Row> params = new ArrayList<>();
    List<Row> tags = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String id = String.format("%032d", i);
      runs.add(RowFactory.create(id, exp, "r" + i, "tester", "test", i == 9 ? "FAILED" : "FINISHED",
          t0 + i * 1000L, t0 + i * 1000L + 500, null, "active", registry.root() + "/artifacts/" + id));
      if (i != 5) metrics.add(RowFactory.create(id, "auc", 0.5 + 0.05 * i, t0, 0L));
      metrics.add(RowFactory.create(id, "logloss", 1.0 - 0.05 * i, t0, 0L));
      params.add(RowFactory.create(id, "algo", algos[i], 1L));
      params.add(RowFactory.create(id, "max_depth", String.valueOf(3 + i % 3), 1L));
      tags.add(RowFactory.create(id, "team", i % 2 == 0 ? "risk" : "growth", false, 1L));
    }
    registry.importRuns(
        spark.createDataFrame(runs, RegistryTables.RUNS_SCHEMA),
        spark.createDataFrame(metrics, RegistryTables.METRICS_SCHEMA),
        spark.createDataFrame(params, RegistryTables.PARAMS_SCHEMA),
        spark.createDataFrame(tags, RegistryTables.TAGS_SCHEMA));

    apiRun = registry.createRun(exp, "api").runId();
    registry.logBatch(apiRun, List.of(new Metric("auc", 0.2, t0, 0), new Metric("auc", 0.97, t0, 1)),
        Map.of("algo", "GBM"), Map.of("team", "risk"));
    registry.deleteTag(apiRun, "team");
    registry.logInput(apiRun, DatasetRef.delta("customers", "/data/customers", 7, "training"));
    registry.setTerminated(apiRun, RunStatus.FINISHED);
  }

  static List<String> names(String filter, String... orderBy) {
    return registry.searchRuns(SearchRunsRequest.in(exp).filter(filter).orderBy(orderBy)).runs().stream()
        .map(r -> r.info().runName()).toList();
  }

  static Set<String> set(String filter) {
    return new HashSet<>(names(filter));
  }

  @Test
  void comparisonsOnMetricsUseTheLatestValue() {
    assertEquals(Set.of("r9", "api"), set("metrics.auc > 0.9"));
    assertEquals(Set.of("r8", "r9", "api"), set("metrics.auc >= 0.9"));
    assertEquals(Set.of("r0", "r1"), set("metrics.auc < 0.6"));
    assertEquals(Set.of("r0", "r1", "r2"), set("metrics.auc <= 0.6"));
    assertEquals(Set.of("r2"), set("metrics.auc = 0.6"));
    assertEquals(9, set("metrics.auc != 0.6").size()); // r5 has no auc: it matches nothing
    assertEquals(Set.of("r5"), set("metrics.auc IS NULL"));
    assertEquals(10, set("metrics.auc IS NOT NULL").size());
  }

  @Test
  void stringOperatorsOnParamsTagsAndAttributes() {
    assertEquals(Set.of("r0", "r1", "r2", "r3", "api"), set("params.algo = 'GBM'"));
    assertEquals(Set.of("r4", "r5", "r6", "r7", "r8", "r9"), set("params.algo != 'GBM'"));
    assertEquals(Set.of("r0", "r1", "r2", "r3", "api"), set("params.algo LIKE 'GB%'"));
    assertEquals(Set.of(), set("params.algo LIKE 'gb%'"));
    assertEquals(Set.of("r7", "r8"), set("params.algo ILIKE 'xg%'"));
    assertEquals(Set.of("r4", "r5", "r6", "r9"), set("params.algo IN ('DRF', 'GLM')"));
    assertEquals(Set.of("r0", "r1", "r2", "r3", "r7", "r8", "api"), set("params.algo NOT IN ('DRF', 'GLM')"));
    assertEquals(Set.of("r4", "r5", "r6"), set("params.algo NOT LIKE 'G_M' and params.algo not ilike 'xgb%'"));
    assertEquals(Set.of("r0", "r2", "r4", "r6", "r8"), set("tags.team = 'risk'")); // api's tag was deleted
    assertEquals(Set.of("api"), set("tags.team IS NULL"));
    assertEquals(Set.of("r9"), set("attributes.status = 'FAILED'"));
    assertEquals(Set.of("r3"), set("attributes.run_name = 'r3'"));
    assertEquals(Set.of("r8", "r9"), set("attributes.start_time >= 1700000008000 and attributes.start_time < 1700000010000"));
    assertEquals(Set.of("api"), set("datasets.path = '/data/customers' and datasets.version >= 7"));
    assertEquals(Set.of(), set("datasets.version > 7"));
  }

  @Test
  void orNotAndParentheses() {
    assertEquals(Set.of("r9", "r2", "r3", "api"),
        set("params.algo = 'GLM' OR (params.algo = 'GBM' AND metrics.auc >= 0.6)"));
    assertEquals(Set.of("r9", "r2", "r3"),
        set("(params.algo = 'GLM' OR params.algo = 'GBM') AND metrics.auc >= 0.6 AND metrics.auc < 0.96"));
    assertEquals(Set.of("r1", "r3", "r5", "r7", "r9", "api"), set("NOT tags.team = 'risk' OR tags.team IS NULL"));
    assertEquals(Set.of("r0", "r1", "r2", "r3"),
        set("params.algo = 'GBM' and not (attributes.run_name = 'api')"));
  }

  @Test
  void orderByOneAndSeveralKeys() {
    assertEquals(List.of("api", "r9", "r8", "r7", "r6", "r4", "r3", "r2", "r1", "r0", "r5"),
        names("", "metrics.auc DESC"));
    assertEquals(List.of("r6", "r4", "r5", "api", "r3", "r2", "r1", "r0", "r9", "r8", "r7"),
        names("", "params.algo", "metrics.auc DESC"));
    assertEquals(List.of("r0", "r1", "r2"), names("metrics.auc < 0.65", "attributes.start_time ASC"));
    // Default order: newest first.
    assertEquals("api", names("").get(0));
  }

  @Test
  void pagingCoversEveryRunOnceAndMaxResultsLimits() {
    SearchRunsRequest req = SearchRunsRequest.in(exp).orderBy("metrics.logloss ASC").maxResults(4);
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      RunPage page = registry.searchRuns(req.pageToken(token));
      assertTrue(page.runs().size() <= 4);
      page.runs().forEach(r -> seen.add(r.info().runName()));
      token = page.nextPageToken();
      pages++;
    } while (token != null);
    assertEquals(3, pages);
    assertEquals(11, seen.size());
    assertEquals(11, new HashSet<>(seen).size());
    assertEquals(List.of("r9", "r8", "r7", "r6"), seen.subList(0, 4));

    RunPage first = registry.searchRuns(SearchRunsRequest.in(exp).maxResults(2));
    assertNotNull(first.nextPageToken());
    RegistryException other = assertThrows(RegistryException.class, () -> registry.searchRuns(
        SearchRunsRequest.in(exp).filter("metrics.auc > 0").maxResults(2).pageToken(first.nextPageToken())));
    assertTrue(other.getMessage().contains("different search"), other.getMessage());
    assertThrows(RegistryException.class, () -> registry.searchRuns(SearchRunsRequest.in(exp).pageToken("%%%")));
    assertNull(registry.searchRuns(SearchRunsRequest.in(exp).maxResults(50)).nextPageToken());
    assertThrows(RegistryException.class, () -> SearchRunsRequest.in(exp).maxResults(0));
    assertEquals(11, registry.searchAllRuns(SearchRunsRequest.in(exp).maxResults(3), 100).size());
  }

  @Test
  void resultsCarryTheirDataAndDeletedRunsAreHidden() {
    Run r = registry.searchRuns(SearchRunsRequest.in(exp).filter("attributes.run_name = 'r4'")).runs().get(0);
    assertEquals(Map.of("algo", "DRF", "max_depth", "4"), r.data().params());
    assertEquals(0.7, r.data().metric("auc"), 1e-12);
    assertEquals("risk", r.data().tags().get("team"));
    assertEquals(RunStatus.FINISHED, r.info().status());

    String extra = registry.createRun(exp, "to-delete").runId();
    registry.deleteRun(extra);
    assertTrue(names("").stream().noneMatch("to-delete"::equals));
    assertEquals(List.of("to-delete"), registry.searchRuns(SearchRunsRequest.in(exp).viewType(ViewType.DELETED_ONLY))
        .runs().stream().map(x -> x.info().runName()).toList());
  }

  @Test
  void searchAsDataFrameHasMlflowColumns() {
    Dataset<Row> df = registry.searchRunsAsDataFrame(
        SearchRunsRequest.in(exp).filter("params.algo IN ('DRF', 'XGBoost')").orderBy("metrics.auc DESC"));
    List<String> cols = List.of(df.columns());
    assertTrue(cols.containsAll(List.of("run_id", "status", "metrics.auc", "metrics.logloss", "params.algo",
        "params.max_depth", "tags.team")), cols.toString());
    List<Row> rows = df.collectAsList();
    assertEquals(List.of("r8", "r7", "r6", "r4", "r5"), rows.stream().map(x -> x.<String>getAs("run_name")).toList());
    assertEquals(0.9, rows.get(0).<Double>getAs("metrics.auc"), 1e-12);
    assertNull(rows.get(4).getAs("metrics.auc"));
  }

  @Test
  void indexFollowsWritesMadeAfterItWasBuilt() {
    String other = registry.createExperiment("index-follows");
    List<String> none = registry.searchRuns(SearchRunsRequest.in(other).filter("metrics.f1 > 0.5")).runs()
        .stream().map(Run::runId).toList();
    assertEquals(List.of(), none);
    String a = registry.createRun(other, "a").runId();
    registry.logMetric(a, "f1", 0.4, 1L, 0);
    assertEquals(0, registry.searchRuns(SearchRunsRequest.in(other).filter("metrics.f1 > 0.5")).runs().size());
    registry.logMetric(a, "f1", 0.8, 2L, 1); // a later step: the new latest value
    registry.setTag(a, "owner", "ana");
    List<Run> found = registry.searchRuns(SearchRunsRequest.in(other).filter("metrics.f1 > 0.5")).runs();
    assertEquals(1, found.size());
    assertEquals(0.8, found.get(0).data().metric("f1"));
    assertEquals("ana", registry.getRun(a).data().tags().get("owner"));
    registry.deleteTag(a, "owner");
    registry.setTerminated(a, RunStatus.KILLED);
    assertEquals(0, registry.searchRuns(SearchRunsRequest.in(other).filter("tags.owner = 'ana'")).runs().size());
    Run killed = registry.searchRuns(SearchRunsRequest.in(other).filter("attributes.status = 'KILLED'")).runs().get(0);
    assertEquals(a, killed.runId());
    assertEquals(Map.of(), registry.getRun(a).data().tags());
  }

  @Test
  void badFilterFailsBeforeAnyJob() {
    FilterSyntaxException[] e = new FilterSyntaxException[1];
    int jobs = io.omelet.testing.SharedSpark.jobsDuring(() -> {
      e[0] = assertThrows(FilterSyntaxException.class,
          () -> registry.searchRuns(SearchRunsRequest.in(exp).filter("metrics.auc > 0.9 and params.algo = GBM")));
      assertThrows(FilterSyntaxException.class,
          () -> registry.searchRuns(SearchRunsRequest.in(exp).orderBy("metrics.auc sideways")));
    });
    assertEquals(36, e[0].position());
    assertEquals(0, jobs, "a bad filter or order is refused before any Spark job");
  }
}
