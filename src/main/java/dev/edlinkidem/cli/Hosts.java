package dev.edlinkidem.cli;

import java.util.Locale;

/** Host-name rules that keep the token on the intended host. */
final class Hosts {
  private Hosts() {}

  /** Loopback names and addresses: the only hosts plain http:// may reach. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1")
        || h.matches("127(\\.\\d{1,3}){3}");
  }
}
