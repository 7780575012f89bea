package dev.edlinkidem.sandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request under {@code /api/v2/} as the sandbox sees it: body read, query decoded.
 *
 * @param origin scheme, host and port the client used, for the {@code $next} links
 * @param received the path and query string as received, for the request log
 * @param bearerToken the token of the Authorization header, or null when there is none
 * @param client the caller's address and user agent, for the request log
 */
record ApiRequest(
    String method,
    String path,
    Map<String, String> query,
    String bearerToken,
    String body,
    String origin,
    String received,
    Client client) {
  /** Who sent a request, as the request log's {@code properties} name it. */
  record Client(String ip, String userAgent) {
    static final Client UNKNOWN = new Client(null, null);
  }

  static final String IDEMPOTENCY = "$idempotency";

  ApiRequest {
    query = Map.copyOf(query);
  }

  /** The idempotency key, or null when the request has none (an empty value counts as none). */
  String idempotencyKey() {
    String key = query.get(IDEMPOTENCY);
    return key == null || key.isEmpty() ? null : key;
  }

  /**
   * Decodes a raw query string; the first of repeated names wins. Decoding covers clients that send
   * {@code %24idempotency} for {@code $idempotency}.
   */
  static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> query = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return query;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      query.putIfAbsent(name, value);
    }
    return query;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // A stray '%' is kept as it was rather than refusing the whole request.
      return text;
    }
  }
}
