package io.omelet.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.automl.TestSupport;
import io.omelet.inference.InferenceLogConfig;
import io.omelet.inference.InferenceTable;
import io.omelet.inference.RequestIds;
import io.omelet.registry.RegistryException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code omelet serve}'s inference log, end to end: a real server on loopback writes what it
 * answers to the model's real Delta table, which the test then reads with Spark SQL.
 */
class InferenceLoggingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = LoansRegistry.NAME;
  private static LoansRegistry loans;
  private static HttpClient client;

  @BeforeAll
  static void registry() throws Exception {
    loans = LoansRegistry.get();
    client = HttpClient.newHttpClient();
  }

  private static ServerConfig logged(String uri, double sample) {
    return ServerConfig.of(uri).withPort(0).withReloadInterval(Duration.ZERO)
        .withInferenceLog(InferenceLogConfig.defaults().withFlushInterval(Duration.ofMillis(200)).withSampleFraction(sample));
  }

  @Test
  void everyAnsweredRowIsInTheTableWithWhatTheClientGot() throws Exception {
    loans.registry.setRegisteredModelAlias(NAME, "logged_a", 1);
    String table;
    Map<String, JsonNode> answered = new HashMap<>();
    String generated;
    String badIdAnswer;
    try (ScoringServer s = ScoringServer.start(loans.registry, logged(NAME + "@logged_a", 1.0))) {
      table = s.inferenceLog().tablePath();
      assertEquals(InferenceTable.location(qualified(loans.root), NAME), table);
      // the client's id is kept and answered
      HttpResponse<String> one = post(s, loans.json(0).toString(), "client-id-1");
      assertEquals(200, one.statusCode(), one.body());
      assertEquals("client-id-1", one.headers().firstValue(RequestIds.HEADER).orElse(""));
      answered.put("client-id-1", JSON.readTree(one.body()).get("predictions").get(0));
      // no id: one is made and answered
      HttpResponse<String> anon = post(s, loans.json(1).toString(), null);
      generated = anon.headers().firstValue(RequestIds.HEADER).orElseThrow();
      assertTrue(generated.matches("[0-9a-f]{32}"), generated);
      answered.put(generated, JSON.readTree(anon.body()).get("predictions").get(0));
      // three rows in one request share the id, with their positions
      ArrayNode three = JSON.createArrayNode().add(loans.json(2)).add(loans.json(3)).add(loans.json(4));
      HttpResponse<String> many = post(s, three.toString(), "batch-7");
      assertEquals(200, many.statusCode(), many.body());
      // a 422 row says which field failed
      ObjectNode bad = loans.json(5);
      bad.put("int_rate", "high");
      assertEquals(422, post(s, bad.toString(), "bad-field").statusCode());
      // an id that is too long is refused with 400, under a new id
      HttpResponse<String> longId = post(s, loans.json(6).toString(), "x".repeat(RequestIds.MAX_LENGTH + 1));
      assertEquals(400, longId.statusCode(), longId.body());
      assertTrue(longId.body().contains("128"), longId.body());
      badIdAnswer = longId.headers().firstValue(RequestIds.HEADER).orElseThrow();
      assertNotEquals("x".repeat(RequestIds.MAX_LENGTH + 1), badIdAnswer);
      // bad JSON: one row with no input
      assertEquals(400, post(s, "{\"funded_amnt\": ", "bad-json").statusCode());

      JsonNode health = JSON.readTree(client.send(HttpRequest.newBuilder(s.uri().resolve("/health")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).get("inference_log");
      assertEquals(table, health.get("table").asText());
      assertEquals(0, health.get("dropped_rows").asLong());
      String metrics = client.send(HttpRequest.newBuilder(s.uri().resolve("/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("omelet_inference_log_rows_total{outcome=\"dropped\"} 0"), metrics);
      assertTrue(metrics.contains("omelet_requests_total{route=\"/predict\",status=\"422\"} 1"), metrics);
    }
    // close() wrote everything: 1 + 1 + 3 + 1 + 1 + 1 rows (the other tests' rows share the table)
    List<Row> rows = TestSupport.spark().sql("SELECT * FROM delta.`" + table + "` WHERE model_alias = 'logged_a'"
        + " ORDER BY request_id, row_index").collectAsList();
    assertEquals(8, rows.size());
    Map<String, Row> byId = new HashMap<>();
    for (Row r : rows) byId.putIfAbsent(r.getAs("request_id"), r);

    Row first = byId.get("client-id-1");
    assertEquals(NAME, first.getAs("model_name"));
    assertEquals(1, (int) first.getAs("model_version"));
    assertEquals("logged_a", first.getAs("model_alias"));
    assertEquals(200, (int) first.getAs("status"));
    assertNull(first.getAs("error"));
    assertEquals(1.0, (double) first.getAs("sample_fraction"));
    assertTrue((long) first.getAs("latency_us") > 0);
    // features typed as the model takes them: a number and a level
    assertEquals(((Number) loans.rows.get(0).getAs("funded_amnt")).doubleValue(), (double) first.getAs("funded_amnt"));
    assertEquals((String) loans.rows.get(0).getAs("term"), (String) first.getAs("term"));
    for (String id : List.of("client-id-1", generated)) {
      Row r = byId.get(id);
      JsonNode answer = answered.get(id);
      assertEquals(answer.get("prediction").asText(), r.getAs("prediction"));
      Map<String, Double> p = r.getJavaMap(r.fieldIndex("probabilities"));
      assertEquals(answer.get("probabilities").get("good").asDouble(), p.get("good"), 0.0);
      assertEquals(answer.get("probabilities").get("bad").asDouble(), p.get("bad"), 0.0);
    }
    Set<Integer> positions = new HashSet<>();
    for (Row r : rows) if ("batch-7".equals(r.getAs("request_id"))) positions.add(r.getAs("row_index"));
    assertEquals(Set.of(0, 1, 2), positions);

    Row failed = byId.get("bad-field");
    assertEquals(422, (int) failed.getAs("status"));
    assertTrue(((String) failed.getAs("error")).contains("int_rate"), failed.toString());
    assertNull(failed.getAs("prediction"));
    // the value the feature could not take is kept, as sent
    assertTrue(((String) failed.getAs("extra_features")).contains("high"), failed.toString());

    Row refused = byId.get(badIdAnswer);
    assertEquals(400, (int) refused.getAs("status"));
    assertTrue(((String) refused.getAs("error")).contains("X-Request-Id"), refused.toString());
    Row badJson = byId.get("bad-json");
    assertEquals(400, (int) badJson.getAs("status"));
    assertNull(badJson.getAs("row_index"));
  }

  @Test
  void aSampleKeepsWholeRequestsAndSaysItsFraction() throws Exception {
    loans.registry.setRegisteredModelAlias(NAME, "logged_b", 1);
    String table;
    long sampledOut;
    Set<String> sent = new HashSet<>();
    try (ScoringServer s = ScoringServer.start(loans.registry, logged(NAME + "@logged_b", 0.5))) {
      table = s.inferenceLog().tablePath();
      ArrayNode two = JSON.createArrayNode().add(loans.json(0)).add(loans.json(1));
      for (int i = 0; i < 40; i++) {
        String id = "sample-" + i;
        sent.add(id);
        assertEquals(200, post(s, two.toString(), id).statusCode());
      }
      sampledOut = s.inferenceLog().sampledOutRows();
    }
    List<Row> rows = TestSupport.spark().sql("SELECT request_id, count(*) AS n, min(sample_fraction) AS f FROM delta.`"
        + table + "` WHERE request_id LIKE 'sample-%' GROUP BY request_id").collectAsList();
    assertTrue(rows.size() > 5 && rows.size() < 35, "about half of 40 requests kept, got " + rows.size());
    for (Row r : rows) {
      assertTrue(sent.contains(r.getString(0)));
      assertEquals(2L, r.getLong(1), "a kept request keeps all its rows");
      assertEquals(0.5, r.getDouble(2));
    }
    assertEquals(80 - 2L * rows.size(), sampledOut);
  }

  @Test
  void aReloadedVersionIsLoggedUnderItsNumber() throws Exception {
    loans.registry.setRegisteredModelAlias(NAME, "logged_c", 1);
    String table;
    try (ScoringServer s = ScoringServer.start(loans.registry, logged(NAME + "@logged_c", 1.0))) {
      table = s.inferenceLog().tablePath();
      assertEquals(200, post(s, loans.json(0).toString(), "before-reload").statusCode());
      loans.registry.setRegisteredModelAlias(NAME, "logged_c", 2);
      assertTrue(s.reload());
      assertEquals(200, post(s, loans.json(0).toString(), "after-reload").statusCode());
    }
    Map<String, Integer> versions = new HashMap<>();
    for (Row r : TestSupport.spark().sql("SELECT request_id, model_version FROM delta.`" + table
        + "` WHERE request_id LIKE '%-reload'").collectAsList()) {
      versions.put(r.getString(0), r.getInt(1));
    }
    assertEquals(Map.of("before-reload", 1, "after-reload", 2), versions);
  }

  @Test
  void controlCharactersInTheRequestIdAre400() throws Exception {
    try (ScoringServer s = ScoringServer.start(loans.registry, ServerConfig.of(NAME + "@champion").withPort(0)
        .withReloadInterval(Duration.ZERO))) {
      // HttpClient refuses to send a control character in a header: speak HTTP on a socket
      byte[] body = loans.json(0).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      try (java.net.Socket so = new java.net.Socket(s.host(), s.port())) {
        so.setSoTimeout(10_000);
        so.getOutputStream().write(("POST /predict HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\u0001b\r\nContent-Length: "
            + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        so.getOutputStream().write(body);
        String status = new java.io.BufferedReader(new java.io.InputStreamReader(so.getInputStream(),
            java.nio.charset.StandardCharsets.ISO_8859_1)).readLine();
        assertTrue(status.startsWith("HTTP/1.1 400"), status);
      }
      // without a log the id is still answered
      HttpResponse<String> ok = post(s, loans.json(0).toString(), "plain");
      assertEquals("plain", ok.headers().firstValue(RequestIds.HEADER).orElse(""));
      assertNull(s.inferenceLog());
    }
  }

  @Test
  void aRootThatCannotBeWrittenFailsAtStartNamingIt() throws Exception {
    Path inference = Path.of(loans.root, InferenceTable.FOLDER);
    Path moved = Path.of(loans.root, InferenceTable.FOLDER + ".moved");
    boolean existed = Files.exists(inference);
    // another test's tables may be there: set them aside while a file takes the folder's place
    if (existed) Files.move(inference, moved);
    try {
      Files.writeString(inference, "not a folder");
      RegistryException e = assertThrows(RegistryException.class,
          () -> ScoringServer.start(loans.registry, logged(NAME + "@champion", 1.0)));
      assertTrue(e.getMessage().contains("cannot write inference tables under"), e.getMessage());
      assertTrue(e.getMessage().contains(InferenceTable.FOLDER), e.getMessage());
    } finally {
      Files.deleteIfExists(inference);
      if (existed) Files.move(moved, inference);
    }
  }

  @Test
  void aRunArtifactCannotBeLoggedAndSaysWhy() throws Exception {
    String runId = loans.registry.getModelVersion(NAME, 1).runId();
    RegistryException e = assertThrows(RegistryException.class,
        () -> ScoringServer.start(loans.registry, logged("runs:/" + runId + "/model/model.zip", 1.0)));
    assertTrue(e.getMessage().contains("per registered model"), e.getMessage());
  }

  private static String qualified(String root) throws java.io.IOException {
    return new org.apache.hadoop.fs.Path(root).getFileSystem(TestSupport.spark().sparkContext().hadoopConfiguration())
        .makeQualified(new org.apache.hadoop.fs.Path(root)).toString();
  }

  private static HttpResponse<String> post(ScoringServer s, String body, String requestId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(s.uri().resolve("/predict")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (requestId != null) b.header(RequestIds.HEADER, requestId);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
