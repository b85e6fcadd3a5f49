package io.omelet.ui;

import io.omelet.http.HttpError;
import io.omelet.http.Request;
import io.omelet.http.RequestGuard;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests must name this server in their Host header: a page on another site that rebinds its
 * DNS name to 127.0.0.1 gets 421 and cannot read answers. A request carrying the server's bearer
 * token skips the check: such a page cannot know the token.
 */
final class HostCheck implements RequestGuard {
  private final Set<String> hosts = ConcurrentHashMap.newKeySet();
  private final BearerToken token;

  /** The names a browser may use for {@code host} bound on {@code port}; {@code token} may be null. */
  HostCheck(String host, int port, BearerToken token) throws SocketException, java.net.UnknownHostException {
    this.token = token;
    InetAddress address = InetAddress.getByName(host);
    allow(host, port);
    allow(address.getHostAddress(), port);
    if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
      for (String h : List.of("localhost", "127.0.0.1", "[::1]")) allow(h, port);
    }
    if (address.isAnyLocalAddress()) {
      // bound to every interface: each interface's address names this server
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          String text = a.getHostAddress();
          int zone = text.indexOf('%');
          if (zone >= 0) text = text.substring(0, zone);
          allow(a instanceof Inet6Address ? "[" + text + "]" : text, port);
        }
      }
    }
  }

  private void allow(String host, int port) {
    allow(host + ":" + port);
  }

  /** Also accepts requests naming {@code hostAndPort} (e.g. the machine's DNS name). */
  void allow(String hostAndPort) {
    hosts.add(hostAndPort.toLowerCase(Locale.ROOT));
  }

  @Override
  public void check(Request request) {
    if (token != null && token.carriedBy(request)) return;
    String host = request.header("Host");
    if (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT))) {
      throw new HttpError(421, "MISDIRECTED_REQUEST", "this server does not answer for host " + host);
    }
  }
}
