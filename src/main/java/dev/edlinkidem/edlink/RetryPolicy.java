package dev.edlinkidem.edlink;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * When to try again: which answers are worth another attempt and how long to wait before it.
 *
 * @param retries attempts after the first
 * @param attemptTimeout how long one attempt may wait for its response
 * @param maxTime how long all attempts and waits together may take
 */
public record RetryPolicy(
    int retries, Duration attemptTimeout, Duration maxTime, Duration base, Duration cap) {
  public static final Duration BASE = Duration.ofMillis(500);
  public static final Duration CAP = Duration.ofSeconds(30);

  /** Answers that mean "not done, try again later" rather than a verdict on the request. */
  private static final Set<Integer> RETRYABLE = Set.of(408, 409, 425, 429, 500, 502, 503, 504);

  public static RetryPolicy of(int retries, Duration attemptTimeout, Duration maxTime) {
    return new RetryPolicy(retries, attemptTimeout, maxTime, BASE, CAP);
  }

  /** The most attempts a request gets: the first and its retries (429s waited out aside). */
  public int attempts() {
    return retries + 1;
  }

  public static boolean isRetryable(int status) {
    return RETRYABLE.contains(status);
  }

  /**
   * The wait before retry number {@code retry} (1 for the first): base doubled each time, capped,
   * then spread by ±20% so that many clients failing together do not retry in step.
   */
  public Duration backoff(int retry, Random random) {
    double ms = base.toMillis() * Math.pow(2, Math.min(retry - 1, 30));
    ms = Math.min(ms, cap.toMillis());
    double jittered = ms * (0.8 + 0.4 * random.nextDouble());
    return Duration.ofMillis(Math.round(Math.min(jittered, cap.toMillis())));
  }

  /** A Retry-After header (seconds or an HTTP date) as a wait from {@code now}. */
  public static Optional<Duration> retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String value = header.trim();
    if (value.matches("\\d{1,9}")) {
      return Optional.of(atMostADay(Duration.ofSeconds(Long.parseLong(value))));
    }
    try {
      Instant when = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, when);
      return Optional.of(wait.isNegative() ? Duration.ZERO : atMostADay(wait));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * Longer than --max-time ever is in practice, and short enough that no arithmetic on it
   * overflows.
   */
  private static Duration atMostADay(Duration wait) {
    return wait.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : wait;
  }
}
