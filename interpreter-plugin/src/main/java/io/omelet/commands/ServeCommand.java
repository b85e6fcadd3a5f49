package io.omelet.commands;

import io.omelet.registry.OmeletRegistry;
import io.omelet.scoring.ScoringServer;
import io.omelet.scoring.ServerConfig;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code omelet serve}: one registered model over HTTP until cancelled (Ctrl-C). */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Serves a registered model over HTTP: POST /predict[?explain=true], GET /model, GET /health, POST /reload (loopback), GET /metrics (Prometheus text format). Requests are scored by h2o-genmodel, without Spark jobs. Ctrl-C stops it.",
    footer = {"", "Example:",
        "  omelet serve --model churn@champion --port 8080",
        "  curl -s localhost:8080/predict -H 'Content-Type: application/json' -d '{\"rows\": [{\"age\": 42, \"plan\": \"basic\"}]}'",
        "  curl -s localhost:8080/metrics     # requests by status, latency histogram, rows scored, model version, JVM"})
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
    ctx().spark(registry.master != null ? registry.master : "local[1]");
    OmeletRegistry reg = ctx().registry(registry.root);
    ScoringServer server;
    try {
      server = ScoringServer.start(reg, new ServerConfig(model, host, port, Duration.ofSeconds(reloadSecs), maxBody, threads));
    } catch (IllegalArgumentException e) {
      throw new CommandException(e.getMessage(), e);
    }
    CountDownLatch stop = new CountDownLatch(1);
    try (server; AutoCloseable hook = ctx().onCancel(stop::countDown)) {
      java.util.LinkedHashMap<String, Object> v = new java.util.LinkedHashMap<>();
      v.put("url", server.uri().toString());
      v.put("model", model);
      v.put("serving", server.model().describe());
      out().result(new CommandResult.Values("Omelet scoring server (Ctrl-C stops it)", v));
      stop.await();
    }
  }
}
