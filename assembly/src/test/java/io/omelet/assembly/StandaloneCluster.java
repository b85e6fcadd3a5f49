package io.omelet.assembly;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster on loopback for the tests and {@code bin/bench cluster} (which reads
 * it from this module's test jar): one master and {@code workers} workers,
 * each its own JVM started from a SPARK_HOME whose jars/ holds Spark's jars (the workers launch
 * their executors from it, as on a real cluster). Logs go to files under {@code dir}; a start
 * that fails quotes them. Closing stops every JVM it started.
 */
public final class StandaloneCluster implements AutoCloseable {
  private final Path sparkHome;
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  public final String masterUrl;

  private StandaloneCluster(Path sparkHome, Path dir, int port) {
    this.sparkHome = sparkHome;
    this.dir = dir;
    this.masterUrl = "spark://127.0.0.1:" + port;
  }

  /** Starts the master and the workers (each {@code cores} cores, {@code memory} like "2g") and waits for them. */
  public static StandaloneCluster start(Path sparkHome, Path dir, int workers, int cores, String memory) throws Exception {
    StandaloneCluster c = new StandaloneCluster(sparkHome, dir, freePort());
    try {
      Path master = c.launch("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
          "--port", c.masterUrl.substring(c.masterUrl.lastIndexOf(':') + 1), "--webui-port", Integer.toString(freePort()));
      c.await(master, "I have been elected leader", 120);
      for (int w = 0; w < workers; w++) {
        Path work = Files.createDirectories(dir.resolve("worker-" + w));
        Path log = c.launch("worker-" + w, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
            "--cores", Integer.toString(cores), "--memory", memory, "--webui-port", Integer.toString(freePort()),
            "--work-dir", work.toString(), c.masterUrl);
        c.await(log, "Successfully registered with master", 120);
      }
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  private Path launch(String name, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("-cp");
    cmd.add(sparkHome.resolve("jars") + "/*");
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    // Spark's scripts (load-spark-env.sh) set it; the worker's executor launcher needs it.
    env.put("SPARK_SCALA_VERSION", "2.12");
    processes.add(pb.start());
    logs.add(log);
    return log;
  }

  private void await(Path log, String line, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Process p = processes.get(processes.size() - 1);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(line)) return;
      if (!p.isAlive()) break;
      Thread.sleep(200);
    }
    throw new IllegalStateException(log.getFileName() + " did not say '" + line + "' within " + seconds + " s:\n"
        + tail(log, 40));
  }

  public static String tail(Path log, int lines) throws IOException {
    if (!Files.exists(log)) return "(no log)";
    List<String> all = Files.readAllLines(log);
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (Process p : processes) p.destroy();
    for (Process p : processes) {
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
