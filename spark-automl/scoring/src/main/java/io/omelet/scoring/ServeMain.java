package io.omelet.scoring;

import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.OmeletSpark;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.spark.sql.SparkSession;

/**
 * {@code omelet serve --model churn@champion [--port 8080] [--host 127.0.0.1] [--registry ROOT]
 * [--reload-interval 10] [--max-body-bytes 1048576] [--threads 4]}: serves one registered model
 * over HTTP until SIGTERM or Ctrl-C. A local Spark session (one core) is only used to read the
 * registry; requests are scored by h2o-genmodel without Spark jobs.
 */
public final class ServeMain {
  static final String USAGE = String.join("\n",
      "usage: omelet serve --model URI [options]",
      "  --model URI              the model: name@alias, name/version or runs:/<run_id>/<path> (required)",
      "  --port N                 port to listen on (default 8080; 0 picks a free one)",
      "  --host HOST              address to bind (default 127.0.0.1, loopback only; 0.0.0.0 for all)",
      "  --registry ROOT          registry root (default: spark.omelet.registry.root or ./omelet-registry)",
      "  --reload-interval SECS   re-resolve the URI every SECS seconds and follow a moved alias",
      "                           (default 10; 0 disables; POST /reload forces it)",
      "  --max-body-bytes N       largest request body accepted (default 1048576; larger: 413)",
      "  --threads N              worker threads scoring requests (default 4)",
      "endpoints: POST /predict[?explain=true], GET /model, GET /health, POST /reload (loopback)");

  private ServeMain() {}

  /** Parsed command line: the server's config and the registry root (null: the default). */
  record Args(ServerConfig config, String registryRoot) {}

  /** Thrown for a bad command line; its message says what is wrong. */
  static final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
      super(message);
    }
  }

  public static void main(String[] argv) {
    Args args;
    try {
      args = parse(argv);
    } catch (UsageException e) {
      PrintStream err = System.err;
      if (!e.getMessage().isEmpty()) err.println("omelet serve: " + e.getMessage());
      err.println(USAGE);
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    int code = run(args);
    // Spark's threads are not all daemons: leave explicitly.
    System.exit(code);
  }

  /** Serves until the JVM is asked to stop; returns the exit code for a failure to start. */
  static int run(Args args) {
    SparkSession spark = OmeletSpark.builder("omelet-serve", "local[1]").getOrCreate();
    ScoringServer server;
    try {
      OmeletRegistry registry = args.registryRoot() == null ? OmeletRegistry.open(spark)
          : OmeletRegistry.open(spark, args.registryRoot());
      server = ScoringServer.start(registry, args.config());
    } catch (Exception e) {
      System.err.println("omelet serve: " + e.getMessage());
      spark.stop();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      spark.stop();
      stopped.countDown();
    }, "omelet-serve-shutdown"));
    System.out.println("Omelet scoring server: " + server.uri() + " serving " + args.config().modelUri()
        + " (" + server.model().describe() + "); POST /predict, GET /model, GET /health. Ctrl-C stops it.");
    System.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  static Args parse(String[] argv) {
    String model = null;
    String host = ServerConfig.DEFAULT_HOST;
    String registry = null;
    int port = ServerConfig.DEFAULT_PORT;
    Duration reload = ServerConfig.DEFAULT_RELOAD_INTERVAL;
    long maxBody = ServerConfig.DEFAULT_MAX_BODY_BYTES;
    int threads = ServerConfig.DEFAULT_THREADS;
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (a.equals("-h") || a.equals("--help")) throw new UsageException("");
      String key = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        key = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      if (!key.startsWith("--")) throw new UsageException("unexpected argument '" + a + "'");
      if (value == null) {
        if (i + 1 >= argv.length) throw new UsageException(key + " needs a value");
        value = argv[++i];
      }
      switch (key) {
        case "--model" -> model = value;
        case "--host" -> host = value;
        case "--registry" -> registry = value;
        case "--port" -> port = (int) number(key, value, 0, 65535);
        case "--reload-interval" -> reload = Duration.ofSeconds(number(key, value, 0, Long.MAX_VALUE / 1000));
        case "--max-body-bytes" -> maxBody = number(key, value, 1, ServerConfig.MAX_BODY_BYTES_LIMIT);
        case "--threads" -> threads = (int) number(key, value, 1, 1024);
        default -> throw new UsageException("unknown option " + key);
      }
    }
    if (model == null || model.isBlank()) throw new UsageException("--model is required");
    return new Args(new ServerConfig(model, host, port, reload, maxBody, threads), registry);
  }

  private static long number(String key, String value, long min, long max) {
    long n;
    try {
      n = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(key + " expects a whole number, got '" + value + "'");
    }
    if (n < min || n > max) throw new UsageException(key + " must be between " + min + " and " + max + ", got " + n);
    return n;
  }
}
