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

/**
 * Submits Omelet's CLI from the cluster jar through {@code org.apache.spark.deploy.SparkSubmit}, as
 * a user would: a SPARK_HOME holding Spark's own jars only, Delta's jars with {@code --jars}, the
 * cluster jar as the application, in a working folder holding 1,500 rows of mlc_churn.
 */
final class Submitter {
  final Path jar;
  final Path sparkHome;
  final Path work;
  final String registry;

  private Submitter(Path jar, Path sparkHome, Path work) {
    this.jar = jar;
    this.sparkHome = sparkHome;
    this.work = work;
    this.registry = work.resolve("registry").toString();
  }

  /** From the build's system properties (see the module's POM), in a new working folder. */
  static Submitter fromSystemProperties(String prefix) throws IOException {
    Path jar = Path.of(System.getProperty("omelet.assembly.jar"));
    Path sparkHome = Path.of(System.getProperty("omelet.spark.home"));
    assertTrue(Files.isRegularFile(jar), "no assembly jar at " + jar);
    assertTrue(Files.isDirectory(sparkHome.resolve("jars")), "no SPARK_HOME at " + sparkHome);
    Path work = Files.createTempDirectory(prefix);
    // 1,500 rows of mlc_churn: enough for two small models
    String data = System.getProperty("omelet.data.dir");
    List<String> lines = Files.readAllLines(Path.of(data != null ? data : "../data").resolve("mlc_churn.csv"),
        StandardCharsets.UTF_8);
    Files.write(work.resolve("churn.csv"), lines.subList(0, 1501), StandardCharsets.UTF_8);
    return new Submitter(jar, sparkHome, work);
  }

  /** Runs one CLI command; its output, or a failure that quotes the end of the driver's log. */
  String run(String master, List<String> submitOptions, String... cliArgs) throws Exception {
    Running r = start(master, submitOptions, cliArgs);
    boolean done = r.process.waitFor(10, TimeUnit.MINUTES);
    if (!done) r.process.destroyForcibly().waitFor();
    String out = Files.readString(r.log);
    String tail = StandaloneCluster.tail(r.log, 60);
    assertTrue(done, "spark-submit " + cliArgs[0] + " did not finish in 10 minutes:\n" + tail);
    assertEquals(0, r.process.exitValue(), "spark-submit " + String.join(" ", cliArgs) + " failed:\n" + tail);
    return out;
  }

  /** A submitted application still running: its driver process and the log it writes. */
  record Running(Process process, Path log) {
    String output() throws IOException {
      return Files.readString(log);
    }
  }

  /** Submits one CLI command and returns at once. */
  Running start(String master, List<String> submitOptions, String... cliArgs) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(System.getProperty("omelet.add.opens").trim().split("\\s+")));
    cmd.add("-Xmx2g");
    cmd.add("-cp");
    cmd.add(sparkHome.resolve("jars") + "/*");
    cmd.add("org.apache.spark.deploy.SparkSubmit");
    cmd.addAll(List.of("--master", master, "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sql.extensions=io.omelet.scoring.OmeletSparkExtensions", "--jars", deltaJars()));
    cmd.addAll(submitOptions);
    cmd.addAll(List.of("--class", "io.omelet.cli.OmeletCli", jar.toString()));
    cmd.addAll(Arrays.asList(cliArgs));
    Path log = work.resolve("submit-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    // the driver on loopback too, whatever this machine's host name resolves to
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return new Running(pb.start(), log);
  }

  private String deltaJars() throws IOException {
    try (Stream<Path> s = Files.list(sparkHome.resolve("delta"))) {
      return s.map(Path::toString).sorted().collect(Collectors.joining(","));
    }
  }
}
