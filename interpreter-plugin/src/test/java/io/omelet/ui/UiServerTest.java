package io.omelet.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omelet.commands.CommandContext;
import io.omelet.commands.CommandResult;
import io.omelet.commands.CommandSink;
import io.omelet.commands.OmeletCommands;
import io.omelet.testing.Dribblers;
import io.omelet.registry.ActiveRun;
import io.omelet.registry.Metric;
import io.omelet.registry.OmeletRegistry;
import io.omelet.testing.SharedSpark;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code omelet ui} over real HTTP on loopback, on a real registry: one {@code omelet run} on
 * mlc_churn (a parent run with children, artifacts, a registered model with an alias), plus runs
 * logged with hostile names and tags, a 10,000-point metric history and an artifact folder with a
 * symbolic link out of it. Two servers: read-only, and with writes allowed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiServerTest {
  static final String SCRIPT_TAG = UiFixture.SCRIPT_TAG;
  final ObjectMapper json = new ObjectMapper();
  final HttpClient client = HttpClient.newHttpClient();
  OmeletRegistry registry;
  Path dir;
  String parentRunId;
  String hostileRunId;
  String otherRunId;
  UiServer readOnly;
  UiServer writable;

  @BeforeAll
  void setUp() throws Exception {
    UiFixture f = UiFixture.shared();
    registry = f.registry;
    dir = f.dir;
    parentRunId = f.parentRunId;
    hostileRunId = f.hostileRunId;
    otherRunId = f.otherRunId;
    readOnly = UiServer.start(registry, "127.0.0.1", 0, false);
    writable = UiServer.start(registry, "127.0.0.1", 0, true);
  }

  @AfterAll
  void tearDown() {
    if (readOnly != null) readOnly.close();
    if (writable != null) writable.close();
  }

  // ---------------------------------------------------------------- helpers

  HttpResponse<String> get(UiServer s, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(s.uri().resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode getJson(UiServer s, String path, int status) throws Exception {
    HttpResponse<String> r = get(s, path);
    assertEquals(status, r.statusCode(), path + ": " + r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), path);
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null));
    return json.readTree(r.body());
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A path segment: in a path '+' is a plus, so spaces go as %20. */
  static String seg(String s) {
    return q(s).replace("+", "%20");
  }

  HttpResponse<String> send(UiServer s, String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(s.uri().resolve(path)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header(UiApi.TOKEN_HEADER, token);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  // ---------------------------------------------------------------- pages and experiments

  @Test
  void thePageShellComesFromTheJarWithAStrictPolicy() throws Exception {
    HttpResponse<String> page = get(readOnly, "/");
    assertEquals(200, page.statusCode());
    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("script-src 'self'") && csp.contains("object-src 'none'"), csp);
    assertFalse(page.body().matches("(?s).*(src|href)=\"https?:.*"), "no network references");
    assertEquals(200, get(readOnly, "/static/app.js").statusCode());
    assertEquals(200, get(readOnly, "/static/uplot/uPlot.iife.min.js").statusCode());
    assertEquals(404, get(readOnly, "/static/..%2F..%2Fpom.xml").statusCode());
    HttpResponse<String> missing = get(readOnly, "/nothing-" + q(SCRIPT_TAG));
    assertEquals(404, missing.statusCode());
    assertTrue(missing.body().contains("&lt;script&gt;"), missing.body());
    assertFalse(missing.body().contains(SCRIPT_TAG), "the name is escaped in the 404 page");
  }

  @Test
  void experimentsListRunCountsAndLastActivity() throws Exception {
    JsonNode exps = getJson(readOnly, "/api/experiments", 200);
    JsonNode churn = find(exps, "name", "churn");
    assertTrue(churn.get("run_count").asInt() >= 3, churn.toString()); // the parent and its model runs
    JsonNode hostile = find(exps, "name", "hostile " + SCRIPT_TAG);
    assertEquals(2, hostile.get("run_count").asInt());
    assertTrue(hostile.get("last_activity").asLong() > 0);
    JsonNode one = getJson(readOnly, "/api/experiments/" + hostile.get("experiment_id").asText(), 200);
    assertEquals("hostile " + SCRIPT_TAG, one.get("name").asText(), "user strings travel as data, verbatim");
    JsonNode none = getJson(readOnly, "/api/experiments/no-such-id", 404);
    assertTrue(none.get("error").asText().contains("no experiment 'no-such-id'"), none.toString());
  }

  // ---------------------------------------------------------------- runs

  @Test
  void runsAreFilteredSortedAndPagedByTheRegistry() throws Exception {
    String exp = experimentId("hostile " + SCRIPT_TAG);
    JsonNode gbm = getJson(readOnly, "/api/runs?experiment_id=" + exp + "&filter=" + q("params.algo = 'GBM' or metrics.auc > 0.9"), 200);
    assertEquals(1, gbm.get("runs").size());
    assertEquals(hostileRunId, gbm.get("runs").get(0).get("run_id").asText());
    assertEquals(SCRIPT_TAG, gbm.get("runs").get(0).get("tags").get("note").asText());
    JsonNode sorted = getJson(readOnly, "/api/runs?experiment_id=" + exp + "&order_by=" + q("metrics.auc DESC"), 200);
    assertEquals(otherRunId, sorted.get("runs").get(0).get("run_id").asText(), "0.72 before 0.61");
    JsonNode page1 = getJson(readOnly, "/api/runs?experiment_id=" + exp + "&max_results=1&order_by=" + q("metrics.auc ASC"), 200);
    assertEquals(hostileRunId, page1.get("runs").get(0).get("run_id").asText());
    String token = page1.get("next_page_token").asText();
    JsonNode page2 = getJson(readOnly, "/api/runs?experiment_id=" + exp + "&max_results=1&order_by=" + q("metrics.auc ASC")
        + "&page_token=" + q(token), 200);
    assertEquals(otherRunId, page2.get("runs").get(0).get("run_id").asText());
    assertTrue(page2.get("next_page_token").isNull());
    assertTrue(page1.get("columns").get("metrics").toString().contains("auc"));
  }

  @Test
  void aBadFilterIsA400WithItsPositionNotA500() throws Exception {
    JsonNode bad = getJson(readOnly, "/api/runs?filter=" + q("metrics.auc >> 0.9"), 400);
    int at = bad.get("position").asInt();
    assertTrue(at >= 12 && at <= 14, "the error points into '>> 0.9': " + bad);
    assertTrue(bad.get("error").asText().startsWith("bad filter at position " + at), bad.toString());
    JsonNode unknownExp = getJson(readOnly, "/api/runs?experiment_id=nope", 404);
    assertTrue(unknownExp.get("error").asText().contains("nope"));
    getJson(readOnly, "/api/runs?max_results=0", 400);
  }

  @Test
  void aRunPageHasItsDataChildrenAndInputs() throws Exception {
    JsonNode run = getJson(readOnly, "/api/runs/" + parentRunId, 200);
    assertEquals("FINISHED", run.get("status").asText());
    assertTrue(run.get("children").size() >= 2, "the run's models are its children");
    assertEquals("churn", run.get("experiment_name").asText());
    JsonNode input = run.get("inputs").get(0);
    assertEquals(input.get("name").asText(), run.get("dataset").asText(), "the runs table's dataset column");
    assertEquals("FILE", input.get("kind").asText());
    assertTrue(input.get("reproduce").asText().contains(input.get("digest").asText()));
    String child = run.get("children").get(0).get("run_id").asText();
    assertEquals(parentRunId, getJson(readOnly, "/api/runs/" + child, 200).get("parent").get("run_id").asText());
    JsonNode missing = getJson(readOnly, "/api/runs/" + seg("nope<b>"), 404);
    assertEquals("no run 'nope<b>'", missing.get("error").asText());
  }

  @Test
  void longHistoriesAreDownsampledKeepingTheSpike() throws Exception {
    JsonNode h = getJson(readOnly, "/api/metric-history?run_id=" + hostileRunId + "&key=loss&points=500", 200);
    JsonNode s = h.get("series").get(0);
    assertEquals(10_000, s.get("points").asInt());
    assertEquals(500, s.get("x").size());
    double max = 0;
    for (JsonNode y : s.get("y")) max = Math.max(max, y.asDouble());
    assertTrue(max > 3, "LTTB keeps the one-point spike at step 5000");
    assertEquals(0, s.get("x").get(0).asDouble());
    assertEquals(9999, s.get("x").get(499).asDouble());
    JsonNode rel = getJson(readOnly, "/api/metric-history?run_id=" + hostileRunId + "&run_id=" + otherRunId + "&key=auc&x=relative", 200);
    assertEquals(2, rel.get("series").size(), "two runs overlaid");
    getJson(readOnly, "/api/metric-history?run_id=" + hostileRunId + "&key=loss&x=epoch", 400);
    getJson(readOnly, "/api/metric-history?run_id=nope&key=loss", 404);
  }

  // ---------------------------------------------------------------- artifacts

  @Test
  void artifactsAreListedAndServedSandboxedInsideTheRunFolderOnly() throws Exception {
    JsonNode top = getJson(readOnly, "/api/artifacts?run_id=" + parentRunId, 200);
    assertTrue(top.toString().contains("\"report\""), top.toString());
    HttpResponse<String> html = get(readOnly, "/api/artifact?run_id=" + hostileRunId + "&path=" + q("report/page.html"));
    assertEquals(200, html.statusCode());
    assertTrue(html.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(html.headers().firstValue("Content-Security-Policy").orElse("").startsWith("sandbox"), "scripts in user HTML never run");
    assertEquals("nosniff", html.headers().firstValue("X-Content-Type-Options").orElse(null));
    HttpResponse<String> csv = get(readOnly, "/api/artifact?run_id=" + hostileRunId + "&path=tables/t.csv&download=1");
    assertTrue(csv.headers().firstValue("Content-Disposition").orElse("").contains("attachment; filename=\"t.csv\""));
    for (String path : List.of("../" + parentRunId + "/report/index.html", "/etc/passwd", "tables/../../x",
        "tables/escape.txt", "no/such/file.txt")) {
      HttpResponse<String> r = get(readOnly, "/api/artifact?run_id=" + hostileRunId + "&path=" + q(path));
      assertEquals(404, r.statusCode(), path + ": " + r.body());
      assertFalse(r.body().contains("not for the UI"), path);
    }
    JsonNode hostileTop = getJson(readOnly, "/api/artifacts?run_id=" + hostileRunId, 200);
    assertEquals(2, hostileTop.size(), "report and tables: " + hostileTop);
    JsonNode tables = getJson(readOnly, "/api/artifacts?run_id=" + hostileRunId + "&path=tables", 200);
    assertTrue(tables.toString().contains("tables/t.csv"), tables.toString());
    assertFalse(tables.toString().contains("escape.txt"), "a link out is not even listed: " + tables);
    getJson(readOnly, "/api/artifacts?run_id=" + hostileRunId + "&path=" + q("../.."), 404);
  }

  // ---------------------------------------------------------------- compare

  @Test
  void compareMarksWhatDiffers() throws Exception {
    JsonNode c = getJson(readOnly, "/api/compare?run_id=" + hostileRunId + "&run_id=" + otherRunId, 200);
    assertTrue(find(c.get("params"), "key", "algo").get("differs").asBoolean());
    assertFalse(find(c.get("params"), "key", "depth").get("differs").asBoolean());
    assertTrue(find(c.get("metrics"), "key", "auc").get("differs").asBoolean());
    getJson(readOnly, "/api/compare?run_id=" + hostileRunId, 400);
  }

  // ---------------------------------------------------------------- models and writes

  @Test
  void modelsAndVersions() throws Exception {
    JsonNode models = getJson(readOnly, "/api/models", 200);
    JsonNode churn = find(models, "name", "churn");
    assertEquals(1, churn.get("aliases").get("champion").asInt());
    JsonNode model = getJson(readOnly, "/api/models/churn", 200);
    assertEquals(1, model.get("versions").get(0).get("version").asInt());
    assertEquals("champion", model.get("versions").get(0).get("aliases").get(0).asText());
    JsonNode missing = getJson(readOnly, "/api/models/" + seg("no such"), 404);
    assertEquals("no registered model 'no such'", missing.get("error").asText());
  }

  @Test
  void aliasesMoveOnlyWithWritesAllowedAndTheSessionToken() throws Exception {
    assertEquals(403, send(readOnly, "PUT", "/api/models/churn/aliases/staging", "{\"version\": 1}", null).statusCode());
    JsonNode ro = getJson(readOnly, "/api/session", 200);
    assertFalse(ro.get("writes").asBoolean());
    assertTrue(ro.get("token").isNull());
    // a cross-site form or fetch cannot add the token header: without it, 403
    assertEquals(403, send(writable, "PUT", "/api/models/churn/aliases/staging", "{\"version\": 1}", null).statusCode());
    assertEquals(403, send(writable, "PUT", "/api/models/churn/aliases/staging", "{\"version\": 1}", "wrong").statusCode());
    String token = getJson(writable, "/api/session", 200).get("token").asText();
    HttpResponse<String> put = send(writable, "PUT", "/api/models/churn/aliases/staging", "{\"version\": 1}", token);
    assertEquals(200, put.statusCode(), put.body());
    assertEquals(1, registry.getModelVersionByAlias("churn", "staging").version());
    assertEquals(404, send(writable, "PUT", "/api/models/churn/aliases/x", "{\"version\": 9}", token).statusCode());
    assertEquals(400, send(writable, "PUT", "/api/models/churn/aliases/x", "{\"version\": \"one\"}", token).statusCode());
    assertEquals(400, send(writable, "PUT", "/api/models/churn/aliases/x", "not json", token).statusCode());
    assertEquals(200, send(writable, "DELETE", "/api/models/churn/aliases/staging", null, token).statusCode());
    assertNull(registry.getRegisteredModel("churn").aliases().get("staging"));
    assertEquals(404, send(writable, "DELETE", "/api/models/churn/aliases/staging", null, token).statusCode());
    assertEquals(405, send(writable, "POST", "/api/models/churn", "{}", token).statusCode());
  }

  // ---------------------------------------------------------------- transport rules

  @Test
  void anotherHostNameIsRefusedAndBodiesAreBounded() throws Exception {
    String reply = raw(readOnly, "GET /api/experiments HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n");
    assertTrue(reply.startsWith("HTTP/1.1 421"), reply);
    String big = raw(writable, "PUT /api/models/churn/aliases/a HTTP/1.1\r\nHost: " + writable.uri().getAuthority()
        + "\r\nContent-Length: " + (UiServer.MAX_BODY_BYTES + 1) + "\r\nConnection: close\r\n\r\n");
    assertTrue(big.startsWith("HTTP/1.1 413"), big);
    assertEquals(200, get(readOnly, "/api/session").statusCode(), "still serving");
  }

  @Test
  void clientsDribblingTheirHeadersStallNoMlflowCall() throws Exception {
    String call = "/api/2.0/mlflow/runs/get?run_id=" + parentRunId;
    assertEquals(200, get(readOnly, call).statusCode(), "warm");
    // more dribblers than the server keeps threads: each holds one while the JDK server reads its headers
    try (Dribblers slow = Dribblers.start("127.0.0.1", readOnly.uri().getPort(),
        "POST /api/2.0/mlflow/runs/log-metric HTTP/1.1\r\nHo", 3 * UiServer.WORKERS)) {
      // answered before the dribblers' deadline, while they still hold their connections
      HttpRequest req = HttpRequest.newBuilder(readOnly.uri().resolve(call))
          .timeout(java.time.Duration.ofSeconds(io.omelet.http.ConnectionLimits.REQUEST_SECONDS - 1)).GET().build();
      HttpResponse<String> run = client.send(req, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, run.statusCode(), run.body());
      assertEquals(parentRunId, json.readTree(run.body()).get("run").get("info").get("run_id").asText());
      slow.assertEachCutOff(io.omelet.http.ConnectionLimits.REQUEST_SECONDS,
          "the server closed the dribbler's connection at the deadline");
    }
  }

  /** Sends raw bytes (the JDK client will not set a foreign Host header) and reads the status line. */
  static String raw(UiServer s, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", s.uri().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[256];
      int n = in.read(buf);
      return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }
  }

  // ---------------------------------------------------------------- lookups

  String experimentId(String name) throws Exception {
    return find(getJson(readOnly, "/api/experiments", 200), "name", name).get("experiment_id").asText();
  }

  static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode n : array) if (value.equals(n.path(field).asText())) return n;
    throw new AssertionError("no element with " + field + " = " + value + " in " + array);
  }

  @Test
  void lttbKeepsEndsAndExtremes() {
    double[] x = new double[1000], y = new double[1000];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
      y[i] = i == 600 ? -50 : Math.sin(i / 50.0);
    }
    int[] kept = Lttb.downsample(x, y, 50);
    assertEquals(50, kept.length);
    assertEquals(0, kept[0]);
    assertEquals(999, kept[49]);
    boolean dip = false;
    for (int i : kept) dip |= i == 600;
    assertTrue(dip, "the dip at 600 survives");
    assertEquals(10, Lttb.downsample(new double[10], new double[10], 50).length, "short series untouched");
    assertNotNull(io.omelet.common.HtmlText.escape(null));
  }
}
