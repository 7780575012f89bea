package dev.edlinkidem.net;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP proxy, as a URL such as {@code http://user:pass@proxy.example:3128}, read as curl reads
 * it: no scheme means {@code http://}, no port means 1080, and a user name and password are
 * percent-decoded. The password goes to the proxy alone, in the CONNECT that opens a tunnel; it is
 * never printed ({@link #redacted}) and never journaled.
 *
 * @param host a name, or an IP address (IPv6 without brackets)
 * @param user null when the URL has none
 * @param password null when the URL has none
 */
public record ProxyUrl(String host, int port, String user, String password) {
  /** curl's port for a proxy URL that names none. */
  public static final int DEFAULT_PORT = 1080;

  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");
  private static final Pattern PORT_AND_PATH = Pattern.compile("\\d*(/.*)?");

  /** What is printed instead of a password. */
  static final String HIDDEN = "xxxxx";

  /**
   * Reads {@code text}; {@code where} names its source for the message when it is refused ("flag
   * --proxy", "environment HTTPS_PROXY").
   */
  public static ProxyUrl parse(String text, String where) {
    try {
      return read(text.strip());
    } catch (Unusable e) {
      throw new NetworkSettingException(
          "the proxy '"
              + redact(text.strip())
              + "' ("
              + where
              + ") cannot be used: "
              + e.getMessage());
    }
  }

  /** Why {@code text} is no proxy URL this tool can use, or null when it is one. */
  public static String problemWith(String text) {
    try {
      read(text.strip());
      return null;
    } catch (Unusable e) {
      return e.getMessage();
    }
  }

  /** Why a proxy URL cannot be used, without the URL. */
  private static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;

    Unusable(String why) {
      super(why, null, false, false);
    }
  }

  private static ProxyUrl read(String text) throws Unusable {
    String trimmed = text;
    if (trimmed.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
      throw new Unusable("it holds spaces or control characters");
    }
    String withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed;
    String scheme = withScheme.substring(0, withScheme.indexOf("://")).toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "http" -> {}
      case "https" ->
          throw new Unusable(
              "a proxy reached over TLS (https://) is not supported; most proxies take"
                  + " http://, and https requests still go through them encrypted");
      case "socks4", "socks4a", "socks5", "socks5h" ->
          throw new Unusable("SOCKS proxies are not supported; give an HTTP proxy");
      default -> throw new Unusable("a proxy URL starts with http://");
    }
    URI uri;
    try {
      uri = new URI(withScheme);
    } catch (URISyntaxException e) {
      throw new Unusable("it is not a URL (" + e.getReason() + ")");
    }
    if (uri.getHost() == null) {
      throw new Unusable("it names no host");
    }
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new Unusable("a proxy URL is http://[USER:PASSWORD@]HOST[:PORT], no path");
    }
    int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
    if (port < 1 || port > 65535) {
      throw new Unusable("its port is " + port + "; a port is 1 to 65535");
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String user = null;
    String password = null;
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      try {
        user = decoded(colon < 0 ? info : info.substring(0, colon));
        password = colon < 0 ? null : decoded(info.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        throw new Unusable("its user name or password has a broken %-escape");
      }
      if (user.contains(":")) {
        throw new Unusable("a user name cannot hold ':'");
      }
    }
    return new ProxyUrl(host.toLowerCase(Locale.ROOT), port, user, password);
  }

  /** The proxy as {@code host:port}, for messages; an IPv6 address in brackets. */
  public String hostPort() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The URL with its password replaced by {@value #HIDDEN}: what is shown, ever. */
  public String redacted() {
    String credentials =
        user == null ? "" : encoded(user) + (password == null ? "" : ":" + HIDDEN) + "@";
    return "http://" + credentials + hostPort();
  }

  /** The {@code Proxy-Authorization} header's value, or null when the URL has no user. */
  public String basicCredentials() {
    if (user == null) {
      return null;
    }
    String pair = user + ":" + (password == null ? "" : password);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return redacted();
  }

  /**
   * {@code text} with everything between the scheme and the last {@code @} hidden, for a message
   * about a URL that may not parse, or a setting shown as written: a password must not reach stderr
   * even then.
   */
  public static String redact(String text) {
    Matcher scheme = SCHEME.matcher(text);
    int start = scheme.lookingAt() ? scheme.end() : 0;
    int colon = text.indexOf(':', start);
    if (colon < 0) {
      return text;
    }
    int at = text.lastIndexOf('@');
    if (at > colon) {
      return text.substring(0, colon + 1) + HIDDEN + text.substring(at);
    }
    // No @ after it: the colon starts a port, or a password whose host is missing.
    return PORT_AND_PATH.matcher(text.substring(colon + 1)).matches()
        ? text
        : text.substring(0, colon + 1) + HIDDEN;
  }

  private static String decoded(String part) {
    // URLDecoder would read + as a space; a URL's user information keeps it.
    return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String encoded(String part) {
    StringBuilder out = new StringBuilder();
    for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean plain =
          c >= 'a' && c <= 'z'
              || c >= 'A' && c <= 'Z'
              || c >= '0' && c <= '9'
              || "-._~".indexOf(c) >= 0;
      out.append(plain ? String.valueOf((char) c) : String.format("%%%02X", c));
    }
    return out.toString();
  }
}
