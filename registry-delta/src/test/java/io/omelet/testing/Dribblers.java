package io.omelet.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Clients that open a connection, send the start of a request and then nothing more: how the tests of
 * both HTTP servers check that slow clients hold no worker and are cut off at the request deadline.
 */
public final class Dribblers implements AutoCloseable {
  private final List<Socket> sockets = new ArrayList<>();

  private Dribblers() {}

  /** {@code count} connections to {@code host:port}, each having sent {@code partialRequest}. */
  public static Dribblers start(String host, int port, String partialRequest, int count) throws IOException {
    Dribblers d = new Dribblers();
    try {
      for (int i = 0; i < count; i++) {
        Socket so = new Socket(host, port);
        d.sockets.add(so);
        OutputStream out = so.getOutputStream();
        out.write(partialRequest.getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
    return d;
  }

  /** Each connection is closed by the server (end of stream or a reset) within its deadline plus 10 s. */
  public void assertEachCutOff(int deadlineSeconds, String message) throws IOException {
    for (Socket so : sockets) {
      so.setSoTimeout((deadlineSeconds + 10) * 1000);
      int read;
      try {
        read = so.getInputStream().read();
      } catch (SocketException reset) {
        read = -1;
      }
      assertEquals(-1, read, message);
    }
  }

  @Override
  public void close() {
    for (Socket so : sockets) {
      try {
        so.close();
      } catch (IOException ignored) {
        // closing a test's client socket
      }
    }
  }
}
