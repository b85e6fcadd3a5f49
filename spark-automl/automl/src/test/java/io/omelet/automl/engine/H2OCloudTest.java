package io.omelet.automl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.automl.AutoMLJob;
import io.omelet.automl.AutoMLResult;
import io.omelet.automl.OmeletAutoML;
import io.omelet.automl.ModelResult;
import io.omelet.automl.TestSupport;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import water.H2O;
import water.Key;
import water.fvec.Frame;
import water.fvec.Vec;

/**
 * An H2O cloud outside the driver: two server nodes, each in its own JVM started here with
 * {@link H2ONodeLauncher}, and this JVM joining as a client that moves data in and trains there.
 * Runs in its own surefire execution (its own JVM): a JVM that embedded a server node cannot
 * become a client, since H2O starts only once per JVM.
 */
class H2OCloudTest {
  static final List<Process> servers = new ArrayList<>();
  static EmbeddedH2OEngine engine;

  @BeforeAll
  static void startCloud() throws Exception {
    String name = "omelet-cloudtest-" + ProcessHandle.current().pid();
    // Ports of their own, away from the embedded nodes' default range (54500 and up).
    int p1 = H2ONodeArgs.findFreePortPair("127.0.0.1", 57400, 100);
    int p2 = H2ONodeArgs.findFreePortPair("127.0.0.1", p1 + 2, 100);
    Path dir = Files.createTempDirectory("omelet-h2o-cloud");
    Path flatfile = dir.resolve("flatfile.txt");
    Files.writeString(flatfile, "127.0.0.1:" + p1 + "\n127.0.0.1:" + p2 + "\n");
    CountDownLatch ready = new CountDownLatch(2);
    for (int port : new int[] {p1, p2}) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx1g");
      for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect")) cmd.add(a);
      }
      cmd.add("-cp");
      cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
      cmd.addAll(List.of(H2ONodeLauncher.class.getName(), "--name", name, "--flatfile",
          flatfile.toString(), "--ip", "127.0.0.1", "--port", Integer.toString(port),
          "--nthreads", "1", "--log-dir", dir.resolve("node-" + port).toString()));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      servers.add(p);
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            System.err.println("[h2o node " + port + "] " + line);
            if (line.startsWith(H2ONodeLauncher.READY)) ready.countDown();
          }
        } catch (Exception e) {
          // the node went away; the test fails on its own if that was too early
        }
      });
      reader.setDaemon(true);
      reader.start();
    }
    assertTrue(ready.await(180, TimeUnit.SECONDS), "H2O server nodes did not start");
    TestSupport.spark();
    engine = EmbeddedH2OEngine.get(
        H2OEngineConfig.joining(name, flatfile.toString(), "127.0.0.1", 57600));
    engine.awaitServers(2, 180_000);
  }

  @AfterAll
  static void stopCloud() throws Exception {
    for (Process p : servers) p.destroy();
    for (Process p : servers) {
      if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
    }
  }

  @Test
  void driverJoinsAsClientAndTrainsOnTheServers() {
    H2OEngine.EngineInfo info = engine.info();
    assertTrue(info.client(), info.toString());
    assertEquals(2, info.cloudSize(), "servers in the cloud: " + info);

    Dataset<Row> credit = TestSupport.csv("credit_data.csv");
    // the data lands on the servers, spread over both
    Frame fr = engine.toH2OFrame(credit, Key.make("cloud_test_frame"));
    try {
      assertEquals(credit.count(), fr.numRows());
      Vec v = fr.anyVec();
      Set<String> homes = new HashSet<>();
      for (int c = 0; c < v.nChunks(); c++) homes.add(v.chunkKey(c).home_node().getIpPortString());
      assertEquals(2, homes.size(), "chunk homes " + homes);
      assertTrue(!homes.contains(H2O.SELF.getIpPortString()), "a client holds no data");
    } finally {
      fr.delete();
    }

    OmeletAutoML s = new OmeletAutoML().setLabelCol("Status").setMaxModels(1).setNfolds(2).setSeed(42)
        .setIncludeAlgos("GBM");
    AutoMLResult r = new AutoMLJob(engine, s).run(credit);
    assertEquals(1, r.models().size());
    for (ModelResult m : r.models()) {
      assertNotNull(m.mojo(), m.modelId() + " " + m.error());
      assertNotNull(m.holdout(), m.modelId() + " " + m.error());
    }
    assertTrue(r.leader().holdout().get("auc") > 0.75, r.leader().holdout().values().toString());
  }
}
