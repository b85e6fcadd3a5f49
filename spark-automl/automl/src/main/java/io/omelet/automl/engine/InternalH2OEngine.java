package io.omelet.automl.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import water.H2O;
import water.H2ONode;
import water.Key;
import water.fvec.Frame;

/**
 * H2O inside the Spark executors, as Sparkling Water's internal backend: one H2O server node in each
 * executor JVM, all forming one cloud, which the driver joins as a client. Rows move into H2O from the
 * executors that hold them ({@link ExecutorFrameWriter}); AutoML trains on every executor's cores.
 * Chosen with {@code spark.omelet.h2o.backend=internal}.
 *
 * <p>The cloud is fixed when it forms: H2O cannot add or replace a node later. So the application
 * needs a fixed set of executors (no dynamic allocation), and the loss of an executor is fatal to
 * the cloud: the engine notices it (from Spark's executor-removed event, or a node H2O has not heard
 * from for {@code spark.omelet.h2o.lossTimeoutSecs}), cancels the Spark jobs writing into H2O, and
 * every later use fails with {@link H2OCloudLostException} instead of waiting on a node that is gone.
 *
 * <p>Settings ({@code spark.omelet.h2o.*}): {@code nodes} (how many executors to wait for; default
 * {@code spark.executor.instances}, else {@code spark.cores.max / spark.executor.cores}, else the
 * executors registered once their number settles), {@code executorWaitSecs} (120), {@code port}
 * (first port tried on each executor, 54321), {@code nthreads} (per node; default the executor's
 * cores), {@code log_level}, {@code lossTimeoutSecs} (30).
 */
public final class InternalH2OEngine implements H2OEngine {
  private static final Logger LOG = LoggerFactory.getLogger(InternalH2OEngine.class);
  private static InternalH2OEngine instance;

  private final SparkContext sc;
  private final String cloudName;
  private final Settings settings;
  private final Set<String> writingJobGroups = ConcurrentHashMap.newKeySet();
  private volatile Map<String, ExecutorH2ONode.Slot> nodes = Map.of();
  private volatile String lost;
  private volatile boolean started;
  private EmbeddedH2OEngine client;

  /** The settings read from the Spark configuration. */
  record Settings(int nodes, long executorWaitMs, int basePort, int portRange, int nthreads, String logLevel,
                  long lossTimeoutMs) {
    static Settings of(SparkConf conf) {
      String p = "spark." + H2OEngineConfig.PREFIX;
      int executorCores = conf.getInt("spark.executor.cores", 0);
      int nodes = conf.getInt(p + "nodes", 0);
      if (nodes <= 0) nodes = conf.getInt("spark.executor.instances", 0);
      if (nodes <= 0 && executorCores > 0 && conf.contains("spark.cores.max")) {
        nodes = Math.max(1, conf.getInt("spark.cores.max", 0) / executorCores);
      }
      return new Settings(nodes,
          (long) (conf.getDouble(p + "executorWaitSecs", 120) * 1000),
          conf.getInt(p + "port", 54321), 100,
          conf.getInt(p + "nthreads", executorCores),
          conf.get(p + "log_level", "WARN"),
          (long) (conf.getDouble(p + "lossTimeoutSecs", 30) * 1000));
    }
  }

  private InternalH2OEngine(SparkContext sc) {
    this.sc = sc;
    this.settings = Settings.of(sc.getConf());
    this.cloudName = ("omelet-" + sc.applicationId()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
  }

  /** The application's engine (one per driver JVM: H2O starts once per JVM). */
  public static synchronized InternalH2OEngine get(SparkSession spark) {
    SparkContext sc = spark.sparkContext();
    if (sc.isLocal()) {
      throw new IllegalArgumentException("the internal H2O backend runs H2O inside executors, and master "
          + sc.master() + " has none: use the embedded backend (the default) in local mode");
    }
    if (instance == null || instance.sc != sc) {
      if (instance != null) {
        throw new IllegalStateException("H2O's internal backend already ran for application "
            + instance.sc.applicationId() + " in this JVM; H2O cannot start again for another one");
      }
      instance = new InternalH2OEngine(sc);
    }
    return instance;
  }

  @Override
  public synchronized void start() {
    checkHealthy();
    if (started) return;
    if (sc.getConf().getBoolean("spark.dynamicAllocation.enabled", false)) {
      throw new IllegalArgumentException("the internal H2O backend needs a fixed set of executors (an H2O cloud"
          + " cannot grow or shrink once formed): set spark.dynamicAllocation.enabled=false, or use the"
          + " embedded or external backend");
    }
    sc.addSparkListener(new NodeLossListener());
    int want = awaitExecutors();
    long t0 = System.currentTimeMillis();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
    String group = "omelet-h2o-start-" + UUID.randomUUID();
    jsc.setJobGroup(group, "starting H2O nodes in the executors", true);
    try {
      Map<String, ExecutorH2ONode.Slot> slots = new LinkedHashMap<>();
      for (int attempt = 0; attempt < 5 && slots.size() < want; attempt++) {
        String name = cloudName;
        int base = settings.basePort(), range = settings.portRange();
        for (ExecutorH2ONode.Slot s : spread(jsc, want, i -> ExecutorH2ONode.reserve(name, base, range))) {
          slots.putIfAbsent(s.executorId(), s);
        }
      }
      nodes = Map.copyOf(slots); // from here on, losing one of these executors is noticed
      if (slots.size() < want) {
        throw new IllegalStateException("only " + slots.size() + " of " + want + " executors answered when starting"
            + " H2O nodes (" + slots.keySet() + "); set spark.omelet.h2o.nodes to the number of executors");
      }
      List<String> servers = slots.values().stream().map(ExecutorH2ONode.Slot::address).toList();
      Map<String, ExecutorH2ONode.Slot> running = new LinkedHashMap<>();
      for (int attempt = 0; attempt < 5 && running.size() < slots.size(); attempt++) {
        String name = cloudName, level = settings.logLevel();
        int nthreads = settings.nthreads();
        for (ExecutorH2ONode.Slot s : spread(jsc, slots.size(), i -> ExecutorH2ONode.start(name, servers, nthreads, level))) {
          if (s != null) running.putIfAbsent(s.executorId(), s);
        }
      }
      if (running.size() < slots.size()) {
        throw new IllegalStateException("H2O started on " + running.size() + " of " + slots.size() + " executors ("
            + running.keySet() + " of " + slots.keySet() + ")");
      }
      nodes = Map.copyOf(running);
      checkHealthy(); // an executor lost while the nodes started
      String flatfile = H2ONodeArgs.writeFlatfile(H2ONodeArgs.workDir(cloudName + "-client"), servers);
      client = EmbeddedH2OEngine.get(H2OEngineConfig.joining(cloudName, flatfile, driverIp(),
          settings.basePort()).withLogLevel(settings.logLevel()));
      client.awaitServers(running.size(), 120_000);
    } finally {
      jsc.clearJobGroup();
    }
    started = true;
    LOG.info("H2O cloud {} formed inside {} executors in {} ms: {}", cloudName, nodes.size(),
        System.currentTimeMillis() - t0, nodes.values());
  }

  /** Runs {@code task} in {@code 4 * executors} small tasks, so that every executor runs at least one. */
  private static <T> List<T> spread(JavaSparkContext jsc, int executors, Function<Integer, T> task) {
    int n = Math.max(4, 4 * executors);
    return jsc.parallelize(IntStream.range(0, n).boxed().toList(), n).map(task).collect();
  }

  /** Waits for the executors the cloud is to span; returns how many there are. */
  private int awaitExecutors() {
    long end = System.currentTimeMillis() + settings.executorWaitMs();
    int last = -1;
    long lastChange = System.currentTimeMillis();
    while (true) {
      int now = sc.statusTracker().getExecutorInfos().length - 1; // the driver is listed too
      if (now != last) {
        last = now;
        lastChange = System.currentTimeMillis();
      }
      if (settings.nodes() > 0 && now >= settings.nodes()) return settings.nodes();
      if (settings.nodes() <= 0 && now > 0 && System.currentTimeMillis() - lastChange > 3_000) return now;
      if (System.currentTimeMillis() > end) {
        throw new IllegalStateException("waited " + settings.executorWaitMs() / 1000 + " s for "
            + (settings.nodes() > 0 ? settings.nodes() : "any") + " executors to start H2O in; " + now
            + " registered (spark.omelet.h2o.nodes, spark.omelet.h2o.executorWaitSecs)");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for executors", e);
      }
    }
  }

  private String driverIp() {
    String host = sc.getConf().get("spark.driver.host", null);
    try {
      return host == null ? InetAddress.getLocalHost().getHostAddress() : InetAddress.getByName(host).getHostAddress();
    } catch (IOException e) {
      throw new IllegalStateException("cannot resolve the driver's host " + host + " for its H2O client", e);
    }
  }

  @Override
  public EngineInfo info() {
    if (!started) return new EngineInfo(cloudName, 0, true, null, null);
    EngineInfo c = client.info();
    return new EngineInfo(cloudName, c.cloudSize(), true, c.selfAddress(), c.restUrl());
  }

  /** The executors running a node, by executor id. */
  public Map<String, String> nodes() {
    return nodes.values().stream().collect(Collectors.toMap(ExecutorH2ONode.Slot::executorId,
        ExecutorH2ONode.Slot::address));
  }

  @Override
  public Frame toH2OFrame(Dataset<Row> data, Key<Frame> key) {
    start();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
    String group = "omelet-h2o-write-" + UUID.randomUUID();
    writingJobGroups.add(group);
    jsc.setJobGroup(group, "moving rows into H2O on the executors", true);
    try {
      return ExecutorFrameWriter.write(data, key, cloudName, nodes.size());
    } catch (RuntimeException e) {
      checkHealthy(); // a job cancelled because a node was lost says so
      throw e;
    } finally {
      writingJobGroups.remove(group);
      jsc.clearJobGroup();
    }
  }

  @Override
  public void checkHealthy() {
    if (lost == null && started) {
      long now = System.currentTimeMillis();
      for (H2ONode n : H2O.CLOUD.members()) {
        if (now - n._last_heard_from > settings.lossTimeoutMs()) {
          lose("H2O has not heard from its node " + n.getIpPortString() + " for "
              + (now - n._last_heard_from) / 1000 + " s");
          break;
        }
      }
    }
    if (lost != null) throw new H2OCloudLostException(lost);
  }

  @Override
  public boolean usable() {
    return lost == null;
  }

  private void lose(String why) {
    if (lost != null) return;
    lost = why + "; an H2O cloud cannot replace a lost node, so the work on it failed and this application"
        + " cannot train with the internal backend again (restart it; with executors that may come and go"
        + " use the embedded or external backend)";
    LOG.error("H2O cloud {} is unusable: {}", cloudName, lost);
    for (String g : writingJobGroups) sc.cancelJobGroup(g);
  }

  /** Spark tells the driver at once when an executor goes; if it ran an H2O node, the cloud is broken. */
  private final class NodeLossListener extends SparkListener {
    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
      ExecutorH2ONode.Slot slot = nodes.get(removed.executorId());
      if (slot != null) {
        lose("executor " + removed.executorId() + " on " + slot.host() + ", which ran H2O node " + slot.address()
            + ", was lost (" + removed.reason() + ")");
      }
    }
  }
}
