package io.omelet.commands;

import io.omelet.inference.InferenceLogConfig;
import io.omelet.inference.InferenceTable;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.RegistryException;
import io.omelet.scoring.ScoringServer;
import io.omelet.scoring.ServerConfig;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code omelet serve}: one registered model over HTTP until cancelled (Ctrl-C). */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Serves a registered model over HTTP: POST /predict[?explain=true], GET /model, GET /health, POST /reload (loopback), GET /metrics (Prometheus text format). Requests are scored by h2o-genmodel, without Spark jobs. Every served row goes to the model's inference table (<root>/inference/<name>, Delta) unless --no-log; the request id is the client's X-Request-Id or a new one, answered in that header. Ctrl-C or SIGTERM stops it (and writes what the log holds).",
    footer = {"", "Example:",
        "  omelet serve --model churn@champion --port 8080 --log-sample 0.1",
        "  curl -s localhost:8080/predict -H 'Content-Type: application/json' -d '{\"rows\": [{\"age\": 42, \"plan\": \"basic\"}]}'",
        "  curl -s localhost:8080/metrics     # requests by status, latency histogram, rows scored, model version, inference log, JVM"})
public final class ServeCommand extends OmeletSubcommand {
  @Option(names = {"-m", "--model"}, required = true, paramLabel = "URI", description = "name@alias, name/version or runs:/<run_id>/<path>")
  String model;

  @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "port (default ${DEFAULT-VALUE}; 0 picks a free one)")
  int port;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = ServerConfig.DEFAULT_HOST,
      description = "address to bind (default ${DEFAULT-VALUE}, loopback only; 0.0.0.0 for all)")
  String host;

  @Option(names = "--reload-interval", paramLabel = "SECS", defaultValue = "10",
      description = "follow a moved alias every SECS seconds (default ${DEFAULT-VALUE}; 0 disables)")
  long reloadSecs;

  @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "1048576", description = "largest request body (default ${DEFAULT-VALUE})")
  long maxBody;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "4", description = "worker threads (default ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--log", negatable = true, paramLabel = "",
      description = "log served rows to the model's inference table (default: on for name@alias and name/version, off for runs:/ URIs, which have no table)")
  Boolean log;

  @Option(names = "--log-sample", paramLabel = "F", defaultValue = "1.0",
      description = "fraction of requests logged, chosen by request id (default ${DEFAULT-VALUE})")
  double logSample;

  @Option(names = "--log-flush-secs", paramLabel = "SECS", defaultValue = "1",
      description = "write the log at least every SECS seconds (default ${DEFAULT-VALUE})")
  double logFlushSecs;

  @Option(names = "--log-flush-rows", paramLabel = "N", defaultValue = "" + InferenceLogConfig.DEFAULT_FLUSH_ROWS,
      description = "write the log as soon as N rows wait (default ${DEFAULT-VALUE})")
  int logFlushRows;

  @Option(names = "--log-queue", paramLabel = "N", defaultValue = "" + InferenceLogConfig.DEFAULT_CAPACITY,
      description = "rows the log holds in memory; past it rows are dropped and counted, scoring goes on (default ${DEFAULT-VALUE})")
  int logQueue;

  @Mixin Options.Registry registry;

  @Override
  protected void run() throws Exception {
    if (port < 0 || port > 65535) throw usage("--port must be between 0 and 65535, got " + port);
    if (reloadSecs < 0) throw usage("--reload-interval must be 0 or more, got " + reloadSecs);
    if (maxBody < 1 || maxBody > ServerConfig.MAX_BODY_BYTES_LIMIT) {
      throw usage("--max-body-bytes must be between 1 and " + ServerConfig.MAX_BODY_BYTES_LIMIT + " (256 MiB), got "
          + maxBody);
    }
    if (threads < 1 || threads > 1024) throw usage("--threads must be between 1 and 1024, got " + threads);
    InferenceLogConfig logConfig = inferenceLog();
    ctx().spark(registry.master != null ? registry.master : "local[1]");
    OmeletRegistry reg = ctx().registry(registry.root);
    ScoringServer server;
    try {
      server = ScoringServer.start(reg, new ServerConfig(model, host, port, Duration.ofSeconds(reloadSecs), maxBody,
          threads, logConfig));
    } catch (IllegalArgumentException | RegistryException e) {
      throw new CommandException(e.getMessage(), e);
    }
    CountDownLatch stop = new CountDownLatch(1);
    try (server; AutoCloseable hook = ctx().onCancel(stop::countDown)) {
      java.util.LinkedHashMap<String, Object> v = new java.util.LinkedHashMap<>();
      v.put("url", server.uri().toString());
      v.put("model", model);
      v.put("serving", server.model().describe());
      v.put("inference log", server.inferenceLog() == null ? "off" : server.inferenceLog().tablePath()
          + (logSample < 1 ? " (" + logSample + " of requests)" : ""));
      out().result(new CommandResult.Values("Omelet scoring server (Ctrl-C stops it)", v));
      stop.await();
    }
  }

  /** The log's settings, or null when not logging; refuses logging a run artifact, which has no table. */
  private InferenceLogConfig inferenceLog() {
    boolean runArtifact = model.trim().startsWith("runs:/");
    boolean tuned = logSample != 1.0 || logFlushSecs != InferenceLogConfig.DEFAULT_FLUSH_INTERVAL.toSeconds()
        || logFlushRows != InferenceLogConfig.DEFAULT_FLUSH_ROWS || logQueue != InferenceLogConfig.DEFAULT_CAPACITY;
    if (Boolean.FALSE.equals(log)) return null;
    if (runArtifact) {
      if (Boolean.TRUE.equals(log) || tuned) {
        throw usage("cannot log the inferences of " + model + ": inference tables (" + InferenceTable.FOLDER
            + "/<model name> under the registry root) are per registered model; register it and serve name@alias,"
            + " or pass --no-log");
      }
      return null;
    }
    if (!(logSample > 0 && logSample <= 1)) throw usage("--log-sample must be in (0, 1], got " + logSample);
    if (!(logFlushSecs > 0 && logFlushSecs <= 3600)) throw usage("--log-flush-secs must be in (0, 3600], got " + logFlushSecs);
    if (logFlushRows < 1) throw usage("--log-flush-rows must be at least 1, got " + logFlushRows);
    if (logQueue < 1) throw usage("--log-queue must be at least 1, got " + logQueue);
    return new InferenceLogConfig(logQueue, Duration.ofMillis(Math.round(logFlushSecs * 1000)), logFlushRows, logSample);
  }
}
