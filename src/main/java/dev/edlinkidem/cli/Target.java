package dev.edlinkidem.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/** Where a request goes: an API path joined to the base URL, or a full URL on the same origin. */
final class Target {
  private Target() {}

  /** The URL for PATH or URL, or a usage error when it would take the token somewhere else. */
  static String resolve(String pathOrUrl, URI base, List<String> allowedHosts) {
    if (pathOrUrl.startsWith("/")) {
      String url = base.getScheme() + "://" + base.getRawAuthority() + stripSlash(base.getRawPath()) + pathOrUrl;
      return check(url, pathOrUrl);
    }
    if (!pathOrUrl.matches("(?i)https?://.*")) {
      throw CliException.usage("'" + pathOrUrl + "' is neither an API path (starting with /) nor an http(s) URL");
    }
    String url = check(pathOrUrl, pathOrUrl);
    checkOrigin(URI.create(url), base, allowedHosts);
    return url;
  }

  /** Refuses a URL whose scheme, host or port differ from the base URL's, unless its host is allowed. */
  static void checkOrigin(URI url, URI base, List<String> allowedHosts) {
    String host = url.getHost().toLowerCase(Locale.ROOT);
    boolean allowed = allowedHosts.stream().anyMatch(h -> h.equalsIgnoreCase(host));
    if (!allowed && !origin(url).equalsIgnoreCase(origin(base))) {
      throw CliException.usage("refusing to send the token to " + origin(url) + ": it is not the base URL "
          + origin(base) + " (use --allow-host " + host + " if you mean it)");
    }
    if (url.getScheme().equalsIgnoreCase("http") && !Hosts.isLoopback(host)) {
      throw CliException.usage("refusing plain http:// to " + host + ": use https:// (http is for loopback hosts only)");
    }
  }

  private static String check(String url, String given) {
    if (url.contains("$idempotency") || url.contains("%24idempotency")) {
      throw CliException.usage("'" + given + "' already carries $idempotency; give the key with --key instead");
    }
    try {
      URI uri = new URI(url);
      if (uri.getHost() == null) {
        throw CliException.usage("'" + given + "' has no host");
      }
      if (uri.getRawFragment() != null) {
        throw CliException.usage("'" + given + "' has a #fragment, which is never sent; remove it");
      }
      checkUrlParts(uri, "'" + given + "'");
      try {
        java.net.http.HttpRequest.newBuilder(uri);
      } catch (IllegalArgumentException e) {
        throw CliException.usage("'" + given + "' cannot be sent: " + e.getMessage());
      }
      return url;
    } catch (URISyntaxException e) {
      throw CliException.usage("'" + given + "' is not a valid URL or path: " + e.getReason()
          + " at character " + (e.getIndex() + 1));
    }
  }

  /** Refuses a port out of range and user:password@ (which would be written to the journal). */
  static void checkUrlParts(URI uri, String what) {
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw CliException.usage(what + " has port " + uri.getPort() + "; a port is 1 to 65535");
    }
    if (uri.getRawUserInfo() != null) {
      throw CliException.usage(what + " carries a user name or password; the token is the only credential,"
          + " and the URL is written to the journal");
    }
  }

  /** scheme://host:port with the port made explicit, for comparison. */
  static String origin(URI uri) {
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
  }

  private static String stripSlash(String path) {
    if (path == null) {
      return "";
    }
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
