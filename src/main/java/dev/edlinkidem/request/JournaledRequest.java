package dev.edlinkidem.request;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request exactly as it is sent, minus the token and the idempotency parameter: what a replay
 * sends again byte for byte.
 *
 * @param headers headers other than Authorization (never stored) and those HTTP itself sets
 */
public record JournaledRequest(
    String method, String url, Map<String, String> headers, byte[] body) {
  public JournaledRequest {
    // In the order given, the same in every run: a dry run and the journal show them so.
    Map<String, String> copy = new LinkedHashMap<>();
    headers.forEach((name, value) -> copy.put(requireNonNull(name), requireNonNull(value)));
    headers = Collections.unmodifiableMap(copy);
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  /** A POST as the tool journals it: JSON accepted, and JSON sent when there is a body. */
  public static JournaledRequest post(String url, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    if (body.length > 0) {
      headers.put("Content-Type", "application/json");
    }
    return new JournaledRequest("POST", url, headers, body);
  }

  /** The request as spelled: what the journal keeps beside it, to tell an edited record. */
  public String fingerprint() {
    return Fingerprint.of(method, url, body);
  }

  /**
   * Whether two requests are one request, their URLs spelled as every server must take for one
   * ({@link CanonicalUrl#syntax}: scheme and host case, default port, escapes).
   */
  public boolean sameMeaning(JournaledRequest other) {
    return fingerprint().equals(other.fingerprint())
        || method.equals(other.method)
            && Arrays.equals(body, other.body)
            && CanonicalUrl.syntax(url).equals(CanonicalUrl.syntax(other.url));
  }
}
