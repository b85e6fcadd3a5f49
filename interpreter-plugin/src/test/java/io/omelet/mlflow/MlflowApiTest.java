package io.omelet.mlflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omelet.commands.CommandContext;
import io.omelet.commands.CommandResult;
import io.omelet.commands.CommandSink;
import io.omelet.commands.OmeletCommands;
import io.omelet.registry.Metric;
import io.omelet.registry.ModelVersion;
import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Run;
import io.omelet.registry.RunInfo;
import io.omelet.registry.RunStatus;
import io.omelet.registry.SearchRunsRequest;
import io.omelet.testing.SharedSpark;
import io.omelet.ui.UiFixture;
import io.omelet.ui.UiServer;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mlflow.api.proto.ModelRegistry;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.RunsPage;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

/**
 * MLflow's own Java client ({@code org.mlflow:mlflow-client}) against {@code omelet ui}'s MLflow
 * REST API on loopback, on a real registry that also holds a real {@code omelet run}: what the
 * client logs is read back through {@link OmeletRegistry}, what Omelet logged is read through the
 * client, and a model registered through MLflow is scored with {@code omelet_predict}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MlflowApiTest {
  static final String TOKEN = "t0ken-for-tests";
  final ObjectMapper json = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();
  UiFixture fixture;
  OmeletRegistry registry;
  UiServer server;
  UiServer readOnly;
  UiServer tokened;
  MlflowClient client;

  @BeforeAll
  void setUp() throws Exception {
    fixture = UiFixture.shared();
    registry = fixture.registry;
    server = UiServer.start(registry, "127.0.0.1", 0, true);
    readOnly = UiServer.start(registry, "127.0.0.1", 0, false);
    tokened = UiServer.start(registry, "127.0.0.1", 0, true, TOKEN);
    client = new MlflowClient(trackingUri(server));
  }

  @AfterAll
  void tearDown() {
    if (client != null) client.close();
    for (UiServer s : new UiServer[] {server, readOnly, tokened}) {
      if (s != null) s.close();
    }
  }

  static String trackingUri(UiServer s) {
    return s.uri().toString().replaceAll("/$", "");
  }

  /** The MLflow error a call answered: status and error_code. */
  MlflowHttpException failure(Runnable call) {
    return assertThrows(MlflowHttpException.class, call::run);
  }

  String errorCode(MlflowHttpException e) throws Exception {
    return json.readTree(e.getBodyMessage()).get("error_code").asText();
  }

  void assertError(int status, String code, Runnable call) throws Exception {
    MlflowHttpException e = failure(call);
    assertEquals(status, e.getStatusCode(), e.getBodyMessage());
    assertEquals(code, errorCode(e), e.getBodyMessage());
  }

  static Service.Metric point(String key, double value, long timestamp, long step) {
    return Service.Metric.newBuilder().setKey(key).setValue(value).setTimestamp(timestamp).setStep(step).build();
  }

  static Service.Param param(String key, String value) {
    return Service.Param.newBuilder().setKey(key).setValue(value).build();
  }

  static Service.RunTag tag(String key, String value) {
    return Service.RunTag.newBuilder().setKey(key).setValue(value).build();
  }

  // ---------------------------------------------------------------- experiments

  @Test
  void experimentsAreCreatedRenamedTaggedSearchedDeletedAndRestored() throws Exception {
    String id = client.createExperiment("mlflow-exp-a");
    String other = client.createExperiment("mlflow-exp-b");
    assertEquals("mlflow-exp-a", client.getExperiment(id).getName());
    assertEquals(id, client.getExperimentByName("mlflow-exp-a").orElseThrow().getExperimentId());
    assertEquals(Optional.empty(), client.getExperimentByName("no such experiment"));
    assertError(400, "RESOURCE_ALREADY_EXISTS", () -> client.createExperiment("mlflow-exp-a"));
    assertError(404, "RESOURCE_DOES_NOT_EXIST", () -> client.getExperiment("00000000000000000000000000000000"));

    client.renameExperiment(id, "mlflow-exp-renamed");
    client.setExperimentTag(id, "team", "risk");
    assertEquals("mlflow-exp-renamed", registry.getExperiment(id).name());
    assertEquals("risk", registry.getExperiment(id).tags().get("team"));
    assertError(400, "RESOURCE_ALREADY_EXISTS", () -> client.renameExperiment(other, "mlflow-exp-renamed"));

    var byTag = client.searchExperiments("tags.team = 'risk'");
    assertEquals(List.of(id), ids(byTag.getItems()));
    var page = client.searchExperiments("name LIKE 'mlflow-exp-%'", Service.ViewType.ACTIVE_ONLY, 1, List.of("name ASC"));
    assertEquals(List.of(other), ids(page.getItems()));
    assertTrue(page.hasNextPage());
    assertEquals(List.of(id), ids(page.getNextPage().getItems()));
    // Omelet's grammar on top of MLflow's: OR and parentheses
    var either = client.searchExperiments("(name = 'mlflow-exp-b' OR tags.team = 'risk')", Service.ViewType.ALL, 10,
        List.of("name DESC"));
    assertEquals(List.of(id, other), ids(either.getItems()));
    assertError(400, "INVALID_PARAMETER_VALUE", () -> client.searchExperiments("name ~ 'x'"));

    client.deleteExperiment(other);
    assertTrue(registry.getExperiment(other).isDeleted());
    assertEquals(List.of(other), ids(client.searchExperiments("name = 'mlflow-exp-b'", Service.ViewType.DELETED_ONLY, 10,
        List.of()).getItems()));
    assertError(400, "INVALID_PARAMETER_VALUE", () -> client.createRun(other));
    client.restoreExperiment(other);
    assertFalse(registry.getExperiment(other).isDeleted());
  }

  static List<String> ids(Iterable<Service.Experiment> experiments) {
    List<String> out = new ArrayList<>();
    experiments.forEach(e -> out.add(e.getExperimentId()));
    return out;
  }

  // ---------------------------------------------------------------- runs

  @Test
  void aRunLoggedThroughMlflowIsOneOmeletRun() throws Exception {
    String exp = client.createExperiment("mlflow-runs");
    Service.RunInfo created = client.createRun(Service.CreateRun.newBuilder().setExperimentId(exp).setRunName("first")
        .setStartTime(1_700_000_000_000L).addTags(tag("owner", "ml-team")).build());
    String runId = created.getRunId();
    assertEquals("first", created.getRunName());
    assertEquals(Service.RunStatus.RUNNING, created.getStatus());
    assertEquals("mlflow-artifacts:/" + exp + "/" + runId + "/artifacts", created.getArtifactUri());

    // 10,000 points with steps, in batches of 1,000, with params and tags
    for (int b = 0; b < 10; b++) {
      List<Service.Metric> points = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        int step = b * 1000 + i;
        points.add(point("loss", 1.0 / (1 + step), 1_700_000_000_000L + step, step));
      }
      client.logBatch(runId, points, List.of(), List.of());
    }
    client.logBatch(runId, List.of(), List.of(param("algo", "GBM"), param("depth", "5")), List.of(tag("stage", "dev")));
    client.logMetric(runId, "auc", 0.91, 1_700_000_100_000L, 3);
    client.logParam(runId, "depth", "5"); // the same value again is accepted
    assertError(400, "INVALID_PARAMETER_VALUE", () -> client.logParam(runId, "depth", "6"));
    assertError(404, "RESOURCE_DOES_NOT_EXIST", () -> client.logParam("00000000000000000000000000000000", "a", "b"));
    List<Service.Metric> tooMany = new ArrayList<>();
    for (int i = 0; i <= 1000; i++) tooMany.add(point("x", i, 1L, i));
    assertError(400, "INVALID_PARAMETER_VALUE", () -> client.logBatch(runId, tooMany, List.of(), List.of()));

    List<Service.Metric> history = client.getMetricHistory(runId, "loss");
    assertEquals(10_000, history.size());
    for (int i = 0; i < history.size(); i++) assertEquals(i, history.get(i).getStep());
    assertEquals(1.0 / 10_000, history.get(9999).getValue(), 1e-12);
    // paged, as the REST API documents it, for clients that follow next_page_token
    List<Long> steps = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      JsonNode page = json.readTree(send(server, "GET", "/api/2.0/mlflow/metrics/get-history?run_id=" + runId
          + "&metric_key=loss&max_results=4000" + (token == null ? "" : "&page_token=" + token), null, null).body());
      page.get("metrics").forEach(m -> steps.add(m.get("step").asLong()));
      token = page.has("next_page_token") ? page.get("next_page_token").asText() : null;
      pages++;
    } while (token != null);
    assertEquals(3, pages);
    assertEquals(10_000, steps.size());
    assertEquals(9_999L, steps.get(9_999));

    client.setTag(runId, "note", "first try");
    client.setTag(runId, "stage", "review");
    client.deleteTag(runId, "note");
    client.setTerminated(runId, Service.RunStatus.FINISHED, 1_700_000_200_000L);

    // read back through Omelet
    Run run = registry.getRun(runId);
    assertEquals(exp, run.info().experimentId());
    assertEquals(RunStatus.FINISHED, run.info().status());
    assertEquals(1_700_000_000_000L, run.info().startTime());
    assertEquals(1_700_000_200_000L, run.info().endTime());
    assertEquals(Map.of("algo", "GBM", "depth", "5"), run.data().params());
    assertEquals("review", run.data().tags().get("stage"));
    assertEquals("ml-team", run.data().tags().get("owner"));
    assertFalse(run.data().tags().containsKey("note"));
    assertEquals(0.91, run.data().metric("auc"), 0);
    List<Metric> omeletHistory = registry.getMetricHistory(runId, "loss");
    assertEquals(10_000, omeletHistory.size());
    assertEquals(history.get(1234).getValue(), omeletHistory.get(1234).value(), 0);
    assertEquals(1, registry.searchRuns(SearchRunsRequest.in(exp).filter("params.algo = 'GBM' AND metrics.auc > 0.9"))
        .runs().size());

    // and through MLflow's get
    Service.Run got = client.getRun(runId);
    assertEquals("FINISHED", got.getInfo().getStatus().name());
    Map<String, String> tags = got.getData().getTagsList().stream()
        .collect(Collectors.toMap(Service.RunTag::getKey, Service.RunTag::getValue));
    assertEquals("first", tags.get("mlflow.runName"));
    assertEquals("review", tags.get("stage"));

    // a second run that fails; then searches with filters, order_by and paging
    String failed = client.createRun(exp).getRunId();
    client.logBatch(failed, List.of(point("auc", 0.55, 1L, 0)), List.of(param("algo", "DRF")), List.of());
    client.setTerminated(failed, Service.RunStatus.FAILED);
    String third = client.createRun(exp).getRunId();
    client.logBatch(third, List.of(point("auc", 0.75, 1L, 0)), List.of(param("algo", "GBM")), List.of());
    assertEquals(RunStatus.FAILED, registry.getRunInfo(failed).status());
    assertEquals(List.of(failed), runIds(registry.searchRuns(SearchRunsRequest.in(exp)
        .filter("attributes.status = 'FAILED'")).runs().stream().map(Run::info).toList()));

    RunsPage page = client.searchRuns(List.of(exp), "metrics.auc > 0.5", Service.ViewType.ACTIVE_ONLY, 2,
        List.of("metrics.auc DESC"), null);
    assertEquals(List.of(runId, third), page.getItems().stream().map(r -> r.getInfo().getRunId()).toList());
    assertTrue(page.hasNextPage());
    assertEquals(List.of(failed), ((List<Service.Run>) page.getNextPage().getItems()).stream()
        .map(r -> r.getInfo().getRunId()).toList());
    assertEquals(List.of(third), client.searchRuns(List.of(exp), "params.algo = 'GBM' AND metrics.auc < 0.8")
        .stream().map(Service.RunInfo::getRunId).toList());
    assertEquals(2, client.searchRuns(List.of(exp), "params.algo = 'DRF' OR (metrics.auc > 0.7 AND metrics.auc < 0.8)").size());
    assertError(400, "INVALID_PARAMETER_VALUE", () -> client.searchRuns(List.of(exp), "metrics.auc >> 1"));

    // and through the command line's search
    CommandSink.Collecting sink = CommandSink.collecting();
    OmeletCommands.Outcome listed = OmeletCommands.execute(CommandContext.of(SharedSpark.session(), sink, fixture.dir),
        "runs", "search", "--experiment", "mlflow-runs", "--filter", "attributes.status = 'FAILED'", "--registry",
        registry.root());
    assertEquals(0, listed.exitCode(), listed.error());
    assertTrue(sink.of(CommandResult.Table.class).get(0).rows().toString().contains(failed));

    client.deleteRun(failed);
    assertEquals(2, client.searchRuns(List.of(exp), "").size());
    assertEquals(List.of(failed), client.searchRuns(List.of(exp), "", Service.ViewType.DELETED_ONLY).stream()
        .map(Service.RunInfo::getRunId).toList());
    client.restoreRun(failed);
    assertEquals(3, client.searchRuns(List.of(exp), "").size());
  }

  static List<String> runIds(List<RunInfo> infos) {
    return infos.stream().map(RunInfo::runId).toList();
  }

  @Test
  void anOmeletAutoMlRunIsReadByMlflowsClient() throws Exception {
    Service.Run parent = client.getRun(fixture.parentRunId);
    Run omelet = registry.getRun(fixture.parentRunId);
    Map<String, String> params = parent.getData().getParamsList().stream()
        .collect(Collectors.toMap(Service.Param::getKey, Service.Param::getValue));
    assertEquals(omelet.data().params(), params);
    assertEquals(omelet.data().metrics().keySet(), parent.getData().getMetricsList().stream()
        .map(Service.Metric::getKey).collect(Collectors.toSet()));
    assertFalse(params.isEmpty());
    // and by a search, data included
    RunsPage found = client.searchRuns(List.of(omelet.info().experimentId()),
        "attributes.run_id = '" + fixture.parentRunId + "'", Service.ViewType.ACTIVE_ONLY, 10, List.of(), null);
    Service.Run searched = ((List<Service.Run>) found.getItems()).get(0);
    assertEquals(parent.getData().getParamsList(), searched.getData().getParamsList());
    assertEquals(omelet.data().metrics().size(), searched.getData().getMetricsCount());
    // its children are found by the parent tag MLflow's tools use
    List<Service.RunInfo> children = client.searchRuns(List.of(omelet.info().experimentId()),
        "tags.`mlflow.parentRunId` = '" + fixture.parentRunId + "'");
    assertEquals(registry.listChildRuns(fixture.parentRunId).size(), children.size());
    assertFalse(children.isEmpty());
    // artifacts, listed by the tracking API
    JsonNode list = json.readTree(client.sendGet("artifacts/list?run_id=" + fixture.parentRunId));
    assertEquals(MlflowJson.runArtifactUri(omelet.info()), list.get("root_uri").asText());
    assertEquals(registry.listArtifacts(fixture.parentRunId, null).size(), list.get("files").size());
    assertTrue(list.get("files").size() > 0);
  }

  // ---------------------------------------------------------------- model registry

  @Test
  void modelsVersionsAndAliasesAndAnMlflowVersionScoresFromSql() throws Exception {
    ModelVersion champion = registry.getModelVersion("churn", 1);
    String leaderRun = champion.runId();
    JsonNode created = json.readTree(client.sendPost("registered-models/create",
        "{\"name\": \"mlflow-churn\", \"description\": \"from MLflow\", \"tags\": [{\"key\": \"team\", \"value\": \"risk\"}]}"));
    assertEquals("mlflow-churn", created.get("registered_model").get("name").asText());
    assertError(400, "RESOURCE_ALREADY_EXISTS", () -> client.sendPost("registered-models/create", "{\"name\": \"mlflow-churn\"}"));

    // version 1 from Omelet's run artifact, by runs:/ URI
    JsonNode v1 = json.readTree(client.sendPost("model-versions/create",
        "{\"name\": \"mlflow-churn\", \"source\": \"runs:/" + leaderRun + "/model\", \"run_id\": \"" + leaderRun + "\"}"));
    assertEquals("1", v1.get("model_version").get("version").asText());
    assertEquals("READY", v1.get("model_version").get("status").asText());

    // version 2 from a run logged through MLflow, its MOJO uploaded through the artifact proxy
    String exp = client.createExperiment("mlflow-models");
    String runId = client.createRun(exp).getRunId();
    byte[] mojo = registry.readArtifact(leaderRun, "model/model.zip");
    String artifactBase = "/api/2.0/mlflow-artifacts/artifacts/" + exp + "/" + runId + "/artifacts";
    assertEquals(200, send(server, "PUT", artifactBase + "/model/model.zip", mojo, null).statusCode());
    JsonNode v2 = json.readTree(client.sendPost("model-versions/create", "{\"name\": \"mlflow-churn\", \"source\": "
        + "\"mlflow-artifacts:/" + exp + "/" + runId + "/artifacts/model\", \"run_id\": \"" + runId + "\"}"));
    assertEquals("2", v2.get("model_version").get("version").asText());
    assertError(400, "INVALID_PARAMETER_VALUE", () -> client.sendPost("model-versions/create",
        "{\"name\": \"mlflow-churn\", \"source\": \"s3://elsewhere/model\"}"));
    assertError(404, "RESOURCE_DOES_NOT_EXIST", () -> client.sendPost("model-versions/create",
        "{\"name\": \"mlflow-churn\", \"source\": \"runs:/" + runId + "/no-such-folder\"}"));

    // aliases
    client.sendPost("registered-models/alias", "{\"name\": \"mlflow-churn\", \"alias\": \"prod\", \"version\": \"2\"}");
    JsonNode byAlias = json.readTree(client.sendGet("registered-models/alias?name=mlflow-churn&alias=prod"));
    assertEquals("2", byAlias.get("model_version").get("version").asText());
    assertEquals(2, registry.getModelVersionByAlias("mlflow-churn", "prod").version());
    assertError(404, "RESOURCE_DOES_NOT_EXIST", () -> client.sendGet("registered-models/alias?name=mlflow-churn&alias=none"));
    assertError(404, "RESOURCE_DOES_NOT_EXIST", () -> client.sendPost("registered-models/alias",
        "{\"name\": \"mlflow-churn\", \"alias\": \"x\", \"version\": \"9\"}"));

    // the client's typed registry calls
    ModelRegistry.ModelVersion latest = client.getLatestVersions("mlflow-churn").get(0);
    assertEquals("2", latest.getVersion());
    assertEquals(List.of("prod"), client.getModelVersion("mlflow-churn", "2").getAliasesList());
    ModelRegistry.RegisteredModel model = client.getRegisteredModel("mlflow-churn");
    assertEquals("from MLflow", model.getDescription());
    assertEquals("prod", model.getAliases(0).getAlias());
    assertEquals("mlflow-artifacts:/models/mlflow-churn/2", client.getModelVersionDownloadUri("mlflow-churn", "2"));
    var versions = client.searchModelVersions("name = 'mlflow-churn'");
    assertEquals(List.of("2", "1"), ((List<ModelRegistry.ModelVersion>) versions.getItems()).stream()
        .map(ModelRegistry.ModelVersion::getVersion).toList());
    var byRun = client.searchModelVersions("run_id = '" + runId + "'");
    assertEquals(1, byRun.getPageSize());
    assertError(404, "RESOURCE_DOES_NOT_EXIST", () -> client.getModelVersion("mlflow-churn", "7"));

    // the stored copy downloads through the proxy, byte for byte
    HttpResponse<byte[]> stored = http.send(HttpRequest.newBuilder(server.uri().resolve(
        "/api/2.0/mlflow-artifacts/artifacts/models/mlflow-churn/2/model.zip")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, stored.statusCode());
    assertArrayEquals(mojo, stored.body());

    // scored from SQL through Omelet's resolver
    SharedSpark.session().read().option("header", true).option("inferSchema", true)
        .csv(fixture.dir.resolve("churn.csv").toString()).createOrReplaceTempView("mlflow_churn_rows");
    CommandSink.Collecting sink = CommandSink.collecting();
    OmeletCommands.Outcome out = OmeletCommands.execute(CommandContext.of(SharedSpark.session(), sink, fixture.dir), "sql",
        "SELECT count(*) AS n, sum(CASE WHEN omelet_predict('mlflow-churn@prod', *).prediction IS NOT NULL THEN 1 ELSE 0 END) AS scored"
        + " FROM mlflow_churn_rows", "--registry", registry.root());
    assertEquals(0, out.exitCode(), out.error());
    CommandResult.Table table = sink.of(CommandResult.Table.class).get(0);
    assertEquals(table.rows().get(0).get(0), table.rows().get(0).get(1), table.rows().toString());

    // rename, update, delete
    JsonNode renamed = json.readTree(client.sendPost("registered-models/rename",
        "{\"name\": \"mlflow-churn\", \"new_name\": \"mlflow-churn-2\"}"));
    assertEquals("mlflow-churn-2", renamed.get("registered_model").get("name").asText());
    assertEquals(2, registry.getModelVersionByAlias("mlflow-churn-2", "prod").version());
    assertTrue(registry.readModelVersionFile("mlflow-churn-2", 2, "model.zip").length > 0, "stored files moved with the name");
    client.sendPatch("model-versions/update", "{\"name\": \"mlflow-churn-2\", \"version\": \"1\", \"description\": \"v1\"}");
    assertEquals("v1", registry.getModelVersion("mlflow-churn-2", 1).description());
    assertEquals(200, send(server, "DELETE", "/api/2.0/mlflow/registered-models/alias", 
        "{\"name\": \"mlflow-churn-2\", \"alias\": \"prod\"}".getBytes(StandardCharsets.UTF_8), null).statusCode());
    assertEquals(Map.of(), registry.getRegisteredModel("mlflow-churn-2").aliases());
    assertEquals(200, send(server, "DELETE", "/api/2.0/mlflow/model-versions/delete?name=mlflow-churn-2&version=1", null, null)
        .statusCode());
    assertEquals(List.of(2), registry.listModelVersions("mlflow-churn-2").stream().map(ModelVersion::version).toList());
    assertEquals(200, send(server, "DELETE", "/api/2.0/mlflow/registered-models/delete",
        "{\"name\": \"mlflow-churn-2\"}".getBytes(StandardCharsets.UTF_8), null).statusCode());
    assertError(404, "RESOURCE_DOES_NOT_EXIST", () -> client.getRegisteredModel("mlflow-churn-2"));
  }

  // ---------------------------------------------------------------- artifact proxy, access, bounds

  HttpResponse<String> send(UiServer s, String method, String path, byte[] body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(s.uri().resolve(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode error(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode e = json.readTree(r.body());
    assertTrue(e.has("error_code") && e.has("message"), r.body());
    return e;
  }

  @Test
  void theArtifactProxyUploadsListsAndDownloadsInsideTheRunOnly() throws Exception {
    String exp = client.createExperiment("mlflow-artifacts");
    String runId = client.createRun(exp).getRunId();
    String base = "/api/2.0/mlflow-artifacts/artifacts/" + exp + "/" + runId + "/artifacts";
    byte[] text = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
    assertEquals(200, send(server, "PUT", base + "/tables/t.csv", text, null).statusCode());
    assertEquals(200, send(server, "PUT", base + "/notes.txt", "hello".getBytes(StandardCharsets.UTF_8), null).statusCode());
    assertArrayEquals(text, registry.readArtifact(runId, "tables/t.csv"));
    assertEquals("a,b\n1,2\n", send(server, "GET", base + "/tables/t.csv", null, null).body());

    JsonNode top = json.readTree(send(server, "GET", "/api/2.0/mlflow-artifacts/artifacts?path="
        + URLEncoder.encode(exp + "/" + runId + "/artifacts", StandardCharsets.UTF_8), null, null).body());
    assertEquals("[{\"path\":\"notes.txt\",\"is_dir\":false,\"file_size\":5},{\"path\":\"tables\",\"is_dir\":true}]",
        top.get("files").toString());
    JsonNode listed = json.readTree(client.sendGet("artifacts/list?run_id=" + runId + "&path=tables"));
    assertEquals("tables/t.csv", listed.get("files").get(0).get("path").asText());

    // confined to the run: '..', absolute paths and another experiment's id are refused
    error(send(server, "PUT", base + "/..%2F..%2F" + runId + "/x.txt", text, null), 400);
    error(send(server, "GET", base + "/../../x", null, null), 400);
    error(send(server, "GET", "/api/2.0/mlflow-artifacts/artifacts//etc/passwd", null, null), 400);
    error(send(server, "GET", "/api/2.0/mlflow-artifacts/artifacts?path=%2Fetc", null, null), 400);
    error(send(server, "GET", "/api/2.0/mlflow-artifacts/artifacts/0/" + runId + "/artifacts/notes.txt", null, null), 404);
    error(send(server, "GET", base + "/missing.txt", null, null), 404);
    error(send(server, "PUT", "/api/2.0/mlflow-artifacts/artifacts/models/churn/1/model.zip", text, null), 403);
    // read-only server: no uploads
    error(send(readOnly, "PUT", base + "/y.txt", text, null), 403);
    assertEquals("hello", send(readOnly, "GET", base + "/notes.txt", null, null).body());
  }

  @Test
  void writesNeedAllowWritesAndTheTokenWhenThereIsOne() throws Exception {
    MlflowClient reader = new MlflowClient(trackingUri(readOnly));
    assertError(403, "PERMISSION_DENIED", () -> reader.createExperiment("never"));
    assertEquals(fixture.parentRunId, reader.getRun(fixture.parentRunId).getInfo().getRunId()); // reads are open
    reader.close();

    MlflowClient anonymous = new MlflowClient(trackingUri(tokened));
    assertError(401, "UNAUTHENTICATED", () -> anonymous.getRun(fixture.parentRunId));
    anonymous.close();
    MlflowClient wrong = new MlflowClient(new BasicMlflowHostCreds(trackingUri(tokened), "not-the-token"));
    assertError(401, "UNAUTHENTICATED", () -> wrong.createExperiment("never"));
    wrong.close();
    MlflowClient withToken = new MlflowClient(new BasicMlflowHostCreds(trackingUri(tokened), TOKEN));
    String id = withToken.createExperiment("with-token");
    assertEquals("with-token", registry.getExperiment(id).name());
    withToken.close();

    // a non-loopback address with writes on and no token: the server refuses to start
    CommandSink.Collecting sink = CommandSink.collecting();
    OmeletCommands.Outcome refused = OmeletCommands.execute(CommandContext.of(SharedSpark.session(), sink, fixture.dir), "ui",
        "--host", "0.0.0.0", "--port", "0", "--allow-writes", "--registry", registry.root());
    assertNotEquals(0, refused.exitCode());
    assertTrue(refused.error().contains("--token-file"), refused.error());
    Path empty = Files.writeString(fixture.dir.resolve("empty-token"), "  \n");
    OmeletCommands.Outcome badToken = OmeletCommands.execute(CommandContext.of(SharedSpark.session(), sink, fixture.dir), "ui",
        "--host", "0.0.0.0", "--port", "0", "--allow-writes", "--token-file", empty.toString(), "--registry", registry.root());
    assertNotEquals(0, badToken.exitCode());
    assertTrue(badToken.error().contains("must hold one token"), badToken.error());
  }

  @Test
  void errorsAndBoundsAreMlflows() throws Exception {
    JsonNode unknown = error(send(server, "GET", "/api/2.0/mlflow/no/such/endpoint", null, null), 404);
    assertEquals("ENDPOINT_NOT_FOUND", unknown.get("error_code").asText());
    JsonNode missing = error(send(server, "GET", "/api/2.0/mlflow/runs/get", null, null), 400);
    assertEquals("INVALID_PARAMETER_VALUE", missing.get("error_code").asText());
    assertTrue(missing.get("message").asText().contains("run_id"), missing.toString());
    JsonNode notJson = error(send(server, "POST", "/api/2.0/mlflow/experiments/create", "{name".getBytes(), null), 400);
    assertEquals("INVALID_PARAMETER_VALUE", notJson.get("error_code").asText());
    byte[] huge = new byte[(int) MlflowApi.MAX_JSON_BYTES + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    error(send(server, "POST", "/api/2.0/mlflow/runs/log-batch", huge, null), 413);
    // the ajax-api prefix serves the same calls (MLflow's own web UI uses it)
    JsonNode viaAjax = json.readTree(send(server, "GET", "/ajax-api/2.0/mlflow/runs/get?run_id=" + fixture.parentRunId, null,
        null).body());
    assertEquals(fixture.parentRunId, viaAjax.get("run").get("info").get("run_id").asText());
    // NaN and infinities, as Python's json module writes them
    String runId = client.createRun("0").getRunId();
    assertEquals(200, send(server, "POST", "/api/2.0/mlflow/runs/log-metric", ("{\"run_id\": \"" + runId
        + "\", \"key\": \"l\", \"value\": NaN, \"timestamp\": 5, \"step\": 1}").getBytes(), null).statusCode());
    assertTrue(Double.isNaN(registry.getRun(runId).data().metric("l")));
    assertTrue(Double.isNaN(client.getMetricHistory(runId, "l").get(0).getValue()));
  }
}
