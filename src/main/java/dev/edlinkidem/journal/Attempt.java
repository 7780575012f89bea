package dev.edlinkidem.journal;

import dev.edlinkidem.time.Time;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * One try at sending a request.
 *
 * @param status the HTTP status, or 0 when no response arrived
 * @param error what went wrong when no response arrived (or null)
 * @param requestId Edlink's {@code $request} id from the response, or null
 * @param edlinkDate the time by Edlink's clock, from the response's Date header, or null
 */
public record Attempt(
    int number,
    Instant at,
    Duration duration,
    Result result,
    int status,
    String error,
    String requestId,
    Instant edlinkDate) {
  /** An attempt with no Date from Edlink (no response, or none in it). */
  public Attempt(
      int number,
      Instant at,
      Duration duration,
      Result result,
      int status,
      String error,
      String requestId) {
    this(number, at, duration, result, status, error, requestId, null);
  }

  /**
   * How far this machine's clock ran ahead of Edlink's when the answer came (negative: behind), or
   * null when the answer had no Date. The Date header has whole seconds, so differences below a
   * second or two mean nothing. A Date more than {@link #IMPLAUSIBLE} away is a broken server's or
   * proxy's, not a clock's, and is not believed: year 0 would end every window at once.
   */
  public Duration clockAhead() {
    if (edlinkDate == null) {
      return null;
    }
    Duration ahead = Duration.between(edlinkDate, at.plus(duration));
    return Time.magnitude(ahead).compareTo(IMPLAUSIBLE) > 0 ? null : ahead;
  }

  /** What the attempt got, in a few words: "HTTP 503", or its error when no answer came. */
  public String brief() {
    return status != 0 ? "HTTP " + status : error;
  }

  /** A Date further than this from the local clock is not taken as Edlink's clock. */
  public static final Duration IMPLAUSIBLE = Duration.ofDays(400);

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
