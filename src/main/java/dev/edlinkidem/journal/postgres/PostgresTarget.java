package dev.edlinkidem.journal.postgres;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A PostgreSQL journal's database, as {@code --journal} names it: {@code
 * postgres://USER@HOST:PORT/DB} (or {@code postgresql://}), with libpq's {@code sslmode} and {@code
 * sslrootcert} as query parameters. A password is never taken from the URL: the URL is typed on
 * command lines and shown in messages, so it comes from {@code PGPASSWORD}, a {@code .pgpass} file
 * or the profile's password file ({@link PasswordSource}).
 *
 * @param user the role; null for libpq's default ({@code PGUSER}, else the login name)
 * @param host a name or an address, IPv6 without brackets
 * @param sslmode one of libpq's: disable, allow, prefer (its default), require, verify-ca,
 *     verify-full
 * @param sslRootCert the CA file for verify-ca and verify-full, or null for the driver's default
 */
public record PostgresTarget(
    String user, String host, int port, String database, String sslmode, String sslRootCert) {
  /** PostgreSQL's port when the URL names none. */
  public static final int DEFAULT_PORT = 5432;

  /** libpq's modes, weakest first. */
  public static final List<String> SSL_MODES =
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  private static final Pattern SCHEME = Pattern.compile("(?i)postgres(ql)?://.*");

  /** Whether {@code value} names a PostgreSQL journal rather than a directory. */
  public static boolean isOne(String value) {
    return value != null && SCHEME.matcher(value.strip()).matches();
  }

  /**
   * Reads {@code text}; {@code where} names its source for a message ("flag --journal").
   *
   * @throws PostgresSettingException with a one-line message that never shows a password
   */
  public static PostgresTarget parse(String text, String where) {
    String given = text.strip();
    URI uri;
    try {
      uri = new URI(given);
    } catch (URISyntaxException e) {
      throw refused(given, where, "it is not a URL (" + e.getReason() + ")");
    }
    String info = uri.getRawUserInfo();
    if (info != null && info.contains(":")) {
      throw refused(
          given,
          where,
          "a password is never taken from the URL, which command lines and messages show; give"
              + " it in PGPASSWORD, a .pgpass file, or the profile's journal-password-file");
    }
    if (uri.getHost() == null) {
      throw refused(given, where, "it names no host, as in postgres://USER@HOST:PORT/DB");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.length() <= 1 || path.indexOf('/', 1) >= 0) {
      throw refused(given, where, "it names no database, as in postgres://USER@HOST:PORT/DB");
    }
    int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
    if (port < 1 || port > 65535) {
      throw refused(given, where, "its port is " + port + "; a port is 1 to 65535");
    }
    if (uri.getRawFragment() != null) {
      throw refused(given, where, "it has a #fragment");
    }
    Map<String, String> query = query(uri.getRawQuery(), given, where);
    String sslmode = query.getOrDefault("sslmode", "prefer");
    if (!SSL_MODES.contains(sslmode)) {
      throw refused(given, where, "sslmode is one of " + String.join(", ", SSL_MODES));
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new PostgresTarget(
        info == null ? null : decoded(info),
        host,
        port,
        decoded(path.substring(1)),
        sslmode,
        query.get("sslrootcert"));
  }

  /** The URL without anything secret (it never holds a password): what messages show. */
  public String shown() {
    StringBuilder b = new StringBuilder("postgres://");
    if (user != null) {
      b.append(user).append('@');
    }
    b.append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port);
    b.append('/').append(database);
    if (!sslmode.equals("prefer") || sslRootCert != null) {
      b.append("?sslmode=").append(sslmode);
      if (sslRootCert != null) {
        b.append("&sslrootcert=").append(sslRootCert);
      }
    }
    return b.toString();
  }

  /** The JDBC URL, without the user or password, which go as properties. */
  public String jdbcUrl() {
    return "jdbc:postgresql://"
        + (host.contains(":") ? "[" + host + "]" : host)
        + ":"
        + port
        + "/"
        + database;
  }

  private static Map<String, String> query(String raw, String given, String where) {
    Map<String, String> query = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = decoded(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : decoded(pair.substring(eq + 1));
      if (!name.equals("sslmode") && !name.equals("sslrootcert")) {
        throw refused(
            given, where, "it has ?" + name + "; the parameters taken are sslmode and sslrootcert");
      }
      if (query.put(name, value) != null) {
        throw refused(given, where, "it gives " + name + " twice");
      }
    }
    return query;
  }

  private static String decoded(String part) {
    return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static PostgresSettingException refused(String given, String where, String why) {
    return new PostgresSettingException(
        "the journal '" + withoutPassword(given) + "' (" + where + ") cannot be used: " + why);
  }

  /**
   * {@code given} with what may be a password hidden: between a colon and the last @, and the query
   * ({@code ?password=} is libpq's too).
   */
  private static String withoutPassword(String text) {
    int question = text.indexOf('?');
    String given = question < 0 ? text : text.substring(0, question) + "?...";
    int start = given.indexOf("://");
    start = start < 0 ? 0 : start + 3;
    int at = given.lastIndexOf('@');
    int colon = given.indexOf(':', start);
    return at > colon && colon >= 0
        ? given.substring(0, colon + 1) + "xxxxx" + given.substring(at)
        : given;
  }
}
