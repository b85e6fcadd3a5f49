package io.omelet.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the errors under a path prefix look: {@link #JSON} by default, MLflow's
 * {@code {"error_code", "message"}} under its API, an HTML page on the UI's page paths. The
 * error's headers are added to whatever the renderer answers.
 */
@FunctionalInterface
public interface ErrorRenderer {
  Response render(HttpError error);

  /** {@code {"error": message, "error_code": code, "status": status, ...details}}. */
  ErrorRenderer JSON = e -> {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", e.getMessage());
    m.put("error_code", e.code());
    m.put("status", e.status());
    m.putAll(e.details());
    return Response.json(e.status(), m);
  };
}
