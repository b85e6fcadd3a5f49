package io.omelet.examples.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The REST part of bin/bench faults, against an in-process {@code ScoringServer} on loopback:
 * mutated requests over raw sockets (each must get a 2xx or 4xx, never a 5xx or a dropped
 * connection), scoring under clients that dribble their headers, the highest rate that keeps p99
 * under 5 ms, and shedding at four times that rate.
 */
final class RestFaults {
  private static final String[] METHODS = {"POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD",
      "FOO", "post"};
  private static final String[] PATHS = {"/predict", "/predict", "/predict", "/predict?explain=true",
      "/predict?explain=maybe", "/predict?explain=true&explain=false", "/predict?%zz", "/model", "/health", "/",
      "/predict/../model", "/%00", "/predictions", "/predict#frag", "/reload/x", "/" + "a".repeat(2000)};
  private static final String[] TYPES = {"application/json", "application/json", "text/plain", null,
      "application/json; charset=latin1", "multipart/form-data; boundary=x", "*/*"};
  private static final String[] NOISE = {"{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "-", "NaN",
      "\u0000", "\uffff", "\\", "\"\\u0000\"", "[[[[", "{\"a\":", "9".repeat(400), " "};

  /** What the fuzzing saw. */
  record Fuzz(int cases, int fiveXx, int dropped, int twoXx, int fourXx, boolean healthAfter, String firstBad) {}

  private RestFaults() {}

  /** {@code cases} mutated requests (seeded); the bodies are valid single-row requests to start from. */
  static Fuzz fuzz(URI base, List<String> bodies, int cases, long seed) {
    Random rnd = new Random(seed);
    int fiveXx = 0;
    int dropped = 0;
    int two = 0;
    int four = 0;
    String firstBad = null;
    for (int i = 0; i < cases; i++) {
      String method = pick(rnd, METHODS);
      String path = pick(rnd, PATHS);
      byte[] body = body(rnd, bodies);
      String type = pick(rnd, TYPES);
      boolean chunked = rnd.nextInt(8) == 0;
      int status;
      try {
        status = exchange(base, method, path, type, body, chunked, rnd.nextInt(10) == 0 ? extraHeaders(rnd) : "");
      } catch (IOException e) {
        status = -1;
        if (firstBad == null) firstBad = method + " " + path + ": " + e;
      }
      if (status < 0) {
        dropped++;
        System.err.printf("dropped: %s %s, %s, %d-byte body%s%n", method, path, type, body.length,
            chunked ? " chunked" : "");
      }
      else if (status >= 500) {
        fiveXx++;
        if (firstBad == null) firstBad = method + " " + path + ": HTTP " + status;
      } else if (status >= 400) four++;
      else if (status >= 200 && status < 300) two++;
    }
    boolean healthy;
    try {
      healthy = exchange(base, "GET", "/health", null, new byte[0], false, "") == 200;
    } catch (IOException e) {
      healthy = false;
    }
    return new Fuzz(cases, fiveXx, dropped, two, four, healthy, firstBad);
  }

  private static byte[] body(Random rnd, List<String> bodies) {
    String b = bodies.get(rnd.nextInt(bodies.size()));
    switch (rnd.nextInt(10)) {
      case 0 -> b = "";
      case 1 -> b = "[" + b + "," + b + "]";
      case 2 -> b = "[".repeat(5000 + rnd.nextInt(50_000));
      case 3 -> {
        byte[] junk = new byte[rnd.nextInt(2000)];
        rnd.nextBytes(junk);
        return junk;
      }
      case 4 -> b = b.replaceAll("\\d+\\.?\\d*", pick(rnd, new String[] {"\"x\"", "1e400", "-0", "null", "[]", "{}"}));
      default -> {
        StringBuilder s = new StringBuilder(b);
        for (int e = 1 + rnd.nextInt(4); e > 0; e--) {
          int at = rnd.nextInt(s.length() + 1);
          if (rnd.nextBoolean() && at < s.length()) s.deleteCharAt(at);
          else s.insert(at, pick(rnd, NOISE));
        }
        b = s.toString();
      }
    }
    return b.getBytes(StandardCharsets.UTF_8);
  }

  private static String extraHeaders(Random rnd) {
    StringBuilder h = new StringBuilder();
    for (int i = rnd.nextInt(20); i > 0; i--) h.append("X-Fuzz-").append(i).append(": ").append("v".repeat(rnd.nextInt(300))).append("\r\n");
    if (rnd.nextBoolean()) h.append("Expect: 100-continue\r\n");
    if (rnd.nextBoolean()) h.append("Accept-Encoding: gzip\r\n");
    return h.toString();
  }

  /**
   * One request on its own connection ({@code Connection: close}), framed correctly; the status
   * of the response, or -1 when the connection closed (or stayed silent 10 s) without one.
   */
  static int exchange(URI base, String method, String path, String type, byte[] body, boolean chunked, String extra)
      throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
      s.setSoTimeout(10_000);
      StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
          .append("Host: ").append(base.getHost()).append("\r\nConnection: close\r\n");
      if (type != null) head.append("Content-Type: ").append(type).append("\r\n");
      head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
      head.append(extra).append("\r\n");
      OutputStream out = s.getOutputStream();
      try {
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (chunked) {
          if (body.length > 0) {
            out.write((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
          out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } else {
          out.write(body);
        }
        out.flush();
      } catch (IOException e) {
        // The server may have answered early (an error before reading the body) and closed: read
        // its answer as a client that stops sending on a reset would.
        System.err.println("write failed: " + method + " " + path + " body " + body.length + ": " + e);
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      try {
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) line.write(c);
        // drain the rest so the server is never blocked writing to us
        byte[] buf = new byte[8192];
        while (in.read(buf) >= 0) {
          // discard
        }
      } catch (SocketTimeoutException e) {
        return -1;
      } catch (IOException e) {
        if (line.size() == 0) return -1;
      }
      String status = line.toString(StandardCharsets.ISO_8859_1);
      if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) return -1;
      return Integer.parseInt(status.substring(9, 12));
    }
  }

  /**
   * {@code n} clients that each send one header byte a second, reconnecting when the server cuts
   * them off; stop them by setting {@code stop}.
   */
  static List<Thread> dribblers(URI base, int n, AtomicBoolean stop) {
    List<Thread> out = new ArrayList<>();
    byte[] request = ("POST /predict HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\n"
        + "X-Slow: " + "s".repeat(200) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < n; i++) {
      Thread t = new Thread(() -> {
        while (!stop.get()) {
          try (Socket s = new Socket(base.getHost(), base.getPort())) {
            OutputStream o = s.getOutputStream();
            for (int b = 0; b < request.length && !stop.get(); b++) {
              o.write(request[b]);
              o.flush();
              Thread.sleep(1000);
            }
          } catch (IOException e) {
            // cut off by the server: connect again
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "dribbler-" + i);
      t.setDaemon(true);
      t.start();
      out.add(t);
    }
    return out;
  }

  private static String pick(Random rnd, String[] from) {
    return from[rnd.nextInt(from.length)];
  }
}
