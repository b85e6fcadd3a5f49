package io.omelet.http;

import java.util.Locale;

/**
 * One endpoint: a method, a {@link PathPattern} and its handler, with its bound on request bodies
 * ({@code -1}: the server's) and whether it takes a place in the server's {@link Admission} (cheap
 * answers such as a health check stay answered under overload).
 */
public record Route(String method, PathPattern pattern, Handler handler, long maxBodyBytes, boolean admitted) {
  public Route {
    method = method.toUpperCase(Locale.ROOT);
  }

  /** A route with the server's body limit, taking admission. */
  public static Route of(String method, String pattern, Handler handler) {
    return new Route(method, PathPattern.of(pattern), handler, -1, true);
  }

  /** The same route with its own bound on request bodies (uploads take more than JSON calls). */
  public Route withMaxBodyBytes(long n) {
    if (n < 0) throw new IllegalArgumentException("max body bytes must be >= 0, got " + n);
    return new Route(method, pattern, handler, n, admitted);
  }

  /** The same route answered whatever the load: for cheap answers that must stay available. */
  public Route withoutAdmission() {
    return new Route(method, pattern, handler, maxBodyBytes, false);
  }
}
