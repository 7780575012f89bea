package dev.edlinkidem.request;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Locale;

/**
 * Where a request, and with it the token, may go: the base URL's own origin, over https (plain http
 * only to a loopback host), or another host only when the user allowed it by name. A URL refused is
 * an {@link InvalidRequestException} saying where the token would have gone.
 */
public final class Destination {
  private Destination() {}

  /**
   * The base URL, checked: a scheme and a host, https or plain http to a loopback host, no query.
   */
  public static URI baseUrl(String text) {
    URI uri;
    try {
      uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    } catch (URISyntaxException e) {
      throw new InvalidRequestException("base URL '" + text + "' is not a URL");
    }
    if (uri.getHost() == null || uri.getScheme() == null) {
      throw new InvalidRequestException(
          "base URL '" + text + "' needs a scheme and a host, like https://ed.link");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new InvalidRequestException("base URL '" + text + "' must start with https://");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new InvalidRequestException(
          "base URL '" + text + "' must not have a ?query or #fragment");
    }
    checkUrlParts(uri, "base URL '" + text + "'");
    if (scheme.equals("http") && !isLoopback(uri.getHost())) {
      throw new InvalidRequestException(
          "refusing plain http:// to "
              + uri.getHost()
              + ": the token would travel unencrypted; use https:// (http is allowed for loopback"
              + " hosts only)");
    }
    return uri;
  }

  /**
   * The URL for an API path (joined to the base URL) or a full URL, refused when it would take the
   * token elsewhere.
   */
  public static String resolve(String pathOrUrl, URI base, List<String> allowedHosts) {
    if (pathOrUrl.startsWith("/")) {
      String url =
          base.getScheme()
              + "://"
              + base.getRawAuthority()
              + stripSlash(base.getRawPath())
              + pathOrUrl;
      return check(url, pathOrUrl);
    }
    if (!pathOrUrl.matches("(?i)https?://.*")) {
      throw new InvalidRequestException(
          "'"
              + pathOrUrl
              + "' is neither an API path (starting with /) nor an http(s) URL"
              + (pathOrUrl.startsWith("api/") ? "; did you mean '/" + pathOrUrl + "'?" : ""));
    }
    String url = check(pathOrUrl, pathOrUrl);
    checkOrigin(URI.create(url), base, allowedHosts);
    return url;
  }

  /**
   * Refuses a URL whose scheme, host or port differ from the base URL's, unless its host is
   * allowed.
   */
  public static void checkOrigin(URI url, URI base, List<String> allowedHosts) {
    String host = url.getHost().toLowerCase(Locale.ROOT);
    boolean allowed =
        allowedHosts.stream().anyMatch(h -> withoutRootDot(h).equals(withoutRootDot(host)));
    if (!allowed && !sameOrigin(url, base)) {
      throw new InvalidRequestException(
          "refusing to send the token to "
              + origin(url)
              + ": it is not the base URL "
              + origin(base)
              + " (use --allow-host "
              + host
              + " if you mean it)");
    }
    if (url.getScheme().equalsIgnoreCase("http") && !isLoopback(host)) {
      throw new InvalidRequestException(
          "refusing plain http:// to " + host + ": use https:// (http is for loopback hosts only)");
    }
  }

  /** Whether two URLs share scheme, host and port, the default port spelled out or not. */
  public static boolean sameOrigin(URI a, URI b) {
    return origin(a).equals(origin(b));
  }

  /**
   * scheme://host:port in lower case with the port made explicit and without the host's trailing
   * dot (the root of DNS: {@code ed.link.} is {@code ed.link}), for comparison and messages.
   */
  public static String origin(URI uri) {
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return scheme + "://" + withoutRootDot(uri.getHost()) + ":" + port;
  }

  /** A host name in lower case without one trailing dot. */
  static String withoutRootDot(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.length() > 1 && h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  /** Loopback names and addresses: the only hosts plain http:// may reach. */
  public static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost")
        || h.endsWith(".localhost")
        || h.equals("::1")
        || h.matches("127(\\.\\d{1,3}){3}");
  }

  /**
   * Whether a URL names {@code $idempotency} itself, in any case and any percent-encoding ({@code
   * %24idempotenc%79}): the key is the tool's to add, once.
   */
  public static boolean carriesIdempotency(String url) {
    String decoded = url;
    for (int i = 0; i < 4; i++) { // %2524 decodes to %24, which a second decoding reads as $
      String once = percentDecoded(decoded);
      if (once.equals(decoded)) {
        break;
      }
      decoded = once;
    }
    return decoded.toLowerCase(Locale.ROOT).contains("$idempotency");
  }

  private static String percentDecoded(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.append((char) (hi * 16 + lo));
          i += 2;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }

  private static String check(String url, String given) {
    if (carriesIdempotency(url)) {
      throw new InvalidRequestException(
          "'" + given + "' already carries $idempotency; give the key with --key instead");
    }
    try {
      URI uri = new URI(url);
      if (uri.getHost() == null) {
        throw new InvalidRequestException("'" + given + "' has no host");
      }
      if (uri.getRawFragment() != null) {
        throw new InvalidRequestException(
            "'" + given + "' has a #fragment, which is never sent; remove it");
      }
      checkUrlParts(uri, "'" + given + "'");
      try {
        HttpRequest.newBuilder(uri);
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException("'" + given + "' cannot be sent: " + e.getMessage());
      }
      return url;
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(
          "'"
              + given
              + "' is not a valid URL or path: "
              + e.getReason()
              + " at character "
              + (e.getIndex() + 1));
    }
  }

  /**
   * Why a journaled URL is not one post or batch could have journaled (null when it is): an http(s)
   * URL with a host, no fragment, no user name or password, no {@code $idempotency} of its own, and
   * plain http only to a loopback host. Where it may go is checked when it is sent.
   */
  public static String whyNotJournalable(String url) {
    try {
      check(url, url);
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http")) {
        return "its URL is not http(s): " + url;
      }
      if (scheme.equals("http") && !isLoopback(uri.getHost())) {
        return "its URL is plain http:// to " + uri.getHost();
      }
      return null;
    } catch (InvalidRequestException e) {
      return e.getMessage();
    } catch (URISyntaxException e) {
      return "its URL is not valid: " + e.getReason();
    }
  }

  /** Refuses a port out of range and user:password@ (which would be written to the journal). */
  private static void checkUrlParts(URI uri, String what) {
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new InvalidRequestException(
          what + " has port " + uri.getPort() + "; a port is 1 to 65535");
    }
    if (uri.getRawUserInfo() != null) {
      throw new InvalidRequestException(
          what
              + " carries a user name or password; the token is the only credential,"
              + " and the URL is written to the journal");
    }
  }

  private static String stripSlash(String path) {
    if (path == null) {
      return "";
    }
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
