package io.omelet.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a handler answers: status, content type, body and extra headers. */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
  public static final String JSON_TYPE = "application/json; charset=utf-8";

  public static Response json(Object value) {
    return json(200, value);
  }

  /** {@code value} written by Jackson (maps, lists, records, strings, numbers). */
  public static Response json(int status, Object value) {
    try {
      return jsonBytes(status, JsonCodec.MAPPER.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON: " + e, e);
    }
  }

  /** JSON the handler wrote itself (e.g. streamed with a generator). */
  public static Response jsonBytes(int status, byte[] json) {
    return new Response(status, JSON_TYPE, json, Map.of());
  }

  public static Response html(int status, String html) {
    return new Response(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  public Response withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new Response(status, contentType, body, h);
  }
}
