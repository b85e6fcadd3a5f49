package io.omelet.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omelet.automl.TestSupport;
import io.omelet.inference.InferenceLogConfig;
import io.omelet.inference.InferenceLog;
import io.omelet.inference.InferenceRecord;
import io.omelet.registry.OmeletRegistry;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of the REST server on loopback, over real HTTP, against a real registry
 * holding two versions of the AutoML fixture's MOJO (a GLM on penguins; no H2O engine needed): the
 * text parses, and its counts match what the test sent.
 */
class ScoringMetricsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = "penguins";
  /** One sample line of the text format: name, optional labels, value. */
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\",?)*})? (\\S+)");

  @TempDir
  static Path dir;

  private static OmeletRegistry registry;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void twoVersionsOfTheFixtureModel() throws Exception {
    registry = OmeletRegistry.open(TestSupport.spark(), dir.resolve("registry").toString());
    byte[] mojo;
    try (InputStream in = ScoringMetricsTest.class.getResourceAsStream(
        "/fixtures/automl-model-v1/data/leader_mojo.zip")) {
      mojo = in.readAllBytes();
    }
    String experiment = registry.createExperiment(NAME);
    for (int v = 1; v <= 2; v++) {
      String run = registry.createRun(experiment, "fixture-" + v).runId();
      registry.logBytes(run, mojo, "model/model.zip");
      assertEquals(v, registry.createModelVersion(NAME, run, "model/model.zip", "fixture", Map.of()).version());
    }
    registry.setRegisteredModelAlias(NAME, "champion", 1);
  }

  private static ScoringServer serve(String alias) throws Exception {
    return ScoringServer.start(registry, ServerConfig.of(NAME + "@" + alias).withPort(0)
        .withReloadInterval(Duration.ZERO).withMaxBodyBytes(4096));
  }

  @Test
  void requestsByStatusLatencyRowsModelAndHeapMatchWhatWasServed() throws Exception {
    try (ScoringServer s = serve("champion")) {
      // three good requests of 1, 2 and 4 rows
      for (int rows : new int[] {1, 2, 4}) {
        ArrayNode body = JSON.createArrayNode();
        for (int i = 0; i < rows; i++) body.add(penguin(39.1 + i));
        assertEquals(200, post(s, "/predict", body.toString()).statusCode());
      }
      ObjectNode missing = penguin(40);
      missing.remove("island");
      assertEquals(422, post(s, "/predict", missing.toString()).statusCode());
      assertEquals(400, post(s, "/predict", "{\"island\": ").statusCode());
      ArrayNode big = JSON.createArrayNode();
      for (int i = 0; i < 40; i++) big.add(penguin(40));
      assertEquals(413, post(s, "/predict", big.toString()).statusCode(), "refused by the HTTP core");
      assertEquals(200, get(s, "/health").statusCode());
      assertEquals(404, get(s, "/no/such/" + "x".repeat(30)).statusCode());
      assertEquals(405, get(s, "/predict").statusCode());

      HttpResponse<String> res = get(s, "/metrics");
      assertEquals(200, res.statusCode(), res.body());
      assertEquals("text/plain; version=0.0.4; charset=utf-8", res.headers().firstValue("Content-Type").orElse(""));
      Map<String, Double> m = parse(res.body());

      assertEquals(3, m.get("omelet_requests_total{route=\"/predict\",status=\"200\"}"));
      assertEquals(1, m.get("omelet_requests_total{route=\"/predict\",status=\"422\"}"));
      assertEquals(1, m.get("omelet_requests_total{route=\"/predict\",status=\"400\"}"));
      assertEquals(1, m.get("omelet_requests_total{route=\"/predict\",status=\"413\"}"));
      assertEquals(1, m.get("omelet_requests_total{route=\"/health\",status=\"200\"}"));
      assertEquals(1, m.get("omelet_requests_total{route=\"other\",status=\"404\"}"), "no raw path as a label");
      assertEquals(1, m.get("omelet_requests_total{route=\"other\",status=\"405\"}"));
      assertEquals(9, sum(m, "omelet_requests_total{"), "the scrape itself is counted once its answer is ready");
      assertFalse(res.body().contains("/no/such"), "an unknown path never becomes a label");

      // the histogram: one observation per /predict answer, cumulative buckets up to +Inf
      assertEquals(6, m.get("omelet_request_duration_seconds_count{route=\"/predict\"}"));
      assertEquals(6, m.get("omelet_request_duration_seconds_bucket{le=\"+Inf\",route=\"/predict\"}"));
      double sum = m.get("omelet_request_duration_seconds_sum{route=\"/predict\"}");
      assertTrue(sum > 0 && sum < 60, "seconds: " + sum);
      Map<Double, Double> buckets = new java.util.TreeMap<>();
      Pattern bucket = Pattern.compile("omelet_request_duration_seconds_bucket\\{le=\"([^\"]+)\",route=\"/predict\"}");
      m.forEach((k, v) -> {
        Matcher b = bucket.matcher(k);
        if (b.matches()) buckets.put(value(b.group(1)), v);
      });
      List<Double> bounds = new ArrayList<>();
      for (double le : ServingMetrics.LATENCY_BUCKETS) bounds.add(le);
      bounds.add(Double.POSITIVE_INFINITY);
      assertEquals(bounds, new ArrayList<>(buckets.keySet()), "100 µs to 10 s, then +Inf");
      double previous = 0;
      for (double count : buckets.values()) {
        assertTrue(count >= previous, "cumulative: " + buckets);
        previous = count;
      }

      assertEquals(7, m.get("omelet_rows_scored_total"), "rows of the answered requests only");
      assertEquals(1, m.get("omelet_model_version{name=\"penguins\",uri=\"penguins@champion\"}"));
      assertEquals(1, m.get("omelet_model_info{name=\"penguins\",run_id=\"" + registry.getModelVersion(NAME, 1).runId()
          + "\",uri=\"penguins@champion\",version=\"1\"}"));
      double loaded = m.get("omelet_model_loaded_timestamp_seconds");
      assertEquals(System.currentTimeMillis() / 1000.0, loaded, 600);
      assertEquals(0, m.get("omelet_model_reloads_total{result=\"changed\"}"));
      assertEquals(0, m.get("omelet_model_reloads_total{result=\"failed\"}"));
      assertTrue(m.get("jvm_memory_used_bytes{area=\"heap\"}") > 0, "the JVM's heap");
      assertTrue(m.get("jvm_memory_max_bytes{area=\"heap\"}") > 0);
      assertTrue(m.containsKey("jvm_threads_current"));
      assertFalse(res.body().contains("omelet_inference_log_"), "no inference log, no inference log metrics");

      // a second scrape counts the first, and HEAD is answered like GET
      Map<String, Double> again = parse(get(s, "/metrics").body());
      assertEquals(1, again.get("omelet_requests_total{route=\"/metrics\",status=\"200\"}"));
      assertEquals(3, again.get("omelet_requests_total{route=\"/predict\",status=\"200\"}"));
    }
  }

  @Test
  void reloadsAreCountedByResultAndTheVersionGaugeFollowsTheAlias() throws Exception {
    registry.setRegisteredModelAlias(NAME, "staging", 1);
    try (ScoringServer s = serve("staging")) {
      assertFalse(s.reload());
      Map<String, Double> m = parse(get(s, "/metrics").body());
      assertEquals(1, m.get("omelet_model_reloads_total{result=\"unchanged\"}"));
      assertEquals(0, m.get("omelet_model_reloads_total{result=\"changed\"}"));
      assertEquals(1, m.get("omelet_model_version{name=\"penguins\",uri=\"penguins@staging\"}"));

      registry.setRegisteredModelAlias(NAME, "staging", 2);
      HttpResponse<String> reload = post(s, "/reload", "");
      assertEquals(200, reload.statusCode(), reload.body());
      m = parse(get(s, "/metrics").body());
      assertEquals(1, m.get("omelet_model_reloads_total{result=\"changed\"}"));
      assertEquals(2, m.get("omelet_model_version{name=\"penguins\",uri=\"penguins@staging\"}"));
      assertEquals(1, sum(m, "omelet_model_info{"), "one model described: " + m);
      assertEquals(1, m.get("omelet_model_info{name=\"penguins\",run_id=\"" + registry.getModelVersion(NAME, 2).runId()
          + "\",uri=\"penguins@staging\",version=\"2\"}"));
      assertEquals(1, m.get("omelet_requests_total{route=\"/reload\",status=\"200\"}"));

      registry.deleteRegisteredModelAlias(NAME, "staging");
      assertThrows(RuntimeException.class, s::reload);
      m = parse(get(s, "/metrics").body());
      assertEquals(1, m.get("omelet_model_reloads_total{result=\"failed\"}"));
      assertEquals(2, m.get("omelet_model_version{name=\"penguins\",uri=\"penguins@staging\"}"), "still serving 2");
    }
  }

  @Test
  void twoServersInOneJvmCountApart() throws Exception {
    try (ScoringServer a = serve("champion"); ScoringServer b = serve("champion")) {
      for (int i = 0; i < 3; i++) assertEquals(200, post(a, "/predict", penguin(39 + i).toString()).statusCode());
      assertEquals(200, post(b, "/predict", penguin(45).toString()).statusCode());
      assertEquals(422, post(b, "/predict", "{}").statusCode());
      Map<String, Double> ma = parse(get(a, "/metrics").body());
      Map<String, Double> mb = parse(get(b, "/metrics").body());
      assertEquals(3, ma.get("omelet_requests_total{route=\"/predict\",status=\"200\"}"));
      assertEquals(null, ma.get("omelet_requests_total{route=\"/predict\",status=\"422\"}"));
      assertEquals(3, ma.get("omelet_rows_scored_total"));
      assertEquals(1, mb.get("omelet_requests_total{route=\"/predict\",status=\"200\"}"));
      assertEquals(1, mb.get("omelet_requests_total{route=\"/predict\",status=\"422\"}"));
      assertEquals(1, mb.get("omelet_rows_scored_total"));
    }
  }

  @Test
  void theInferenceLogsCountersAreReadAtEachScrapeAndAbsentWithoutAWriter() throws Exception {
    String uri = NAME + "@champion";
    LoadedModel loaded = ModelLoader.load(registry, uri);
    AtomicReference<InferenceLog> log = new AtomicReference<>();
    try (ModelReloads reloads = new ModelReloads(registry, uri, loaded, Duration.ZERO, next -> { })) {
      ServingMetrics metrics = new ServingMetrics(reloads, log::get);
      assertFalse(text(metrics).contains("omelet_inference_log_"));

      // a queue of 2, flushed at close only, half the requests sampled: some rows queued, dropped, left out
      InferenceLog writer = InferenceLog.start(TestSupport.spark(), registry.root(), loaded, InferenceLogConfig.defaults().withCapacity(2)
          .withFlushRows(Integer.MAX_VALUE).withFlushInterval(Duration.ofHours(1)).withSampleFraction(0.5));
      log.set(writer);
      for (int i = 0; i < 20; i++) {
        writer.offer(InferenceRecord.scored("request-" + i, 0, Instant.now(), NAME, 1, "champion", penguin(40),
            "Adelie", Map.of("Adelie", 0.9, "Chinstrap", 0.05, "Gentoo", 0.05), 100));
      }
      assertTrue(writer.sampledOutRows() > 0 && writer.droppedRows() > 0, "both outcomes met");
      Map<String, Double> m = parse(text(metrics));
      assertEquals(2, m.get("omelet_inference_log_queue_depth"));
      assertEquals(0, m.get("omelet_inference_log_rows_total{outcome=\"logged\"}"));
      assertEquals(writer.droppedRows(), m.get("omelet_inference_log_rows_total{outcome=\"dropped\"}"));
      assertEquals(writer.sampledOutRows(), m.get("omelet_inference_log_rows_total{outcome=\"sampled_out\"}"));
      assertEquals(20, writer.sampledOutRows() + writer.droppedRows() + 2);

      writer.close();
      m = parse(text(metrics));
      assertEquals(0, m.get("omelet_inference_log_queue_depth"));
      assertEquals(2, m.get("omelet_inference_log_rows_total{outcome=\"logged\"}"));
      assertEquals(1, m.get("omelet_inference_log_flushes_total{result=\"committed\"}"));
      assertEquals(0, m.get("omelet_inference_log_flushes_total{result=\"failed\"}"));
      assertEquals(2, TestSupport.spark().read().format("delta").load(writer.tablePath()).count());

      log.set(null);
      assertFalse(text(metrics).contains("omelet_inference_log_"), "a server without a writer reports none");
    }
  }

  // ------------------------------------------------------------------ helpers

  private static String text(ServingMetrics metrics) {
    return new String(metrics.scrape().body(), StandardCharsets.UTF_8);
  }

  /**
   * The samples of a text-format answer, by name and labels (labels sorted by name, as written):
   * every line is a comment (HELP or TYPE) or a sample, and every name has one TYPE line.
   */
  private static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    List<String> typed = new ArrayList<>();
    assertTrue(text.endsWith("\n"), "the format ends with a line feed");
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String name = line.split(" ")[2];
        assertFalse(typed.contains(name), "one TYPE line for " + name);
        typed.add(name);
        assertTrue(line.matches("# TYPE \\S+ (counter|gauge|histogram|summary|untyped)"), line);
        continue;
      }
      if (line.startsWith("# HELP ")) continue;
      Matcher s = SAMPLE.matcher(line);
      assertTrue(s.matches(), "not a sample line: " + line);
      String labels = s.group(2) == null ? "" : sorted(s.group(2));
      Double previous = samples.put(s.group(1) + labels, value(s.group(3)));
      assertEquals(null, previous, "one sample for " + s.group(1) + labels);
    }
    return samples;
  }

  private static String sorted(String labels) {
    List<String> pairs = new ArrayList<>(List.of(labels.substring(1, labels.length() - 1).split(",(?=[a-zA-Z_]+=\")")));
    pairs.sort(null);
    return "{" + String.join(",", pairs) + "}";
  }

  private static double value(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(v);
    };
  }

  private static double sum(Map<String, Double> m, String prefix) {
    return m.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToDouble(Map.Entry::getValue).sum();
  }

  private static ObjectNode penguin(double billLength) {
    ObjectNode o = JSON.createObjectNode();
    o.put("island", "Torgersen");
    o.put("sex", "male");
    o.put("bill_length_mm", billLength);
    o.put("bill_depth_mm", 18.7);
    o.put("flipper_length_mm", 181);
    o.put("body_mass_g", 3750);
    o.put("year", 2007);
    return o;
  }

  private static HttpResponse<String> post(ScoringServer s, String path, String body) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(s.uri().resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return client.send(req, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(ScoringServer s, String path) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(s.uri().resolve(path)).GET().build();
    return client.send(req, HttpResponse.BodyHandlers.ofString());
  }
}
