package io.omelet.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with the JDK's own
 * WebSocket client (no Selenium, no driver binary): open a page, run script in it, wait for a
 * condition, take screenshots, and collect every console error and uncaught exception.
 */
final class HeadlessChromium implements AutoCloseable {
  static final Path BINARY = Path.of(System.getProperty("omelet.chromium", "/usr/bin/chromium"));
  private final ObjectMapper json = new ObjectMapper();
  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final String session;
  /** Console errors, uncaught exceptions and error log entries, as text. */
  final List<String> errors = new CopyOnWriteArrayList<>();

  HeadlessChromium() throws Exception {
    profile = Files.createTempDirectory("omelet-chromium");
    // the flags that keep Chromium off this machine's closed network (see the env notes)
    process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1000", "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
        .redirectErrorStream(true).start();
    String endpoint = null;
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    long end = System.currentTimeMillis() + 60_000;
    StringBuilder seen = new StringBuilder();
    while (endpoint == null && System.currentTimeMillis() < end) {
      String line = out.readLine();
      if (line == null) break;
      seen.append(line).append('\n');
      int at = line.indexOf("ws://");
      if (line.contains("DevTools listening on") && at >= 0) endpoint = line.substring(at).trim();
    }
    if (endpoint == null) throw new IllegalStateException("Chromium did not start:\n" + seen);
    Thread drain = new Thread(() -> {
      try {
        while (out.readLine() != null) { /* keep its pipe empty */ }
      } catch (Exception ignored) {
        // the process ended
      }
    }, "chromium-output");
    drain.setDaemon(true);
    drain.start();
    socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(endpoint), new Listener())
        .get(30, TimeUnit.SECONDS);
    String target = call(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId").asText();
    session = call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true)).get("sessionId").asText();
    for (String domain : List.of("Runtime.enable", "Log.enable", "Page.enable")) call(session, domain, Map.of());
  }

  /** Navigates and waits until {@code readyExpression} (JavaScript) is true. */
  void open(String url, String readyExpression) throws Exception {
    call(session, "Page.navigate", Map.of("url", url));
    waitFor(readyExpression);
  }

  /** Evaluates JavaScript in the page and returns its value (awaiting promises). */
  JsonNode eval(String expression) throws Exception {
    JsonNode r = call(session, "Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (r.has("exceptionDetails")) throw new IllegalStateException("script failed: " + r.get("exceptionDetails"));
    return r.path("result").path("value");
  }

  void waitFor(String expression) throws Exception {
    long end = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < end) {
      if (eval("!!(" + expression + ")").asBoolean()) return;
      Thread.sleep(100);
    }
    throw new AssertionError("the page never showed " + expression + "; page text:\n"
        + eval("document.body ? document.body.innerText.slice(0, 2000) : ''").asText());
  }

  void screenshot(Path file) throws Exception {
    JsonNode r = call(session, "Page.captureScreenshot", Map.of("format", "png"));
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
  }

  private JsonNode call(String sessionId, String method, Map<String, Object> params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode msg = json.createObjectNode();
    msg.put("id", id);
    msg.put("method", method);
    msg.set("params", json.valueToTree(params));
    if (sessionId != null) msg.put("sessionId", sessionId);
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    socket.sendText(json.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
    JsonNode reply = f.get(60, TimeUnit.SECONDS);
    if (reply.has("error")) throw new IllegalStateException(method + " failed: " + reply.get("error"));
    return reply.path("result");
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder part = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      part.append(data);
      if (last) {
        String text = part.toString();
        part.setLength(0);
        try {
          JsonNode m = json.readTree(text);
          if (m.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
            if (f != null) f.complete(m);
          } else {
            event(m.path("method").asText(), m.path("params"));
          }
        } catch (Exception e) {
          errors.add("unreadable DevTools message: " + e);
        }
      }
      ws.request(1);
      return null;
    }
  }

  private void event(String method, JsonNode p) {
    switch (method) {
      case "Runtime.exceptionThrown" -> errors.add("exception: " + p.path("exceptionDetails"));
      case "Runtime.consoleAPICalled" -> {
        if ("error".equals(p.path("type").asText())) errors.add("console.error: " + p.path("args"));
      }
      case "Log.entryAdded" -> {
        if ("error".equals(p.path("entry").path("level").asText())) errors.add("log: " + p.path("entry"));
      }
      default -> { }
    }
  }

  @Override
  public void close() throws Exception {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    } catch (Exception ignored) {
      // the browser goes anyway
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    // the profile is a temporary folder: removed when it can be, left to the OS when Chromium's
    // helpers still write into it
    try (var walk = Files.walk(profile)) {
      List<Path> all = new ArrayList<>(walk.toList());
      java.util.Collections.reverse(all);
      for (Path p : all) Files.deleteIfExists(p);
    } catch (java.io.IOException ignored) {
      // see above
    }
  }
}
