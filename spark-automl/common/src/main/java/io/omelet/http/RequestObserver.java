package io.omelet.http;

/**
 * Told about every request a server answered, whoever answered it: a handler, or the server itself
 * (404, 405, 413, a guard's refusal, the 503 of {@link Admission}, a 500). For metrics: it runs on
 * the worker thread once the answer is ready, just before it is written, so it must be quick and
 * should not throw (what it throws is dropped, the first time with a warning). A client that has
 * its answer has been counted, and the time is the server's: a client slow to read its answer does
 * not add to it.
 *
 * <p>Not told about a request whose client went away before the request was read: nobody was
 * answered.
 */
@FunctionalInterface
public interface RequestObserver {
  /** The route of a request no route matched (404, 405, or refused before routing). */
  String OTHER = "other";

  /**
   * @param method the request's method as sent, in upper case (HEAD included; any token a client
   *     sends, so not bounded as {@code route} is)
   * @param route the pattern of the route that matched, e.g. {@code /items/{id}}, never the raw
   *     path (a label with a bounded number of values); {@link #OTHER} when none matched
   * @param status the status answered
   * @param nanos from the server handing over the request (its line and headers read) to its answer
   *     being ready (the body read and handled)
   */
  void answered(String method, String route, int status, long nanos);
}
