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
    description = "Serves the tracking and registry web UI: experiments, runs (filter, sort, columns), run pages with artifacts and metric charts, comparisons, models and aliases; and its JSON API under /api/. Read-only unless --allow-writes. Ctrl-C stops it.",
    footer = {"", "Examples:",
        "  omelet ui                          # http://127.0.0.1:5000/ on ./omelet-registry",
        "  omelet ui --registry /shared/omelet-registry --port 5050 --allow-writes"})
public final class UiCommand extends OmeletSubcommand {
  @Option(names = "--port", paramLabel = "N", defaultValue = "5000", description = "port (default ${DEFAULT-VALUE}; 0 picks a free one)")
  int port;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "address to bind (default ${DEFAULT-VALUE}, loopback only; 0.0.0.0 for all)")
  String host;

  @Option(names = "--allow-writes", description = "allow moving and deleting model aliases from the UI (each write needs the page's session token)")
  boolean allowWrites;

  @Mixin Options.Registry registry;

  @Override
  protected void run() throws Exception {
    if (port < 0 || port > 65535) throw usage("--port must be between 0 and 65535, got " + port);
    ctx().spark(registry.master != null ? registry.master : "local[2]");
    OmeletRegistry reg = ctx().registry(registry.root);
    UiServer server;
    try {
      server = UiServer.start(reg, host, port, allowWrites);
    } catch (java.net.BindException e) {
      throw new CommandException("cannot listen on " + host + ":" + port + ": " + e.getMessage()
          + " (another server there? pick one with --port)", e);
    }
    if (!InetAddress.getByName(host).isLoopbackAddress()) {
      // requests that name the machine rather than the address
      server.allowHost(InetAddress.getLocalHost().getHostName() + ":" + server.uri().getPort());
    }
    CountDownLatch stop = new CountDownLatch(1);
    try (server; AutoCloseable hook = ctx().onCancel(stop::countDown)) {
      LinkedHashMap<String, Object> v = new LinkedHashMap<>();
      v.put("url", server.uri().toString());
      v.put("registry", reg.root());
      v.put("writes", allowWrites ? "allowed (with the page's session token)" : "off (read-only)");
      out().result(new CommandResult.Values("Omelet UI (Ctrl-C stops it)", v));
      stop.await();
    }
  }
}
