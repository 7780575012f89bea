package dev.edlinkidem.system;

import java.nio.charset.StandardCharsets;

/**
 * An HTTP proxy for tests, on a port of 127.0.0.1, and the URLs that name it, so that a test can
 * run the same steps through {@link Tinyproxy} and {@link RecordingProxy}.
 */
public interface LoopbackProxy extends AutoCloseable {
  /** The port it listens on, on 127.0.0.1. */
  int port();

  /** Its URL, {@code http://127.0.0.1:PORT}. */
  default String url() {
    return "http://127.0.0.1:" + port();
  }

  /**
   * Its URL with credentials, {@code http://USER:PASSWORD@127.0.0.1:PORT}, each percent-encoded as
   * a URL's user info must be (right or wrong ones: this does not check them).
   */
  default String url(String user, String password) {
    return "http://" + userInfo(user) + ":" + userInfo(password) + "@127.0.0.1:" + port();
  }

  /** Stops it; what it recorded or logged can still be read. */
  @Override
  void close();

  /** {@code s} with every byte but RFC 3986's unreserved characters percent-encoded. */
  private static String userInfo(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || "-._~".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
