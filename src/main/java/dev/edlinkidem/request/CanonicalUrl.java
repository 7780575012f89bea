package dev.edlinkidem.request;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * One spelling for each URL that names the same resource: the scheme and host in lower case, the
 * host without its trailing dot, no default port, percent-escapes of unreserved characters decoded
 * and the rest in upper case, other characters than ASCII escaped as UTF-8 (as the HTTP client
 * sends them), the path without {@code .} and {@code ..} segments (removed before sending, as curl
 * does) or a trailing slash, and no empty query. A batch line sends this URL and derives its key
 * from it, so that the key and what goes on the wire agree: {@code http://LOCALHOST:80/x/} and
 * {@code http://localhost/x} are one request. Names are not resolved: {@code localhost} and {@code
 * 127.0.0.1} stay two; empty segments ({@code //x}, {@code a//b}) are kept.
 */
public final class CanonicalUrl {
  private static final String UNRESERVED =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private CanonicalUrl() {}

  /** The canonical spelling of {@code url}, or {@code url} itself when it is not one to send. */
  public static String of(String url) {
    return spelled(url, true);
  }

  /**
   * {@link #of}, but with the path's segments as written (dot segments and slashes kept): the
   * spellings every server must take for one, by RFC 3986's syntax-based normalisation, for telling
   * whether a journaled request is the one asked for again.
   */
  public static String syntax(String url) {
    return spelled(url, false);
  }

  private static String spelled(String url, boolean segments) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return url;
    }
    if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null) {
      return url;
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    String host = Destination.withoutRootDot(uri.getHost());
    int port = uri.getPort();
    boolean defaultPort =
        port == -1 || scheme.equals("https") && port == 443 || scheme.equals("http") && port == 80;
    StringBuilder out = new StringBuilder(url.length());
    out.append(scheme).append("://").append(host);
    if (!defaultPort) {
      out.append(':').append(port);
    }
    String rawPath = escapes(uri.getRawPath() == null ? "" : uri.getRawPath());
    out.append(segments ? path(rawPath) : rawPath.isEmpty() ? "/" : rawPath);
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      out.append('?').append(escapes(query));
    }
    return out.toString();
  }

  /**
   * Decodes escapes of unreserved characters ({@code %7E} is {@code ~}), upper-cases the rest, and
   * escapes characters beyond ASCII as their UTF-8 bytes ({@code é} is {@code %C3%A9}).
   */
  static String escapes(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c >= 0x80) {
        int end = Character.isHighSurrogate(c) && i + 1 < raw.length() ? i + 2 : i + 1;
        for (byte b : raw.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
          out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
        }
        i = end - 1;
        continue;
      }
      int hi = c == '%' && i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
      if (lo < 0) {
        out.append(c);
        continue;
      }
      char decoded = (char) (hi * 16 + lo);
      if (UNRESERVED.indexOf(decoded) >= 0) {
        out.append(decoded);
      } else {
        out.append('%').append(HEX[hi]).append(HEX[lo]);
      }
      i += 2;
    }
    return out.toString();
  }

  /**
   * The path without {@code .} and {@code ..} segments (RFC 3986, 5.2.4) and without trailing
   * slashes; {@code /} when nothing is left.
   */
  static String path(String raw) {
    Deque<String> kept = new ArrayDeque<>();
    String[] parts = raw.split("/", -1);
    // parts[0] is what comes before the first slash: nothing, in a path that has one.
    for (int i = 1; i < parts.length; i++) {
      String segment = parts[i];
      if (segment.equals("..")) {
        kept.pollLast();
      } else if (!segment.equals(".")) {
        // An empty segment (//x, a//b) may mean something to a server: kept.
        kept.addLast(segment);
      }
    }
    while (!kept.isEmpty() && kept.peekLast().isEmpty()) {
      kept.pollLast();
    }
    return "/" + String.join("/", kept);
  }
}
