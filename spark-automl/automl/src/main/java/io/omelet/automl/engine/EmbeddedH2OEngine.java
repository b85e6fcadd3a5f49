package io.omelet.automl.engine;

import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import water.H2O;
import water.Key;
import water.fvec.Frame;

/**
 * The default engine: an H2O node inside the driver JVM, started on first use.
 *
 * <p>H2O starts once per JVM and cannot be stopped and started again, so this class is a JVM-wide
 * singleton: the first {@link #get} decides the configuration, later calls with another one fail.
 * As a server (the default) it forms a one-node cloud on loopback with a name and port no other
 * application on the host uses; as a client ({@link H2OEngineConfig#joining}) it joins servers
 * started with {@link H2ONodeLauncher} and trains there.
 *
 * <p>H2O's threads are not daemons: a {@code main} that used this engine must end with
 * {@code System.exit} (or {@code Runtime.halt}), or the JVM keeps running after main returns.
 */
public final class EmbeddedH2OEngine implements H2OEngine {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedH2OEngine.class);
  private static EmbeddedH2OEngine instance;

  private final H2OEngineConfig config;
  private volatile boolean started;
  private String cloudName;

  private EmbeddedH2OEngine(H2OEngineConfig config) {
    this.config = config;
  }

  /**
   * The JVM's engine, configured by the active Spark session's {@code spark.omelet.h2o.*}
   * settings or {@code omelet.h2o.*} system properties (see {@link H2OEngineConfig}).
   */
  public static synchronized EmbeddedH2OEngine get() {
    if (instance == null) {
      instance = new EmbeddedH2OEngine(H2OEngineConfig.fromSparkConfOrSystemProperties());
    }
    return instance;
  }

  /** The JVM's engine with this configuration; fails if it was already made with another one. */
  public static synchronized EmbeddedH2OEngine get(H2OEngineConfig config) {
    if (instance == null) {
      instance = new EmbeddedH2OEngine(config);
    } else if (!instance.config.equals(config)) {
      throw new IllegalStateException("H2O was already set up in this JVM with " + instance.config
          + "; it cannot be restarted with " + config + " (H2O starts once per JVM)");
    }
    return instance;
  }

  public H2OEngineConfig config() {
    return config;
  }

  @Override
  public synchronized void start() {
    if (started) return;
    if (H2O.SELF != null) {
      // Someone else (e.g. Sparkling Water) started H2O in this JVM: use it as it is.
      cloudName = H2O.ARGS.name;
      started = true;
      return;
    }
    cloudName = config.cloudName() != null ? config.cloudName() : uniqueCloudName();
    int port = H2ONodeArgs.findFreePortPair(config.ip(), config.basePort(), config.portRange());
    Path work = H2ONodeArgs.workDir(cloudName);
    String flatfile = config.flatfile();
    if (flatfile == null) {
      // A flatfile naming only this node: the cloud forms at once and no multicast is sent.
      flatfile = H2ONodeArgs.writeFlatfile(work, java.util.List.of(config.ip() + ":" + port));
    }
    String[] args = H2ONodeArgs.build(cloudName, config.ip(), port, flatfile, config.client(),
        false, config.nthreads(), config.logLevel(), work);
    LOG.info("starting H2O {} node, cloud {}, on {}:{}", config.client() ? "client" : "server",
        cloudName, config.ip(), port);
    H2ONodeArgs.startNode(args, config.cloudTimeoutMs());
    started = true;
    LOG.info("H2O cloud {} ready: {}", cloudName, info());
  }

  /** Waits until the cloud has at least {@code servers} server nodes (for a client joining). */
  public void awaitServers(int servers, long timeoutMs) {
    start();
    H2O.waitForCloudSize(servers, timeoutMs);
  }

  @Override
  public EngineInfo info() {
    if (!started) return new EngineInfo(cloudName, 0, config.client(), null, null);
    return new EngineInfo(cloudName, H2O.CLOUD.size(), H2O.ARGS.client,
        H2O.SELF.getIpPortString(), "http://" + H2O.SELF.getIp() + ":" + H2O.API_PORT);
  }

  @Override
  public Frame toH2OFrame(Dataset<Row> data, Key<Frame> key) {
    start();
    return SparkToH2O.convert(data, key);
  }

  /** omelet-[spark app id-]pid: unique on the host, and recognisable in logs. */
  static String uniqueCloudName() {
    String app = SparkSession.getActiveSession().isDefined()
        ? SparkSession.getActiveSession().get().sparkContext().applicationId() : null;
    String name = "omelet-" + (app != null ? app + "-" : "") + ProcessHandle.current().pid();
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
  }
}
