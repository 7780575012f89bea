package dev.edlinkidem.request;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * One spelling for each URL that names the same resource, for deriving keys: the scheme and host in
 * lower case, the host without its trailing dot, no default port, the path without dot segments or
 * a trailing slash, and percent-escapes of unreserved characters decoded (the rest in upper case).
 * The same destination spelled {@code http://LOCALHOST:80/x/} or {@code http://localhost/x} derives
 * one key, as the origin check sees one origin. Names are not resolved: {@code localhost} and
 * {@code 127.0.0.1} stay two spellings. The request sent is not changed.
 */
public final class CanonicalUrl {
  private static final String UNRESERVED =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private CanonicalUrl() {}

  /** The canonical spelling of {@code url}, or {@code url} itself when it is not one to send. */
  public static String of(String url) {
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
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    if (host.length() > 1 && host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    int port = uri.getPort();
    boolean defaultPort =
        port == -1 || scheme.equals("https") && port == 443 || scheme.equals("http") && port == 80;
    StringBuilder out = new StringBuilder(url.length());
    out.append(scheme).append("://").append(host);
    if (!defaultPort) {
      out.append(':').append(port);
    }
    out.append(path(escapes(uri.getRawPath() == null ? "" : uri.getRawPath())));
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      out.append('?').append(escapes(query));
    }
    return out.toString();
  }

  /** Decodes escapes of unreserved characters ({@code %7E} is {@code ~}), upper-cases the rest. */
  static String escapes(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
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
   * The path without {@code .} and {@code ..} segments (RFC 3986, 5.2.4) and without a trailing
   * slash; {@code /} when nothing is left.
   */
  static String path(String raw) {
    Deque<String> kept = new ArrayDeque<>();
    for (String segment : raw.split("/", -1)) {
      if (segment.equals("..")) {
        kept.pollLast();
      } else if (!segment.equals(".") && !segment.isEmpty()) {
        kept.addLast(segment);
      } else if (segment.isEmpty() && !kept.isEmpty()) {
        // An empty segment inside the path (a//b) may mean something to a server: kept.
        kept.addLast(segment);
      }
    }
    while (!kept.isEmpty() && kept.peekLast().isEmpty()) {
      kept.pollLast();
    }
    return "/" + String.join("/", kept);
  }
}
