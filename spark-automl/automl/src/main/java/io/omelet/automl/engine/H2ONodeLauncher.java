package io.omelet.automl.engine;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import water.H2O;

/**
 * Starts one H2O server node of a cloud the Spark driver joins as a client (see
 * {@link H2OEngineConfig#joining}). Run one per host (or several on one host, each on its own
 * port), every one with the same name and flatfile:
 *
 * <pre>
 * java --add-opens=... -Xmx8g -cp omelet-spark-automl.jar:&lt;its dependencies&gt; \
 *     io.omelet.automl.engine.H2ONodeLauncher --name mycloud --flatfile servers.txt \
 *     --ip 10.0.0.5 --port 54321 [--nthreads 8] [--log-level INFO] [--log-dir /var/log/h2o]
 * </pre>
 *
 * The flatfile lists every server as {@code ip:port}, one a line. Servers accept clients
 * ({@code -allow_clients}); the driver then starts with {@code -Domelet.h2o.client=true
 * -Domelet.h2o.name=mycloud -Domelet.h2o.flatfile=servers.txt}. Prints
 * {@code H2O node ready <ip:port> cloud <name>} on stdout once it is up. The node runs until the
 * process is killed (H2O's threads are not daemons).
 */
public final class H2ONodeLauncher {
  public static final String READY = "H2O node ready";

  private H2ONodeLauncher() {}

  public static void main(String[] argv) {
    Map<String, String> a = parse(argv);
    String name = required(a, "name");
    String flatfile = required(a, "flatfile");
    String ip = a.getOrDefault("ip", "127.0.0.1");
    int port = Integer.parseInt(required(a, "port"));
    int nthreads = Integer.parseInt(a.getOrDefault("nthreads", "0"));
    Path work = a.containsKey("log-dir") ? Path.of(a.get("log-dir")) : H2ONodeArgs.workDir(name);
    String[] args = H2ONodeArgs.build(name, ip, port, flatfile, false, true, nthreads,
        a.getOrDefault("log-level", "WARN"), work);
    H2ONodeArgs.startNode(args, 120_000);
    System.out.println(READY + " " + H2O.SELF.getIpPortString() + " cloud " + name);
    System.out.flush();
  }

  private static Map<String, String> parse(String[] argv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --option value pairs, got '" + argv[i]
            + "'; options: --name --flatfile --port [--ip --nthreads --log-level --log-dir]");
      }
      m.put(argv[i].substring(2), argv[++i]);
    }
    return m;
  }

  private static String required(Map<String, String> a, String key) {
    String v = a.get(key);
    if (v == null) {
      System.err.println("H2ONodeLauncher: --" + key + " is required"
          + " (usage: --name CLOUD --flatfile FILE --port PORT [--ip IP] [--nthreads N])");
      System.exit(2);
    }
    return v;
  }
}
