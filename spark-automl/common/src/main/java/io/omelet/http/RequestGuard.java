package io.omelet.http;

/**
 * A check every request passes before it is routed (a Host check, fault injection in tests). It
 * sees the request line and headers: no path parameters, and the body is not read yet.
 */
@FunctionalInterface
public interface RequestGuard {
  /** Throws {@link HttpError} to refuse the request. */
  void check(Request request);
}
