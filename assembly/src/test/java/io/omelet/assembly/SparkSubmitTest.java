package io.omelet.assembly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The cluster jar as a user submits it: {@code org.apache.spark.deploy.SparkSubmit} from a
 * SPARK_HOME that holds Spark's own jars only, Delta's jars given with {@code --jars}, and
 * {@code omelet-spark_2.12-<version>.jar} as the application. Anything the jar lacks (a class,
 * a service file, a resource) or brings twice shows up here, not in a user's cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkSubmitTest {
  private Path jar;
  private Path sparkHome;
  private Path work;
  private String registry;

  @BeforeAll
  void layOut() throws IOException {
    jar = Path.of(System.getProperty("omelet.assembly.jar"));
    sparkHome = Path.of(System.getProperty("omelet.spark.home"));
    assertTrue(Files.isRegularFile(jar), "no assembly jar at " + jar);
    assertTrue(Files.isDirectory(sparkHome.resolve("jars")), "no SPARK_HOME at " + sparkHome);
    work = Files.createTempDirectory("omelet-submit");
    registry = work.resolve("registry").toString();
    // 1,500 rows of mlc_churn: enough for two small models
    List<String> lines = Files.readAllLines(dataDir().resolve("mlc_churn.csv"), StandardCharsets.UTF_8);
    Files.write(work.resolve("churn.csv"), lines.subList(0, 1501), StandardCharsets.UTF_8);
  }

  @Test
  void theCliRunsFromTheJarAndItsModelScoresInSql() throws Exception {
    String run = submit("local[2]", "run", "-f", "churn.csv", "--target", "churn", "--max-models", "2",
        "--exclude-algos", "DeepLearning,StackedEnsemble,GLM,XGBoost", "--explain-rows", "100",
        "--registry", registry, "-o", "report");
    assertTrue(run.contains("churn@champion"), run);
    assertTrue(Files.isRegularFile(work.resolve("report/index.html")), "the report folder");

    String predict = submit("local[2]", "predict", "--model", "churn@champion", "-f", "churn.csv",
        "-o", "scored.parquet", "--registry", registry);
    assertTrue(Files.exists(work.resolve("scored.parquet")), predict);

    String sql = submit("local[2]", "sql", "SELECT count(*) AS n, sum(CASE WHEN omelet_predict('churn@champion', *)"
        + ".prediction IN ('yes', 'no') THEN 1 ELSE 0 END) AS answered FROM parquet.`"
        + work.resolve("scored.parquet") + "`", "--registry", registry, "--format", "csv");
    assertTrue(sql.contains("1500,1500"), sql);
  }

  /** Runs the CLI through SparkSubmit; its output, or a failure that quotes the log's end. */
  private String submit(String master, String... cliArgs) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(System.getProperty("omelet.add.opens").trim().split("\\s+")));
    cmd.add("-Xmx2g");
    cmd.add("-cp");
    cmd.add(sparkHome.resolve("jars") + "/*");
    cmd.add("org.apache.spark.deploy.SparkSubmit");
    cmd.addAll(List.of("--master", master, "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sql.extensions=io.omelet.scoring.OmeletSparkExtensions",
        "--jars", deltaJars(), "--class", "io.omelet.cli.OmeletCli", jar.toString()));
    cmd.addAll(Arrays.asList(cliArgs));
    Path log = work.resolve("submit-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    boolean done = p.waitFor(10, TimeUnit.MINUTES);
    if (!done) p.destroyForcibly().waitFor();
    String out = Files.readString(log);
    String tail = out.lines().skip(Math.max(0, out.lines().count() - 60)).collect(Collectors.joining("\n"));
    assertTrue(done, "spark-submit " + cliArgs[0] + " did not finish in 10 minutes:\n" + tail);
    assertEquals(0, p.exitValue(), "spark-submit " + String.join(" ", cliArgs) + " failed:\n" + tail);
    return out;
  }

  private String deltaJars() throws IOException {
    try (Stream<Path> s = Files.list(sparkHome.resolve("delta"))) {
      return s.map(Path::toString).sorted().collect(Collectors.joining(","));
    }
  }

  private static Path dataDir() {
    String p = System.getProperty("omelet.data.dir");
    return Path.of(p != null ? p : "../data");
  }
}
