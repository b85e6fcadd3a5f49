package io.omelet.examples.bench;

import io.omelet.assembly.StandaloneCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code bin/bench cluster}: the cluster jar on a Spark standalone cluster of two workers (1 core,
 * 2 GB each; separate JVMs on loopback, started here), driven by two applications in turn:
 * <ol>
 *   <li>H2O inside the executors ({@code spark.omelet.h2o.backend=internal}): rows moved into the
 *       executors' H2O cloud ({@code cluster_convert_rows_per_s}), AutoML on lending_club
 *       ({@code cluster_automl_s}, {@code cluster_auc}), and {@code omelet_predict} in SQL over
 *       the registered model ({@code cluster_sql_rows_per_s});</li>
 *   <li>the anchor: the same AutoML, data and budget with H2O embedded in the driver
 *       ({@code local_automl_s}, {@code local_auc}; {@code local_convert_rows_per_s} too).</li>
 * </ol>
 * Each application is its own driver JVM ({@link ClusterBenchApp}): H2O starts once per JVM. This
 * machine's 2 cores serve both workers and the driver, so the figures show what the path costs,
 * not a speed-up.
 */
public final class ClusterBench implements Benchmark {
  @Override
  public String name() {
    return "cluster";
  }

  @Override
  public String description() {
    return "H2O inside the executors of a 2-worker standalone cluster against H2O in the driver";
  }

  @Override
  public void run(String[] args) throws Exception {
    Path root = Path.of(System.getProperty("omelet.data.dir", "data")).toAbsolutePath().getParent();
    Path target = root.resolve("assembly/target");
    Path jar;
    try (Stream<Path> s = Files.list(target)) {
      jar = s.filter(p -> p.getFileName().toString().matches("omelet-spark_2\\.12-.*\\.jar")
          && !p.getFileName().toString().contains("tests")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no cluster jar in " + target + ": build with mvn install first"));
    }
    Path sparkHome = target.resolve("spark-home");
    if (!Files.isDirectory(sparkHome.resolve("jars"))) {
      throw new IllegalStateException("no SPARK_HOME at " + sparkHome + ": build with mvn install first");
    }
    String deltaJars;
    try (Stream<Path> s = Files.list(sparkHome.resolve("delta"))) {
      deltaJars = s.map(Path::toString).sorted().collect(Collectors.joining(","));
    }
    Path work = Files.createTempDirectory("omelet-bench-cluster");
    Map<String, String> figures = new LinkedHashMap<>();
    try (StandaloneCluster cluster = StandaloneCluster.start(sparkHome, Files.createDirectories(work.resolve("cluster")),
        2, 1, "2g")) {
      String sparkJars = jar + "," + deltaJars;
      figures.putAll(app(work, "cluster", cluster.masterUrl, "internal", sparkJars, args));
      figures.putAll(app(work, "local", cluster.masterUrl, "embedded", sparkJars, args));
    }
    double clusterS = Double.parseDouble(figures.get("cluster_automl_s"));
    double localS = Double.parseDouble(figures.get("local_automl_s"));
    Figures.print("cluster_over_local_automl_time", clusterS / localS);
    Figures.print("cluster_minus_local_auc",
        Double.parseDouble(figures.get("cluster_auc")) - Double.parseDouble(figures.get("local_auc")));
  }

  /** Runs one application as its own driver JVM; passes its figures through and returns them. */
  private static Map<String, String> app(Path work, String prefix, String master, String backend, String sparkJars,
                                         String[] args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx4g");
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dlog4j2")
          || a.startsWith("-Domelet.")) {
        cmd.add(a);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ClusterBenchApp.class.getName());
    cmd.addAll(List.of(prefix, master, backend, sparkJars, work.resolve(prefix).toString()));
    cmd.addAll(List.of(args));
    Path log = work.resolve(prefix + "-driver.log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    Map<String, String> figures = new LinkedHashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        System.out.println(line);
        int eq = line.indexOf(" = ");
        if (eq > 0) figures.put(line.substring(0, eq).trim(), line.substring(eq + 3).trim());
      }
    }
    int code = p.waitFor();
    if (code != 0) {
      throw new IllegalStateException("the " + prefix + " application failed (exit " + code + "); its log ends:\n"
          + StandaloneCluster.tail(log, 40));
    }
    return figures;
  }

}
