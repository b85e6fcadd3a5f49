package io.omelet.assembly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cluster jar on a Spark standalone cluster of two workers (1 core, 2 GB each), separate JVMs
 * on loopback, submitted to in client mode as a user would, on mlc_churn with the registry in a
 * folder both executors see: the CLI's run (profile, tracked AutoML on H2O nodes inside the
 * executors, TreeSHAP), predict, sql with omelet_predict and explain with KernelSHAP, each with
 * tasks on both executors (Spark's event log says which executors ran tasks); then an executor
 * killed in the middle of training, and a registry search for the run that failed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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

  /** H2O inside the executors: one node per executor JVM, the driver a client of their cloud. */
  private static final List<String> INTERNAL_H2O = List.of("--conf", "spark.omelet.h2o.backend=internal",
      "--conf", "spark.omelet.h2o.nodes=2");

  private List<String> submitConf(boolean eventLog, List<String> more) {
    List<String> conf = new ArrayList<>(List.of("--deploy-mode", "client", "--executor-memory", "1g",
        "--total-executor-cores", "2"));
    if (eventLog) conf.addAll(List.of("--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.dir=" + events.toUri()));
    conf.addAll(more);
    return conf;
  }

  @Test
  @Order(1)
  void runOnInternalH2OThenPredictSqlAndKernelShapUseBothExecutors() throws Exception {
    // The time budget is generous on purpose: the models are capped by --max-models, not by the clock.
    String run = submit.run(cluster.masterUrl, submitConf(true, INTERNAL_H2O), "run", "-f", "churn.csv", "--target", "churn",
        "--max-models", "2", "--max-runtime-secs", "900", "--exclude-algos", "DeepLearning,StackedEnsemble,GLM,XGBoost",
        "--explain-rows", "100", "--registry", submit.registry, "-o", "report");
    assertTrue(run.contains("churn@champion"), run);
    assertTrue(run.contains("formed inside 2 executors"), "H2O ran inside both executors:\n" + run);
    assertTrue(run.contains("through the executors' nodes"), "rows went into H2O from the executors:\n" + run);
    List<String> conf = submitConf(true, List.of());
    submit.run(cluster.masterUrl, conf, "predict", "--model", "churn@champion", "-f", "churn.csv", "-o", "scored.parquet",
        "--registry", submit.registry);
    String sql = submit.run(cluster.masterUrl, conf, "sql", "SELECT count(*) AS n, sum(CASE WHEN omelet_predict("
        + "'churn@champion', *).prediction IN ('yes', 'no') THEN 1 ELSE 0 END) AS answered FROM parquet.`"
        + submit.work.resolve("scored.parquet") + "`", "--registry", submit.registry, "--format", "csv");
    assertTrue(sql.contains("1500,1500"), sql);
    String explain = submit.run(cluster.masterUrl, conf, "explain", "--model", "churn@champion", "-f", "churn.csv",
        "--method", "kernel", "--limit", "40", "-o", "shap_kernel.json", "--registry", submit.registry);
    assertTrue(explain.contains("per-row SHAP (40 rows)"), explain);
    List<String> rows = Files.readAllLines(submit.work.resolve("shap_kernel.json"));
    assertEquals(40, rows.size());
    assertTrue(rows.stream().allMatch(r -> r.contains("\"shap_fit_r2\"")), "KernelSHAP reports its fit per row");
    List<Path> apps = apps();
    assertEquals(4, apps.size(), "one event log per submit: " + apps);
    for (Path app : apps) {
      Set<String> executors = executorsWithTasks(app);
      assertEquals(2, executors.size(), app.getFileName() + ": tasks ran on executors " + executors);
    }
  }

  @Test
  @Order(2)
  void losingAnExecutorFailsTheRunAtOnceAndTheRegistryShowsItFailed() throws Exception {
    String registry = submit.work.resolve("registry-node-loss").toString();
    Submitter.Running r = submit.start(cluster.masterUrl, submitConf(false, INTERNAL_H2O), "run", "-f", "churn.csv",
        "--target", "churn", "--max-models", "12", "--max-runtime-secs", "900", "--explain-rows", "50",
        "--registry", registry, "-o", "report-node-loss");
    long end = System.currentTimeMillis() + 300_000;
    while (!r.output().contains("% training:")) {
      assertTrue(r.process().isAlive(), "the run ended before training:\n" + StandaloneCluster.tail(r.log(), 60));
      assertTrue(System.currentTimeMillis() < end, "no training after 5 minutes:\n" + StandaloneCluster.tail(r.log(), 60));
      Thread.sleep(500);
    }
    ProcessHandle executor = ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
        .findFirst().orElseThrow(() -> new AssertionError("no executor process to kill"));
    executor.destroyForcibly();
    boolean ended = r.process().waitFor(3, TimeUnit.MINUTES);
    if (!ended) r.process().destroyForcibly().waitFor();
    String out = r.output();
    assertTrue(ended, "the run hung after its executor was killed:\n" + StandaloneCluster.tail(r.log(), 60));
    assertNotEquals(0, r.process().exitValue(), out);
    assertTrue(out.contains("omelet: executor ") && out.contains("which ran H2O node") && out.contains("was lost"),
        "one clear line names the lost executor and its node:\n" + StandaloneCluster.tail(r.log(), 60));
    // The registry on the shared folder, searched on the cluster: the run is there, FAILED, not RUNNING.
    String failed = submit.run(cluster.masterUrl, submitConf(false, List.of()), "runs", "search", "--registry", registry,
        "--filter", "attributes.status = 'FAILED'", "--format", "csv");
    assertTrue(failed.contains("omelet-run-churn,FAILED"), failed);
  }

  private List<Path> apps() throws Exception {
    try (Stream<Path> s = Files.list(events)) {
      return s.filter(Files::isRegularFile).sorted().toList();
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
