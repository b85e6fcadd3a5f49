package io.omelet.assembly;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cluster jar as a user submits it, on a local master: anything the jar lacks (a class, a
 * service file, a resource) or brings twice shows up here, not in a user's cluster.
 */
class SparkSubmitTest {
  @Test
  void theCliRunsFromTheJarAndItsModelScoresInSql() throws Exception {
    Submitter submit = Submitter.fromSystemProperties("omelet-submit");
    String run = submit.run("local[2]", List.of(), "run", "-f", "churn.csv", "--target", "churn", "--max-models", "2",
        "--exclude-algos", "DeepLearning,StackedEnsemble,GLM,XGBoost", "--explain-rows", "100",
        "--registry", submit.registry, "-o", "report");
    assertTrue(run.contains("churn@champion"), run);
    assertTrue(Files.isRegularFile(submit.work.resolve("report/index.html")), "the report folder");
    // the cluster jar brings no logging of its own: Spark's Log4j 2 writes Spark's and H2O's lines
    // (to the driver's stderr or, once the CLI has its output folder, to omelet.log)
    String logs = run + Files.readString(submit.work.resolve("report/omelet.log"));
    assertTrue(logs.contains("INFO SparkContext: Running Spark version 3.5.7") && logs.contains("H2O started"), "the logs");
    assertFalse(logs.contains("SLF4J:"), "slf4j bound to Spark's Log4j 2 without a word");

    String predict = submit.run("local[2]", List.of(), "predict", "--model", "churn@champion", "-f", "churn.csv",
        "-o", "scored.parquet", "--registry", submit.registry);
    assertTrue(Files.exists(submit.work.resolve("scored.parquet")), predict);

    String sql = submit.run("local[2]", List.of(), "sql", "SELECT count(*) AS n, sum(CASE WHEN omelet_predict("
        + "'churn@champion', *).prediction IN ('yes', 'no') THEN 1 ELSE 0 END) AS answered FROM parquet.`"
        + submit.work.resolve("scored.parquet") + "`", "--registry", submit.registry, "--format", "csv");
    assertTrue(sql.contains("1500,1500"), sql);
  }
}
