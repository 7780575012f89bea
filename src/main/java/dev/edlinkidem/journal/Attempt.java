package dev.edlinkidem.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * One try at sending a request.
 *
 * @param status the HTTP status, or 0 when no response arrived
 * @param error what went wrong when no response arrived (or null)
 * @param requestId Edlink's {@code $request} id from the response, or null
 */
public record Attempt(
    int number,
    Instant at,
    Duration duration,
    Result result,
    int status,
    String error,
    String requestId) {
  /** What an attempt came back with. */
  public enum Result {
    RESPONSE,
    TIMEOUT,
    NO_RESPONSE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
