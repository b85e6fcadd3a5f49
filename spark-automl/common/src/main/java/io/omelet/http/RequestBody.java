package io.omelet.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;

/** Reading a request body whole within a bound, and dropping the rest of one refused. */
final class RequestBody {
  /** Reading past this much of a refused body costs more than a client that sees its connection reset. */
  private static final long MAX_DRAIN_BYTES = 64L << 20;

  private RequestBody() {}

  /**
   * The body, or 413 when it is over {@code maxBytes}: from {@code Content-Length} before reading,
   * or while reading one without it (chunked).
   */
  static byte[] read(HttpExchange ex, long maxBytes) throws IOException {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw HttpError.badRequest("bad Content-Length: " + length);
      }
      if (declared > maxBytes) throw HttpError.tooLarge(maxBytes);
    }
    InputStream in = ex.getRequestBody();
    byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (body.length > maxBytes) throw HttpError.tooLarge(maxBytes);
    return body;
  }

  /**
   * Reads (and drops) the rest of a refused body once the answer is out: a socket closed with
   * unread bytes is reset, and the reset would take the 413 answer with it before the client
   * reads it. A client that has its answer closes the connection, which ends the read.
   */
  static void drainQuietly(HttpExchange ex) {
    try {
      InputStream in = ex.getRequestBody();
      byte[] sink = new byte[64 << 10];
      long left = MAX_DRAIN_BYTES;
      for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0; ) left -= n;
    } catch (IOException gone) {
      // the client closed first: nothing left to protect
    }
  }
}
