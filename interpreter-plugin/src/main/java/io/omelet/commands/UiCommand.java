package io.omelet.commands;

import io.omelet.registry.OmeletRegistry;
import io.omelet.ui.UiServer;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code omelet ui}: the tracking and registry web UI of a registry, until cancelled (Ctrl-C). */
@Command(name = "ui", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Serves the tracking and registry web UI: experiments, runs (filter, sort, columns), run pages with artifacts and metric charts, comparisons, models and aliases; its JSON API under /api/; and MLflow's REST API under /api/2.0/mlflow/ (MLFLOW_TRACKING_URI=http://HOST:PORT). Read-only unless --allow-writes. Ctrl-C stops it.",
    footer = {"", "Examples:",
        "  omelet ui                          # http://127.0.0.1:5000/ on ./omelet-registry",
        "  omelet ui --registry /shared/omelet-registry --port 5050 --allow-writes",
        "  omelet ui --host 0.0.0.0 --allow-writes --token-file ~/.omelet-token   # MLflow clients send MLFLOW_TRACKING_TOKEN"})
public final class UiCommand extends OmeletSubcommand {
  @Option(names = "--port", paramLabel = "N", defaultValue = "5000", description = "port (default ${DEFAULT-VALUE}; 0 picks a free one)")
  int port;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "address to bind (default ${DEFAULT-VALUE}, loopback only; 0.0.0.0 for all)")
  String host;

  @Option(names = "--allow-writes", description = "allow writes: moving and deleting model aliases from the UI (each needs the page's session token), and logging through MLflow's REST API")
  boolean allowWrites;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "a file holding a bearer token that every MLflow API call must send (Authorization: Bearer, as MLflow clients send MLFLOW_TRACKING_TOKEN); required to allow writes on a non-loopback address")
  java.nio.file.Path tokenFile;

  @Mixin Options.Registry registry;

  @Override
  protected void run() throws Exception {
    if (port < 0 || port > 65535) throw usage("--port must be between 0 and 65535, got " + port);
    String token = tokenFile == null ? null : readToken(java.nio.file.Path.of(ctx().resolvePath(tokenFile.toString())));
    boolean loopback;
    try {
      loopback = InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      throw usage("--host " + host + " is not an address of this machine: " + e.getMessage());
    }
    if (allowWrites && !loopback && token == null) {
      throw usage("--allow-writes on " + host + " (not loopback) needs --token-file: anyone who reaches the port could"
          + " otherwise write to the registry");
    }
    ctx().spark(registry.master != null ? registry.master : "local[2]");
    OmeletRegistry reg = ctx().registry(registry.root);
    UiServer server;
    try {
      server = UiServer.start(reg, host, port, allowWrites, token);
    } catch (java.net.BindException e) {
      throw new CommandException("cannot listen on " + host + ":" + port + ": " + e.getMessage()
          + " (another server there? pick one with --port)", e);
    }
    if (!loopback) {
      // requests that name the machine rather than the address
      server.allowHost(InetAddress.getLocalHost().getHostName() + ":" + server.uri().getPort());
    }
    CountDownLatch stop = new CountDownLatch(1);
    try (server; AutoCloseable hook = ctx().onCancel(stop::countDown)) {
      LinkedHashMap<String, Object> v = new LinkedHashMap<>();
      v.put("url", server.uri().toString());
      v.put("registry", reg.root());
      v.put("writes", allowWrites ? "allowed (UI: with the page's session token)" : "off (read-only)");
      v.put("mlflow_tracking_uri", server.uri().toString().replaceAll("/$", ""));
      v.put("mlflow_token", token == null ? "none" : "required (from " + tokenFile + ")");
      out().result(new CommandResult.Values("Omelet UI (Ctrl-C stops it)", v));
      stop.await();
    }
  }

  private String readToken(java.nio.file.Path file) {
    String token;
    try {
      token = java.nio.file.Files.readString(file).trim();
    } catch (java.io.IOException e) {
      throw usage("cannot read --token-file " + file + ": " + e.getMessage());
    }
    if (token.isEmpty() || token.chars().anyMatch(c -> c <= ' ')) {
      throw usage("--token-file " + file + " must hold one token (no spaces), not " + (token.isEmpty() ? "nothing" : "several words"));
    }
    return token;
  }
}
