package io.omelet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import io.omelet.testing.Dribblers;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP core on loopback, over real sockets: routing, errors, bounds, admission and deadlines. */
class HttpServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<HttpService> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(HttpService::close);
  }

  private HttpService serve(int workers, long maxBody) throws IOException {
    HttpService s = new HttpService("test-http", "127.0.0.1", 0, workers, maxBody);
    servers.add(s);
    return s;
  }

  private HttpResponse<String> send(HttpService s, String method, String path, String body) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(s.uri().resolve(path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    return client.send(req, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void routesMatchByMethodAndPathAndDecodeTheirParameters() throws Exception {
    HttpService s = serve(2, 1024)
        .route("GET", "/items/{id}", r -> Response.json(Map.of("id", r.path("id"), "q", r.query("q", "-"))))
        .route("DELETE", "/items/{id}", r -> Response.json(Map.of("deleted", r.path("id"))))
        .route("GET", "/files/{rest*}", r -> Response.json(Map.of("file", r.path("rest"))))
        .route("POST", "/echo", r -> Response.json(Map.of("got", r.json().get("x").asInt())))
        .start();
    JsonNode item = JSON.readTree(send(s, "GET", "/items/a%20b%2Fc?q=x+y", null).body());
    assertEquals("a b/c", item.get("id").asText(), "an encoded '/' stays inside its parameter");
    assertEquals("x y", item.get("q").asText());
    assertEquals("7", JSON.readTree(send(s, "DELETE", "/items/7", null).body()).get("deleted").asText());
    assertEquals("a/b.txt", JSON.readTree(send(s, "GET", "/files/a/b.txt", null).body()).get("file").asText());
    assertEquals("", JSON.readTree(send(s, "GET", "/files/", null).body()).get("file").asText());
    assertEquals(5, JSON.readTree(send(s, "POST", "/echo", "{\"x\": 5}").body()).get("got").asInt());
    // an empty parameter does not match: /items/ is no item
    assertEquals(404, send(s, "GET", "/items/", null).statusCode());
  }

  @Test
  void unknownPathsAre404AndOtherMethods405WithAllowAsJson() throws Exception {
    HttpService s = serve(2, 1024).route("GET", "/a", r -> Response.json(Map.of("ok", true)))
        .route("PUT", "/a", r -> Response.json(Map.of("ok", true))).start();
    HttpResponse<String> none = send(s, "GET", "/nothing", null);
    assertEquals(404, none.statusCode());
    JsonNode e = JSON.readTree(none.body());
    assertEquals(404, e.get("status").asInt());
    assertEquals("ENDPOINT_NOT_FOUND", e.get("error_code").asText());
    assertTrue(e.get("error").asText().contains("/nothing"), e.toString());
    HttpResponse<String> wrong = send(s, "POST", "/a", "{}");
    assertEquals(405, wrong.statusCode());
    assertEquals("GET, HEAD, PUT", wrong.headers().firstValue("Allow").orElse(""));
    assertEquals(405, JSON.readTree(wrong.body()).get("status").asInt());
    assertEquals("nosniff", wrong.headers().firstValue("X-Content-Type-Options").orElse(""));
  }

  @Test
  void headIsAnsweredByTheGetRouteWithHeadersOnlyOnAConnectionThatStaysUsable() throws Exception {
    HttpService s = serve(2, 1024).route("GET", "/a", r -> Response.json(Map.of("ok", true))).start();
    try (Socket so = new Socket("127.0.0.1", s.port())) {
      so.setSoTimeout(10_000);
      DataInputStream in = new DataInputStream(so.getInputStream());
      write(so, "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals("HTTP/1.1 200 OK", readLine(in));
      long length = -1;
      for (String h; !(h = readLine(in)).isEmpty(); ) {
        if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Long.parseLong(h.substring(15).trim());
      }
      assertEquals("{\"ok\":true}".length(), length, "the length a GET gets");
      write(so, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals("HTTP/1.1 200 OK", readLine(in), "no body came after the HEAD answer");
    }
  }

  @Test
  void bodiesOverTheRoutesBoundAre413WithOrWithoutContentLength() throws Exception {
    HttpService s = serve(2, 100)
        .route("POST", "/small", r -> Response.json(Map.of("n", r.body().length)))
        .route(Route.of("POST", "/upload", r -> Response.json(Map.of("n", r.body().length))).withMaxBodyBytes(10_000))
        .start();
    String big = "x".repeat(5000);
    assertEquals(200, send(s, "POST", "/small", "x".repeat(100)).statusCode());
    HttpResponse<String> sized = send(s, "POST", "/small", big);
    assertEquals(413, sized.statusCode());
    assertEquals("REQUEST_TOO_LARGE", JSON.readTree(sized.body()).get("error_code").asText());
    HttpRequest chunked = HttpRequest.newBuilder(s.uri().resolve("/small"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))).build();
    HttpResponse<String> streamed = client.send(chunked, HttpResponse.BodyHandlers.ofString());
    assertEquals(413, streamed.statusCode(), "caught while reading a chunked body");
    assertEquals(413, JSON.readTree(streamed.body()).get("status").asInt());
    assertEquals(5000, JSON.readTree(send(s, "POST", "/upload", big).body()).get("n").asInt(), "a route's own bound");
  }

  @Test
  void eachPathPrefixRendersItsErrorsAndHandlerFailuresAre500WithAnIdOnly() throws Exception {
    ErrorRenderer mlflowLike = e -> Response.json(e.status(), Map.of("error_code", e.code(), "message", e.getMessage()));
    HttpService s = serve(2, 1024).errorsUnder("/api/", mlflowLike)
        .route("GET", "/api/missing", r -> {
          throw HttpError.notFound("no such thing");
        })
        .route("GET", "/boom", r -> {
          throw new IllegalStateException("secret detail /etc/omelet");
        })
        .start();
    JsonNode api = JSON.readTree(send(s, "GET", "/api/missing", null).body());
    assertEquals("RESOURCE_DOES_NOT_EXIST", api.get("error_code").asText());
    assertEquals("no such thing", api.get("message").asText());
    assertFalse(api.has("error"));
    assertEquals("ENDPOINT_NOT_FOUND", JSON.readTree(send(s, "GET", "/api/none", null).body()).get("error_code").asText(),
        "the server's own errors under the prefix too");
    HttpResponse<String> boom = send(s, "GET", "/boom", null);
    assertEquals(500, boom.statusCode());
    JsonNode e = JSON.readTree(boom.body());
    String id = e.get("error_id").asText();
    assertTrue(id.matches("[0-9a-f]{1,12}"), id);
    assertTrue(e.get("error").asText().contains(id));
    assertFalse(boom.body().contains("secret") || boom.body().contains("IllegalState"), boom.body());
  }

  @Test
  void aGuardRefusesBeforeRouting() throws Exception {
    HttpService s = serve(2, 1024).route("GET", "/a", r -> Response.json(Map.of("ok", true)))
        .guard(r -> {
          if (r.header("X-Key") == null) throw new HttpError(421, "MISDIRECTED_REQUEST", "no key");
        }).start();
    assertEquals(421, send(s, "GET", "/a", null).statusCode());
    assertEquals(421, send(s, "GET", "/nothing", null).statusCode(), "before the 404");
    HttpRequest keyed = HttpRequest.newBuilder(s.uri().resolve("/a")).header("X-Key", "k").GET().build();
    assertEquals(200, client.send(keyed, HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  void pastTheAdmissionBoundRequestsGet503AtOnceWhileUnadmittedRoutesStillAnswer() throws Exception {
    HttpService s = serve(1, 1 << 20)
        .route("POST", "/work", r -> Response.json(Map.of("n", r.body().length)))
        .route(Route.of("GET", "/health", r -> Response.json(Map.of("ok", true))).withoutAdmission())
        .start();
    assertEquals(Admission.PER_WORKER, s.admission().limit());
    List<Socket> holding = new ArrayList<>();
    try {
      // each holds a place: headers sent, the body only begun
      for (int i = 0; i < s.admission().limit(); i++) {
        Socket so = new Socket("127.0.0.1", s.port());
        write(so, "POST /work HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n[");
        holding.add(so);
      }
      for (int attempt = 0; attempt < 80 && s.admission().free() > 0; attempt++) Thread.sleep(50);
      assertEquals(0, s.admission().free());
      HttpResponse<String> busy = send(s, "POST", "/work", "{}");
      assertEquals(503, busy.statusCode(), busy.body());
      assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
      assertEquals(503, JSON.readTree(busy.body()).get("status").asInt());
      assertEquals(200, send(s, "GET", "/health", null).statusCode());
    } finally {
      for (Socket so : holding) so.close();
    }
    HttpResponse<String> ok = null;
    for (int attempt = 0; attempt < 80; attempt++) {
      ok = send(s, "POST", "/work", "{}");
      if (ok.statusCode() == 200) break;
      Thread.sleep(50);
    }
    assertEquals(200, ok.statusCode(), "places come back once those clients are gone");
  }

  @Test
  void observersHearOfEveryAnswerByRoutePatternTheServersOwnErrorsIncluded() throws Exception {
    List<String> heard = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Long> nanos = java.util.Collections.synchronizedList(new ArrayList<>());
    HttpService s = serve(1, 100)
        .route("GET", "/items/{id}", r -> Response.json(Map.of("id", r.path("id"))))
        .route("POST", "/work", r -> {
          if (r.body().length == 0) throw HttpError.badRequest("empty");
          return Response.json(Map.of("n", r.body().length));
        })
        .route("GET", "/boom", r -> {
          throw new IllegalStateException("boom");
        })
        .guard(r -> {
          if (r.header("X-Refuse") != null) throw new HttpError(421, "MISDIRECTED_REQUEST", "refused");
        })
        .observe((method, route, status, ns) -> {
          heard.add(method + " " + route + " " + status);
          nanos.add(ns);
        })
        .observe((method, route, status, ns) -> {
          throw new IllegalStateException("a broken observer does not break the server");
        })
        .start();
    assertEquals(200, send(s, "GET", "/items/7", null).statusCode());
    assertEquals(200, send(s, "GET", "/items/8?x=1", null).statusCode());
    assertEquals(400, send(s, "POST", "/work", "").statusCode());
    assertEquals(413, send(s, "POST", "/work", "x".repeat(500)).statusCode());
    assertEquals(404, send(s, "GET", "/nothing/" + "x".repeat(40), null).statusCode());
    assertEquals(405, send(s, "DELETE", "/items/7", null).statusCode());
    assertEquals(500, send(s, "GET", "/boom", null).statusCode());
    HttpRequest refused = HttpRequest.newBuilder(s.uri().resolve("/items/7")).header("X-Refuse", "1").GET().build();
    assertEquals(421, client.send(refused, HttpResponse.BodyHandlers.ofString()).statusCode());
    // a client that has its answer has been counted: no waiting needed
    assertEquals(List.of("GET /items/{id} 200", "GET /items/{id} 200", "POST /work 400", "POST /work 413",
        "GET other 404", "DELETE other 405", "GET /boom 500", "GET other 421"), heard);
    assertTrue(nanos.stream().allMatch(n -> n > 0 && n < 10_000_000_000L), nanos.toString());
    // and a request a client abandoned before sending it whole was answered to nobody
    try (Socket so = new Socket("127.0.0.1", s.port())) {
      write(so, "POST /work HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nxx");
    }
    assertEquals(200, send(s, "GET", "/items/9", null).statusCode());
    Thread.sleep(200);
    assertEquals("GET /items/{id} 200", heard.get(heard.size() - 1));
    assertEquals(9, heard.size(), heard.toString());
  }

  @Test
  void aClientThatSendsHalfItsHeadersIsCutOffAtTheDeadlineWhileOthersAreServed() throws Exception {
    HttpService s = serve(1, 1024).route("GET", "/a", r -> Response.json(Map.of("ok", true))).start();
    // more dribblers than the pool keeps threads for
    try (Dribblers slow = Dribblers.start("127.0.0.1", s.port(), "GET /a HTTP/1.1\r\nHo", 20)) {
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) assertEquals(200, send(s, "GET", "/a", null).statusCode());
      assertTrue(System.nanoTime() - start < ConnectionLimits.REQUEST_SECONDS * 1_000_000_000L,
          "served before the dribblers' deadline");
      slow.assertEachCutOff(ConnectionLimits.REQUEST_SECONDS, "the server closed the connection");
    }
  }

  private static void write(Socket so, String text) throws IOException {
    OutputStream out = so.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) return s.toString();
      if (c != '\r') s.append((char) c);
    }
    return s.toString();
  }
}
