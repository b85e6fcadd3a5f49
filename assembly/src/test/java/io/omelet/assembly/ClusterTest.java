package io.omelet.assembly;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The cluster jar on a Spark standalone cluster of two workers (1 core, 2 GB each), separate JVMs
 * on loopback, submitted to in client mode as a user would: the CLI's run, predict and sql on
 * mlc_churn, with the registry in a folder both executors see. Spark's event log shows which
 * executors ran tasks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTest {
  private Submitter submit;
  private StandaloneCluster cluster;
  private Path events;

  @BeforeAll
  void startCluster() throws Exception {
    submit = Submitter.fromSystemProperties("omelet-cluster");
    cluster = StandaloneCluster.start(submit.sparkHome, Files.createDirectories(submit.work.resolve("cluster")), 2, 1, "2g");
    events = Files.createDirectories(submit.work.resolve("events"));
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) cluster.close();
  }

  @Test
  void runPredictAndSqlUseBothExecutors() throws Exception {
    List<String> conf = List.of("--deploy-mode", "client", "--executor-memory", "1g", "--total-executor-cores", "2",
        "--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.dir=" + events.toUri());
    String run = submit.run(cluster.masterUrl, conf, "run", "-f", "churn.csv", "--target", "churn", "--max-models", "2",
        "--exclude-algos", "DeepLearning,StackedEnsemble,GLM,XGBoost", "--explain-rows", "100",
        "--registry", submit.registry, "-o", "report");
    assertTrue(run.contains("churn@champion"), run);
    submit.run(cluster.masterUrl, conf, "predict", "--model", "churn@champion", "-f", "churn.csv", "-o", "scored.parquet",
        "--registry", submit.registry);
    String sql = submit.run(cluster.masterUrl, conf, "sql", "SELECT count(*) AS n, sum(CASE WHEN omelet_predict("
        + "'churn@champion', *).prediction IN ('yes', 'no') THEN 1 ELSE 0 END) AS answered FROM parquet.`"
        + submit.work.resolve("scored.parquet") + "`", "--registry", submit.registry, "--format", "csv");
    assertTrue(sql.contains("1500,1500"), sql);
    for (Path app : apps()) {
      Set<String> executors = executorsWithTasks(app);
      assertTrue(executors.size() == 2, app.getFileName() + ": tasks ran on executors " + executors);
    }
  }

  private List<Path> apps() throws Exception {
    try (Stream<Path> s = Files.list(events)) {
      List<Path> apps = s.filter(Files::isRegularFile).sorted().toList();
      assertTrue(apps.size() == 3, "one event log per submit: " + apps);
      return apps;
    }
  }

  private static final Pattern TASK_END = Pattern.compile(
      "\"Event\":\"SparkListenerTaskEnd\".*?\"Executor ID\":\"([^\"]+)\"");

  private static Set<String> executorsWithTasks(Path eventLog) throws Exception {
    Set<String> ids = new TreeSet<>();
    for (String line : Files.readAllLines(eventLog)) {
      Matcher m = TASK_END.matcher(line);
      if (m.find()) ids.add(m.group(1));
    }
    return ids;
  }
}
