package io.omelet.automl.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds H2O command-line arguments and starts a node with them; shared by the embedded node,
 * {@link H2ONodeLauncher} and the executors' nodes ({@link ExecutorH2ONode}).
 */
final class H2ONodeArgs {
  private H2ONodeArgs() {}

  /**
   * The first port p at or above {@code basePort} (even steps) where both p (REST) and p+1 (H2O's
   * internal port) are free on {@code ip}.
   */
  static int findFreePortPair(String ip, int basePort, int pairs) {
    ServerSocket[] bound = bindPortPair(ip, basePort, pairs);
    if (bound == null) {
      throw new IllegalStateException("no two consecutive free ports on " + ip + " in "
          + basePort + ".." + (basePort + 2 * pairs) + " for an H2O node; set omelet.h2o.port");
    }
    close(bound);
    return bound[0].getLocalPort();
  }

  /**
   * Binds the first free pair p, p+1 at or above {@code basePort} (even steps) on {@code ip} and
   * returns both sockets, still bound (so nobody else on the host takes them); null if none is free.
   */
  static ServerSocket[] bindPortPair(String ip, int basePort, int pairs) {
    for (int i = 0; i < pairs; i++) {
      int p = basePort + 2 * i;
      if (p + 1 > 65535) break;
      ServerSocket a = bind(ip, p);
      if (a == null) continue;
      ServerSocket b = bind(ip, p + 1);
      if (b != null) return new ServerSocket[] {a, b};
      close(new ServerSocket[] {a});
    }
    return null;
  }

  private static ServerSocket bind(String ip, int port) {
    ServerSocket s = null;
    try {
      s = new ServerSocket();
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
      return s;
    } catch (IOException e) {
      if (s != null) close(new ServerSocket[] {s});
      return null;
    }
  }

  static void close(ServerSocket[] sockets) {
    for (ServerSocket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing bound, nothing to release
      }
    }
  }

  /** Writes H2O's flatfile (the servers' {@code ip:port}, one a line) into {@code workDir}; returns its path. */
  static String writeFlatfile(Path workDir, List<String> servers) {
    try {
      Path f = workDir.resolve("flatfile.txt");
      Files.writeString(f, String.join("\n", servers) + "\n");
      return f.toString();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the H2O flatfile in " + workDir + ": " + e, e);
    }
  }

  /** A scratch directory for H2O's logs and ice root, outside the working directory. */
  static Path workDir(String cloudName) {
    try {
      Path dir = Path.of(System.getProperty("java.io.tmpdir"), "omelet-h2o",
          cloudName + "-" + ProcessHandle.current().pid());
      Files.createDirectories(dir);
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a work directory for H2O: " + e, e);
    }
  }

  private static final String H2O_LOG4J_PROPERTY = "h2o.log4j.configuration";

  /** Starts this JVM's H2O node and returns once it can train (it may still be waiting for peers). */
  static void startNode(String[] args, long timeoutMs) {
    if (System.getProperty(H2O_LOG4J_PROPERTY) == null) {
      // H2O would otherwise rewrite the JVM's log4j setup (through Spark's log4j 1.x bridge) and
      // print to stdout; naming a configuration that does not exist makes it leave logging alone,
      // so its loggers (water.*, hex.*, ai.h2o.*) follow the host's log4j2 configuration.
      System.setProperty(H2O_LOG4J_PROPERTY, "omelet-h2o-logs-follow-the-host-configuration");
    }
    water.H2O.main(args);
    water.H2O.waitForCloudSize(1, timeoutMs);
    // Without these two no algorithm is registered and every AutoML step fails (docs/ARCHITECTURE.md).
    water.ExtensionManager.getInstance().registerRestApiExtensions();
    water.H2O.finalizeRegistration();
  }

  static String[] build(String cloudName, String ip, int port, String flatfile, boolean client,
                        boolean allowClients, int nthreads, String logLevel, Path workDir) {
    List<String> a = new ArrayList<>(List.of(
        "-name", cloudName, "-ip", ip, "-port", Integer.toString(port),
        "-flatfile", flatfile,
        "-log_dir", workDir.resolve("logs").toString(),
        "-ice_root", workDir.resolve("ice").toString(),
        "-log_level", logLevel,
        // no console prints: stdout belongs to the host program (bin/bench prints figures there)
        "-quiet"));
    if (nthreads > 0) a.addAll(List.of("-nthreads", Integer.toString(nthreads)));
    if (client) a.add("-client");
    if (allowClients) a.add("-allow_clients");
    return a.toArray(new String[0]);
  }
}
