package io.omelet.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The routes of one server, tried in the order they were added, and the error renderer of each
 * path prefix (the longest prefix that matches wins; {@link ErrorRenderer#JSON} elsewhere unless
 * replaced). HEAD is answered by the GET route; a path that only other methods serve is 405 with
 * {@code Allow}, a path no route serves 404.
 */
public final class Router {
  /** A route that matched and its decoded path parameters. */
  record Match(Route route, Map<String, String> params) {}

  private record PrefixRenderer(String prefix, ErrorRenderer renderer) {}

  private final List<Route> routes = new ArrayList<>();
  private final List<PrefixRenderer> renderers = new ArrayList<>();
  private ErrorRenderer fallback = ErrorRenderer.JSON;

  void add(Route route) {
    routes.add(route);
  }

  void errorsUnder(String prefix, ErrorRenderer renderer) {
    renderers.add(new PrefixRenderer(prefix, renderer));
  }

  void errors(ErrorRenderer renderer) {
    this.fallback = renderer;
  }

  ErrorRenderer renderer(String rawPath) {
    ErrorRenderer best = fallback;
    int longest = -1;
    for (PrefixRenderer p : renderers) {
      if (rawPath.startsWith(p.prefix()) && p.prefix().length() > longest) {
        best = p.renderer();
        longest = p.prefix().length();
      }
    }
    return best;
  }

  /** The route for {@code method} (upper case) on {@code rawPath}; throws the 404 or 405. */
  Match match(String method, String rawPath) {
    String wanted = method.equals("HEAD") ? "GET" : method;
    Set<String> allowed = new TreeSet<>();
    for (Route r : routes) {
      Map<String, String> params = r.pattern().match(rawPath);
      if (params == null) continue;
      if (r.method().equals(wanted)) return new Match(r, params);
      allowed.add(r.method());
    }
    String path = PathPattern.decode(rawPath);
    if (allowed.isEmpty()) throw new HttpError(404, "ENDPOINT_NOT_FOUND", "no page or endpoint at " + path);
    if (allowed.contains("GET")) allowed.add("HEAD");
    String allow = String.join(", ", allowed);
    throw new HttpError(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + path + "; use " + allow)
        .withHeader("Allow", allow);
  }
}
