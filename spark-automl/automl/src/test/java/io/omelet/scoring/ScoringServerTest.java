package io.omelet.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hex.genmodel.GenModel;
import hex.genmodel.MojoReaderBackendFactory;
import hex.genmodel.easy.EasyPredictModelWrapper;
import hex.genmodel.easy.RowData;
import hex.genmodel.easy.prediction.BinomialModelPrediction;
import io.omelet.testing.Dribblers;
import io.omelet.registry.OmeletRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The REST server on loopback against a real registry holding two GBM versions trained on
 * lending_club by the embedded H2O node: its answers are compared with h2o-genmodel's own
 * EasyPredictModelWrapper on a separately loaded copy of the same MOJO.
 */
class ScoringServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = LoansRegistry.NAME;

  private static OmeletRegistry registry;
  private static ScoringServer server;
  private static HttpClient client;
  private static List<Row> rows;
  private static String[] columns;

  @BeforeAll
  static void serveTheFirstOfTwoVersions() throws Exception {
    LoansRegistry loans = LoansRegistry.get();
    registry = loans.registry;
    rows = loans.rows;
    columns = loans.columns;
    server = ScoringServer.start(registry, ServerConfig.of(NAME + "@champion").withPort(0)
        .withReloadInterval(Duration.ZERO));
    client = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  // ------------------------------------------------------------------ predictions

  @Test
  void manyRowsInOneRequestEqualTheMojosOwnPredictions() throws Exception {
    ArrayNode body = JSON.createArrayNode();
    for (Row r : rows) body.add(json(r));
    HttpResponse<String> res = post(server, "/predict", body.toString());
    assertEquals(200, res.statusCode(), res.body());
    JsonNode out = JSON.readTree(res.body());
    assertEquals(NAME, out.get("model").get("name").asText());
    assertEquals(1, out.get("model").get("version").asInt());
    assertEquals(rows.size(), out.get("predictions").size());
    EasyPredictModelWrapper reference = reference(1, false);
    for (int i = 0; i < rows.size(); i++) {
      assertSamePrediction(reference.predictBinomial(rowData(rows.get(i))), out.get("predictions").get(i));
    }
  }

  @Test
  void oneRowPerRequestAndTheRowsWrapperGiveTheSameAnswers() throws Exception {
    EasyPredictModelWrapper reference = reference(1, false);
    ArrayNode wrapped = JSON.createArrayNode();
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> res = post(server, "/predict", json(rows.get(i)).toString());
      assertEquals(200, res.statusCode(), res.body());
      JsonNode p = JSON.readTree(res.body()).get("predictions");
      assertEquals(1, p.size());
      assertSamePrediction(reference.predictBinomial(rowData(rows.get(i))), p.get(0));
      wrapped.add(json(rows.get(i)));
    }
    ObjectNode body = JSON.createObjectNode();
    body.set("rows", wrapped);
    HttpResponse<String> res = post(server, "/predict", body.toString());
    assertEquals(200, res.statusCode(), res.body());
    JsonNode p = JSON.readTree(res.body()).get("predictions");
    assertEquals(4, p.size());
    for (int i = 0; i < 4; i++) {
      assertSamePrediction(reference.predictBinomial(rowData(rows.get(i))), p.get(i));
    }
  }

  @Test
  void explainAddsContributionsThatSumToTheLogit() throws Exception {
    ArrayNode body = JSON.createArrayNode();
    for (int i = 0; i < 5; i++) body.add(json(rows.get(i)));
    HttpResponse<String> res = post(server, "/predict?explain=true", body.toString());
    assertEquals(200, res.statusCode(), res.body());
    JsonNode preds = JSON.readTree(res.body()).get("predictions");
    EasyPredictModelWrapper reference = reference(1, true);
    String[] names = reference.getContributionNames();
    Set<String> features = Set.of(server.model().mojo().features());
    for (int i = 0; i < 5; i++) {
      JsonNode p = preds.get(i);
      JsonNode c = p.get("contributions");
      assertNotNull(c, p.toString());
      assertEquals(features, fieldNames(c));
      float[] expected = reference.predictContributions(rowData(rows.get(i)));
      double sum = p.get("bias").asDouble();
      for (int k = 0; k < names.length - 1; k++) {
        // Omelet's TreeSHAP runs in double precision, h2o-genmodel's in float.
        assertEquals((double) expected[k], c.get(names[k]).asDouble(), 1e-5, names[k]);
        sum += c.get(names[k]).asDouble();
      }
      assertEquals((double) expected[names.length - 1], p.get("bias").asDouble(), 1e-5);
      double p1 = p.get("positive_probability").asDouble();
      assertEquals(Math.log(p1 / (1 - p1)), sum, 1e-6, "contributions + bias = logit(p1)");
    }
    // Without explain there are no contributions.
    JsonNode plain = JSON.readTree(post(server, "/predict", json(rows.get(0)).toString()).body());
    assertFalse(plain.get("predictions").get(0).has("contributions"));
  }

  @Test
  void unknownFieldsAndOtherCaseAreIgnoredAndNullIsAMissingValue() throws Exception {
    Row r = rows.get(0);
    JsonNode plain = predictOne(json(r));
    ObjectNode extra = JSON.createObjectNode();
    json(r).fields().forEachRemaining(e -> extra.set(e.getKey().toUpperCase(Locale.ROOT), e.getValue()));
    extra.put("customer_id", "c-123");
    extra.putObject("nested").put("a", 1);
    assertEquals(plain, predictOne(extra));

    // A numeric feature given as a string is parsed.
    ObjectNode asText = json(r);
    asText.put("int_rate", String.valueOf(r.<Object>getAs("int_rate")));
    assertEquals(plain, predictOne(asText));

    // An explicit null is present (a missing value), as is an unknown level: both score like NA.
    ObjectNode withNull = json(r);
    withNull.putNull("int_rate");
    withNull.put("addr_state", "no-such-state");
    RowData expected = rowData(r);
    expected.remove("int_rate");
    expected.remove("addr_state");
    assertSamePrediction(reference(1, false).predictBinomial(expected), predictOne(withNull));
  }

  // ------------------------------------------------------------------ metadata

  @Test
  void modelAndHealthDescribeTheServedVersion() throws Exception {
    HttpResponse<String> res = client.send(get(server, "/model"), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, res.statusCode(), res.body());
    JsonNode m = JSON.readTree(res.body());
    assertEquals(NAME + "@champion", m.get("uri").asText());
    assertEquals(NAME, m.get("name").asText());
    assertEquals(1, m.get("version").asInt());
    assertEquals(registry.getModelVersion(NAME, 1).runId(), m.get("run_id").asText());
    assertEquals("gbm", m.get("algorithm").asText().toLowerCase(Locale.ROOT));
    assertEquals("Binomial", m.get("category").asText());
    assertTrue(m.get("classifier").asBoolean());
    assertEquals("Class", m.get("response").get("name").asText());
    assertEquals(List.of("bad", "good"), texts(m.get("response").get("labels")));
    assertEquals("good", m.get("response").get("positive_label").asText());
    String[] features = server.model().mojo().features();
    assertEquals(features.length, m.get("features").size());
    for (JsonNode f : m.get("features")) {
      String name = f.get("name").asText();
      if (name.equals("term")) {
        assertEquals("categorical", f.get("type").asText());
        assertTrue(texts(f.get("levels")).containsAll(List.of("term_36", "term_60")), f.toString());
      } else if (name.equals("funded_amnt")) {
        assertEquals("numeric", f.get("type").asText());
        assertFalse(f.has("levels"));
      }
    }
    assertNotNull(java.time.Instant.parse(m.get("loaded_at").asText()));

    HttpResponse<String> health = client.send(get(server, "/health"), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    JsonNode h = JSON.readTree(health.body());
    assertEquals("ok", h.get("status").asText());
    assertEquals(1, h.get("model").get("version").asInt());
  }

  // ------------------------------------------------------------------ bad requests

  @Test
  void badJsonIs400WithTheParsersReason() throws Exception {
    HttpResponse<String> res = post(server, "/predict", "{\"funded_amnt\": 100,\n \"term\": }");
    assertEquals(400, res.statusCode());
    JsonNode e = JSON.readTree(res.body());
    assertEquals(400, e.get("status").asInt());
    assertTrue(e.get("error").asText().contains("line 2, column"), e.toString());
    assertEquals(400, post(server, "/predict", "").statusCode());
    assertEquals(400, post(server, "/predict", json(rows.get(0)) + " trailing").statusCode());
    assertEquals(400, post(server, "/predict", "[1, 2]").statusCode());
    assertEquals(400, post(server, "/predict", "[]").statusCode());
  }

  @Test
  void aBodyOverTheLimitIs413WithOrWithoutContentLength() throws Exception {
    try (ScoringServer small = ScoringServer.start(registry, ServerConfig.of(NAME + "@champion").withPort(0)
        .withReloadInterval(Duration.ZERO).withMaxBodyBytes(2048))) {
      String one = json(rows.get(0)).toString();
      assertEquals(200, post(small, "/predict", one).statusCode());
      ArrayNode many = JSON.createArrayNode();
      for (int i = 0; i < 40; i++) many.add(json(rows.get(i % rows.size())));
      byte[] big = many.toString().getBytes(StandardCharsets.UTF_8);
      assertTrue(big.length > 2048);
      HttpResponse<String> sized = post(small, "/predict", many.toString());
      assertEquals(413, sized.statusCode());
      assertEquals(413, JSON.readTree(sized.body()).get("status").asInt());
      // Chunked (no Content-Length): caught while reading.
      HttpRequest chunked = HttpRequest.newBuilder(small.uri().resolve("/predict"))
          .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build();
      HttpResponse<String> res = client.send(chunked, HttpResponse.BodyHandlers.ofString());
      assertEquals(413, res.statusCode(), res.body());
    }
  }

  @Test
  void missingFeatureFieldsAre422NamingThem() throws Exception {
    ObjectNode row = json(rows.get(0));
    row.remove("term");
    row.remove("int_rate");
    ArrayNode body = JSON.createArrayNode().add(json(rows.get(1))).add(row);
    HttpResponse<String> res = post(server, "/predict", body.toString());
    assertEquals(422, res.statusCode());
    JsonNode e = JSON.readTree(res.body());
    assertEquals(1, e.get("row").asInt());
    assertEquals(Set.of("term", "int_rate"), new HashSet<>(texts(e.get("fields"))));
    assertTrue(e.get("error").asText().contains("term"), e.toString());
  }

  @Test
  void aFieldOfTheWrongKindIs422NamingIt() throws Exception {
    ObjectNode obj = json(rows.get(0));
    obj.putObject("funded_amnt").put("value", 1);
    assertWrongKind(obj, "funded_amnt");
    ObjectNode text = json(rows.get(0));
    text.put("int_rate", "high");
    assertWrongKind(text, "int_rate");
    ObjectNode arr = json(rows.get(0));
    arr.putArray("term").add("term_36");
    assertWrongKind(arr, "term");
  }

  @Test
  void wrongMethodIs405AndUnknownPathIs404() throws Exception {
    HttpResponse<String> res = client.send(get(server, "/predict"), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, res.statusCode());
    assertEquals("POST", res.headers().firstValue("Allow").orElse(""));
    assertEquals(405, JSON.readTree(res.body()).get("status").asInt());
    assertEquals(405, post(server, "/model", "{}").statusCode());
    HttpResponse<String> none = client.send(get(server, "/predictions"), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, none.statusCode());
    assertTrue(JSON.readTree(none.body()).get("error").asText().contains("/predictions"));
    // HEAD answers with headers only, on a connection that stays usable
    for (String path : List.of("/health", "/predict", "/nothing")) {
      java.net.Socket so = new java.net.Socket(server.host(), server.port());
      try (so) {
        so.setSoTimeout(10_000);
        so.getOutputStream().write(("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        java.io.InputStream in = so.getInputStream();
        String status = readLine(in);
        assertTrue(status.startsWith("HTTP/1.1 "), status);
        while (!readLine(in).isEmpty()) {
          // headers
        }
        byte[] request = json(rows.get(0)).toString().getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: " + request.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        assertEquals(200, exchangeOn(so, head, request), "a request after HEAD " + path + " on the same connection");
      }
    }
  }

  @Test
  void anUnknownAliasFailsAtStartNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ScoringServer.start(registry, ServerConfig.of(NAME + "@no_such_alias").withPort(0)));
    assertTrue(e.getMessage().contains("no_such_alias"), e.getMessage());
    // names that would be paths out of the registry are refused before anything is read
    for (String uri : List.of("../" + NAME + "@champion", "..@champion", NAME + "/../" + NAME + "@champion",
        "/etc@champion", NAME + "@../x", NAME + "@cham\u0000pion")) {
      RuntimeException bad = assertThrows(RuntimeException.class,
          () -> ScoringServer.start(registry, ServerConfig.of(uri).withPort(0)), uri);
      assertTrue(bad.getMessage().contains("not valid") || bad.getMessage().contains("model URI"),
          uri + ": " + bad.getMessage());
    }
  }

  @Test
  void aMovedAliasIsServedAfterAReload() throws Exception {
    registry.setRegisteredModelAlias(NAME, "staging", 1);
    try (ScoringServer s = ScoringServer.start(registry, ServerConfig.of(NAME + "@staging").withPort(0)
        .withReloadInterval(Duration.ZERO))) {
      ArrayNode body = JSON.createArrayNode();
      for (Row r : rows) body.add(json(r));
      JsonNode before = JSON.readTree(post(s, "/predict", body.toString()).body());
      assertEquals(1, before.get("model").get("version").asInt());
      assertFalse(s.reload(), "nothing moved yet");

      registry.setRegisteredModelAlias(NAME, "staging", 2);
      HttpResponse<String> reload = post(s, "/reload", "");
      assertEquals(200, reload.statusCode(), reload.body());
      assertTrue(JSON.readTree(reload.body()).get("changed").asBoolean());
      assertEquals(2, s.model().resolved().version());
      // reloads run registry jobs: a second request within the second is refused, not run
      HttpResponse<String> again = post(s, "/reload", "");
      assertEquals(429, again.statusCode(), again.body());
      assertEquals("1", again.headers().firstValue("Retry-After").orElse(""));

      JsonNode after = JSON.readTree(post(s, "/predict", body.toString()).body());
      assertEquals(2, after.get("model").get("version").asInt());
      EasyPredictModelWrapper v2 = reference(2, false);
      boolean anyDiffers = false;
      for (int i = 0; i < rows.size(); i++) {
        assertSamePrediction(v2.predictBinomial(rowData(rows.get(i))), after.get("predictions").get(i));
        anyDiffers |= !before.get("predictions").get(i).equals(after.get("predictions").get(i));
      }
      assertTrue(anyDiffers, "the two versions score differently");

      registry.setRegisteredModelAlias(NAME, "staging", 1);
      assertTrue(s.reload());
      JsonNode back = JSON.readTree(post(s, "/predict", body.toString()).body());
      assertEquals(before, back);
    }
  }

  @Test
  void overloadIsShedWith503AndRetryAfterWhileHealthStillAnswers() throws Exception {
    try (ScoringServer s = ScoringServer.start(registry, ServerConfig.of(NAME + "@champion").withPort(0)
        .withReloadInterval(Duration.ZERO).withThreads(1))) {
      // Every admission slot held by a client that sent its headers and then part of its body.
      List<java.net.Socket> holding = new ArrayList<>();
      HttpResponse<String> busy = null;
      try {
        for (int i = 0; i < io.omelet.http.Admission.PER_WORKER; i++) {
          java.net.Socket so = new java.net.Socket(s.host(), s.port());
          so.getOutputStream().write(("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "Content-Length: 1000\r\n\r\n[").getBytes(StandardCharsets.US_ASCII));
          so.getOutputStream().flush();
          holding.add(so);
        }
        // the held requests are admitted as the server reads their headers
        for (int attempt = 0; attempt < 40 && s.admissionsFree() > 0; attempt++) Thread.sleep(50);
        System.err.println("admission slots free: " + s.admissionsFree());
        busy = post(s, "/predict", json(rows.get(0)).toString());
        assertEquals(503, busy.statusCode(), busy.body());
        assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
        assertEquals(503, JSON.readTree(busy.body()).get("status").asInt());
        assertEquals(200, client.send(get(s, "/health"), HttpResponse.BodyHandlers.ofString()).statusCode(),
            "health answers while scoring is full");
      } finally {
        for (java.net.Socket so : holding) so.close();
      }
      // the slots come back once those clients are gone
      HttpResponse<String> ok = null;
      for (int attempt = 0; attempt < 40; attempt++) {
        ok = post(s, "/predict", json(rows.get(0)).toString());
        if (ok.statusCode() == 200) break;
        Thread.sleep(50);
      }
      assertEquals(200, ok.statusCode(), ok.body());
    }
  }

  @Test
  void clientsThatDribbleTheirHeadersNeitherStallScoringNorStayConnected() throws Exception {
    try (ScoringServer s = ScoringServer.start(registry, ServerConfig.of(NAME + "@champion").withPort(0)
        .withReloadInterval(Duration.ZERO).withThreads(2))) {
      try (Dribblers slow = Dribblers.start(s.host(), s.port(), "POST /predict HTTP/1.1\r\nHo", 50)) {
        // a server whose workers wait on those headers would never answer these
        HttpClient patient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 20; i++) {
          HttpRequest req = HttpRequest.newBuilder(s.uri().resolve("/predict")).timeout(Duration.ofSeconds(5))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json(rows.get(i % rows.size())).toString())).build();
          assertEquals(200, patient.send(req, HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        // and each dribbler is cut off once its time to send a request is up
        slow.assertEachCutOff(io.omelet.http.ConnectionLimits.REQUEST_SECONDS, "the server closed the connection");
      }
    }
  }

  @Test
  void aFailureInsideTheServerIs500WithAnIdAndNoDetailAndTheServerGoesOn() throws Exception {
    try (ScoringServer s = ScoringServer.start(registry, ServerConfig.of(NAME + "@champion").withPort(0)
        .withReloadInterval(Duration.ZERO))) {
      for (Throwable fault : List.<Throwable>of(new IllegalStateException("secret detail /etc/omelet"),
          new StackOverflowError("secret detail /etc/omelet"))) {
        s.beforeRoute = ex -> {
          if (fault instanceof RuntimeException re) throw re;
          throw (Error) fault;
        };
        HttpResponse<String> res = post(s, "/predict", json(rows.get(0)).toString());
        assertEquals(500, res.statusCode(), fault.toString());
        JsonNode body = JSON.readTree(res.body());
        String id = body.get("error_id").asText();
        assertTrue(id.matches("[0-9a-f]{1,12}"), id);
        assertTrue(body.get("error").asText().contains(id));
        assertFalse(res.body().contains("secret"), res.body());
        assertFalse(res.body().contains(fault.getClass().getSimpleName()), res.body());
      }
      s.beforeRoute = null;
      assertEquals(200, post(s, "/predict", json(rows.get(0)).toString()).statusCode());
      assertEquals(200, client.send(get(s, "/health"), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
  }

  @Test
  void threeHundredKeepAliveConnectionsEachAnswerASecondRequest() throws Exception {
    // The JDK server closes a connection after its response once 200 are idle (its default):
    // the client's next request on it would then meet a closed socket instead of an answer.
    byte[] body = json(rows.get(0)).toString().getBytes(StandardCharsets.UTF_8);
    byte[] request = ("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    List<java.net.Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        java.net.Socket so = new java.net.Socket(server.host(), server.port());
        so.setSoTimeout(20_000);
        open.add(so);
        assertEquals(200, exchangeOn(so, request, body), "first request on connection " + i);
      }
      // all 300 are idle now
      for (int i = 0; i < open.size(); i++) {
        assertEquals(200, exchangeOn(open.get(i), request, body), "second request on connection " + i);
      }
    } finally {
      for (java.net.Socket so : open) so.close();
    }
  }

  /** Sends one request on a kept-alive socket and reads its response; the status, or -1 if closed. */
  private static int exchangeOn(java.net.Socket so, byte[] head, byte[] body) throws java.io.IOException {
    java.io.OutputStream out = so.getOutputStream();
    try {
      out.write(head);
      out.write(body);
      out.flush();
    } catch (java.net.SocketException closed) {
      return -1;
    }
    java.io.DataInputStream in = new java.io.DataInputStream(so.getInputStream());
    String status = readLine(in);
    if (status == null) return -1;
    long length = -1;
    for (String h; (h = readLine(in)) != null && !h.isEmpty(); ) {
      if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Long.parseLong(h.substring(15).trim());
    }
    if (length < 0) throw new AssertionError("no Content-Length in the response to a kept-alive request");
    in.readFully(new byte[(int) length]);
    return Integer.parseInt(status.substring(9, 12));
  }

  private static String readLine(java.io.InputStream in) throws java.io.IOException {
    StringBuilder s = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) return s.length() == 0 ? null : s.toString();
      if (c != '\r') s.append((char) c);
    }
    return s.toString();
  }

  // ------------------------------------------------------------------ helpers

  private static void assertWrongKind(ObjectNode row, String field) throws Exception {
    HttpResponse<String> res = post(server, "/predict", row.toString());
    assertEquals(422, res.statusCode(), res.body());
    JsonNode e = JSON.readTree(res.body());
    assertEquals(List.of(field), texts(e.get("fields")));
    assertTrue(e.get("error").asText().contains(field), e.toString());
  }

  private static void assertSamePrediction(BinomialModelPrediction expected, JsonNode actual) {
    assertEquals(expected.label, actual.get("prediction").asText(), actual.toString());
    JsonNode probs = actual.get("probabilities");
    assertEquals(List.of("bad", "good"), new ArrayList<>(fieldNames(probs)));
    assertEquals(expected.classProbabilities[0], probs.get("bad").asDouble(), 0.0);
    assertEquals(expected.classProbabilities[1], probs.get("good").asDouble(), 0.0);
    assertEquals(expected.classProbabilities[1], actual.get("positive_probability").asDouble(), 0.0);
  }

  private static JsonNode predictOne(ObjectNode row) throws Exception {
    HttpResponse<String> res = post(server, "/predict", row.toString());
    assertEquals(200, res.statusCode(), res.body());
    return JSON.readTree(res.body()).get("predictions").get(0);
  }

  /** h2o-genmodel's own wrapper on a fresh load of version {@code v}'s MOJO bytes. */
  private static EasyPredictModelWrapper reference(int version, boolean contributions) throws Exception {
    byte[] bytes = ModelLoader.load(registry, NAME + "/" + version).mojo().bytes();
    GenModel g = hex.genmodel.MojoModel.load(MojoReaderBackendFactory.createReaderBackend(
        new ByteArrayInputStream(bytes), MojoReaderBackendFactory.CachingStrategy.MEMORY));
    return new EasyPredictModelWrapper(new EasyPredictModelWrapper.Config().setModel(g)
        .setConvertUnknownCategoricalLevelsToNa(true).setEnableContributions(contributions));
  }

  private static RowData rowData(Row r) {
    RowData d = new RowData();
    for (int i = 0; i < columns.length; i++) {
      Object v = r.get(i);
      if (v instanceof Number n) d.put(columns[i], n.doubleValue());
      else if (v != null) d.put(columns[i], v.toString());
    }
    return d;
  }

  private static ObjectNode json(Row r) {
    return LoansRegistry.json(r);
  }

  private static HttpResponse<String> post(ScoringServer s, String path, String body) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(s.uri().resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return client.send(req, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest get(ScoringServer s, String path) {
    return HttpRequest.newBuilder(s.uri().resolve(path)).GET().build();
  }

  private static Set<String> fieldNames(JsonNode o) {
    Set<String> names = new java.util.LinkedHashSet<>();
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) names.add(it.next());
    return names;
  }

  private static List<String> texts(JsonNode arr) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : arr) out.add(n.asText());
    return out;
  }

  @SuppressWarnings("unused")
  private static URI base() {
    return server.uri();
  }
}
