package dev.edlinkidem.request;

import java.util.Locale;
import java.util.Map;

/**
 * What the tool ever sends: a request that post or batch could have journaled. A journal entry is
 * data from disk, and may have been edited or merged from another machine; before its request is
 * sent again (or merged in), it must be a POST with only the headers post sets, to an http(s) URL
 * that carries no idempotency key of its own, under a key that passes key validation. Anything else
 * (a DELETE, an X-HTTP-Method-Override header) is refused, never sent with the token.
 */
public final class Sendable {
  private Sendable() {}

  /** Why {@code request} under {@code key} is not one the tool sends, or null when it is. */
  public static String whyNot(String key, JournaledRequest request) {
    try {
      IdempotencyKey.check(key);
    } catch (InvalidRequestException e) {
      return "its key is not one edlink-idem sends: " + e.getMessage();
    }
    if (!"POST".equals(request.method())) {
      return "its method is " + request.method() + ", and edlink-idem sends only POST";
    }
    for (Map.Entry<String, String> h : request.headers().entrySet()) {
      String value = HEADERS.get(h.getKey().toLowerCase(Locale.ROOT));
      if (value == null || !value.equals(h.getValue())) {
        return "it has a header edlink-idem does not set (" + h.getKey() + ")";
      }
    }
    return Destination.whyNotJournalable(request.url());
  }

  /** The headers {@link JournaledRequest#post} sets, by lower-case name, with their values. */
  private static final Map<String, String> HEADERS =
      Map.of("accept", "application/json", "content-type", "application/json");
}
