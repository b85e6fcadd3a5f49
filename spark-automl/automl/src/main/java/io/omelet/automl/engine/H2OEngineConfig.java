package io.omelet.automl.engine;

import java.io.Serializable;
import java.util.Objects;

/**
 * How the driver's H2O node is started. The default is a single embedded server node on loopback
 * with a name and port no other application on the host uses; {@link #joining} makes the driver a
 * client of a cloud of server nodes started with {@link H2ONodeLauncher}.
 *
 * @param cloudName H2O's {@code -name}; null picks a unique one (Spark app id + pid)
 * @param ip the interface H2O binds to ({@code -ip}); loopback unless configured
 * @param basePort first port tried; H2O uses two consecutive ports (REST and internal)
 * @param portRange how many port pairs above basePort are tried
 * @param flatfile H2O's {@code -flatfile} (server addresses, one {@code ip:port} a line); null for
 *     an embedded single node (a flatfile listing only itself is written, so no multicast is used)
 * @param client true to join the flatfile's servers as a client instead of being a server
 * @param nthreads H2O's {@code -nthreads}; 0 or less for all cores
 * @param logLevel H2O's {@code -log_level}
 * @param cloudTimeoutMs how long to wait for the cloud to form
 */
public record H2OEngineConfig(String cloudName, String ip, int basePort, int portRange,
                              String flatfile, boolean client, int nthreads, String logLevel,
                              long cloudTimeoutMs) implements Serializable {

  /** System properties read by {@link #fromSystemProperties()}. */
  public static final String PREFIX = "omelet.h2o.";

  public H2OEngineConfig {
    Objects.requireNonNull(ip, "ip");
    if (basePort < 1024 || basePort > 65000) {
      throw new IllegalArgumentException("H2O base port must be in 1024..65000, got " + basePort);
    }
    if (portRange < 1) throw new IllegalArgumentException("portRange must be >= 1, got " + portRange);
    if (client && (flatfile == null || cloudName == null)) {
      throw new IllegalArgumentException("an H2O client needs the cloud name and the flatfile of"
          + " the servers it joins (omelet.h2o.name, omelet.h2o.flatfile)");
    }
  }

  /** Single embedded server on loopback; the port range starts at 54500 plus a pid-based offset. */
  public static H2OEngineConfig embedded() {
    int offset = (int) (ProcessHandle.current().pid() % 50) * 20;
    return new H2OEngineConfig(null, "127.0.0.1", 54500 + offset, 200, null, false, 0, "WARN",
        120_000);
  }

  /** A client of the cloud named {@code cloudName} whose servers are listed in {@code flatfile}. */
  public static H2OEngineConfig joining(String cloudName, String flatfile, String ip, int basePort) {
    return new H2OEngineConfig(Objects.requireNonNull(cloudName, "cloudName"), ip, basePort, 200,
        flatfile, true, 0, "WARN", 120_000);
  }

  /**
   * The embedded default, overridden by system properties {@code omelet.h2o.name}, {@code .ip},
   * {@code .port} (the first port tried), {@code .flatfile}, {@code .client} (true to join the
   * flatfile's servers; {@code .backend=external} says the same), {@code .nthreads}, {@code .log_level}.
   */
  public static H2OEngineConfig fromSystemProperties() {
    return from(k -> System.getProperty(PREFIX + k));
  }

  /**
   * As {@link #fromSystemProperties()}, with the active Spark session's {@code spark.omelet.h2o.*}
   * settings (e.g. {@code --conf spark.omelet.h2o.flatfile=servers.txt}) taking precedence.
   */
  public static H2OEngineConfig fromSparkConfOrSystemProperties() {
    scala.Option<org.apache.spark.sql.SparkSession> s =
        org.apache.spark.sql.SparkSession.getActiveSession();
    if (s.isEmpty()) return fromSystemProperties();
    org.apache.spark.sql.RuntimeConfig conf = s.get().conf();
    return from(k -> {
      String v = conf.getOption("spark." + PREFIX + k).getOrElse(() -> null);
      return v != null ? v : System.getProperty(PREFIX + k);
    });
  }

  private static H2OEngineConfig from(java.util.function.Function<String, String> get) {
    H2OEngineConfig d = embedded();
    String port = get.apply("port");
    String nthreads = get.apply("nthreads");
    String name = get.apply("name");
    String ip = get.apply("ip");
    String level = get.apply("log_level");
    return new H2OEngineConfig(
        name != null ? name : d.cloudName,
        ip != null ? ip : d.ip,
        port != null ? Integer.parseInt(port.trim()) : d.basePort,
        d.portRange, get.apply("flatfile"),
        Boolean.parseBoolean(get.apply("client")) || "external".equalsIgnoreCase(String.valueOf(get.apply("backend")).trim()),
        nthreads != null ? Integer.parseInt(nthreads.trim()) : d.nthreads,
        level != null ? level : d.logLevel,
        d.cloudTimeoutMs);
  }

  public H2OEngineConfig withCloudName(String name) {
    return new H2OEngineConfig(name, ip, basePort, portRange, flatfile, client, nthreads, logLevel,
        cloudTimeoutMs);
  }

  public H2OEngineConfig withLogLevel(String level) {
    return new H2OEngineConfig(cloudName, ip, basePort, portRange, flatfile, client, nthreads, level,
        cloudTimeoutMs);
  }

  public H2OEngineConfig withBasePort(int port) {
    return new H2OEngineConfig(cloudName, ip, port, portRange, flatfile, client, nthreads, logLevel,
        cloudTimeoutMs);
  }
}
