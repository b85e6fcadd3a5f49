package io.omelet.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request as handlers see it: method, decoded path, decoded query and path parameters, headers,
 * the body (read whole, within the route's limit) and the client's address.
 */
public record Request(String method, String path, Map<String, List<String>> query, Map<String, String> pathParams,
                      Map<String, List<String>> headers, byte[] body, InetSocketAddress remote) {
  /** The first value of a query parameter, or null. */
  public String query(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  public String query(String name, String dflt) {
    String v = query(name);
    return v == null || v.isEmpty() ? dflt : v;
  }

  /** A whole-number query parameter within {@code [min, max]}; 400 otherwise. */
  public int queryInt(String name, int dflt, int min, int max) {
    String v = query(name);
    if (v == null || v.isEmpty()) return dflt;
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min || n > max) throw HttpError.badRequest(name + " must be between " + min + " and " + max + ", got " + n);
      return n;
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(name + " must be a whole number, got '" + v + "'");
    }
  }

  public String path(String name) {
    return pathParams.get(name);
  }

  /** A header's first value (names in any case), or null. */
  public String header(String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) return e.getValue().get(0);
    }
    return null;
  }

  /** The body as JSON (NaN and the infinities allowed, as Python writes them); an empty body is an empty object. */
  public JsonNode json() {
    if (body.length == 0) return JsonCodec.MAPPER.createObjectNode();
    try {
      return JsonCodec.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw HttpError.badRequest("the request body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw HttpError.badRequest("the request body cannot be read: " + e.getMessage());
    }
  }

  Request with(Map<String, String> params, byte[] bytes) {
    return new Request(method, path, query, params, headers, bytes, remote);
  }

  /** A query string's parameters, decoded ({@code +} is a space), in order; 400 on bad percent-encoding. */
  static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) return q;
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        k = URLDecoder.decode(k, StandardCharsets.UTF_8);
        v = URLDecoder.decode(v, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest("malformed percent-encoding in the query");
      }
      q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return q;
  }
}
