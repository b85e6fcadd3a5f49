package io.omelet.http;

/**
 * The deadlines and the connection bound of the JDK's server. It reads them from system properties
 * once per JVM, when its configuration class loads (at the first {@code HttpServer.create}), so
 * they are set here, before {@link HttpService} creates its first server, unless the user set them
 * with {@code -D} already. They hold for every JDK server in the JVM.
 */
public final class ConnectionLimits {
  /**
   * Seconds a client has to send its request (line, headers and body) before the connection is
   * closed. The JDK server reads headers on a worker thread: without a deadline, clients that
   * dribble their headers hold threads forever. The body counts too, so a large upload over a slow
   * link needs {@code -Dsun.net.httpserver.maxReqTime} raised.
   */
  public static final int REQUEST_SECONDS = 5;
  /** Seconds from the end of the request to the end of the response; past that the connection is closed. */
  public static final int RESPONSE_SECONDS = 30;
  /** Connections open at once; the JDK server closes new ones past this. */
  public static final int MAX_CONNECTIONS = 512;

  static {
    // Headers and body go out as two segments; with Nagle's algorithm on, the body waits for the
    // client's delayed ACK (~40 ms a request).
    setIfAbsent("sun.net.httpserver.nodelay", "true");
    setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
    setIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(RESPONSE_SECONDS));
    // how often the deadlines are checked
    setIfAbsent("sun.net.httpserver.timerMillis", "250");
    setIfAbsent("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
    // Past 200 idle keep-alive connections (the JDK's default) the server closes each connection
    // after its response; a client that already sent its next request on it sees a dropped
    // connection instead of an answer (bin/bench faults: 157 of 40,000 requests at overload).
    setIfAbsent("sun.net.httpserver.maxIdleConnections", Integer.toString(MAX_CONNECTIONS));
  }

  private ConnectionLimits() {}

  /** Sets the properties (once, by loading this class); call before creating a JDK server. */
  static void apply() {
    // the static initializer did the work
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) System.setProperty(key, value);
  }
}
