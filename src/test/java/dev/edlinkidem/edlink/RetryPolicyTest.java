package dev.edlinkidem.edlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy =
      RetryPolicy.of(4, Duration.ofSeconds(120), Duration.ofMinutes(10));

  @Test
  void backoffDoublesFromHalfASecondWithinTwentyPercent() {
    Random random = new Random(1);
    for (int i = 0; i < 200; i++) {
      assertBetween(400, 600, policy.backoff(1, random));
      assertBetween(800, 1200, policy.backoff(2, random));
      assertBetween(1600, 2400, policy.backoff(3, random));
      assertBetween(3200, 4800, policy.backoff(4, random));
    }
  }

  @Test
  void backoffIsCappedAtThirtySeconds() {
    Random random = new Random(2);
    for (int retry = 7; retry < 80; retry++) {
      Duration d = policy.backoff(retry, random);
      assertBetween(24_000, 30_000, d);
    }
  }

  @Test
  void backoffIsJittered() {
    Random random = new Random(3);
    long first = policy.backoff(3, random).toMillis();
    boolean differs = false;
    for (int i = 0; i < 20 && !differs; i++) {
      differs = policy.backoff(3, random).toMillis() != first;
    }
    assertTrue(differs);
  }

  @Test
  void retryAfterInSecondsOrAsAnHttpDate() {
    Instant now = Instant.parse("2026-11-22T10:00:00Z");
    assertEquals(Optional.of(Duration.ofSeconds(7)), RetryPolicy.retryAfter("7", now));
    assertEquals(
        Optional.of(Duration.ofSeconds(90)),
        RetryPolicy.retryAfter("Sun, 22 Nov 2026 10:01:30 GMT", now));
    // A server's absurd date is a day at most, never a wait whose nanoseconds overflow.
    assertEquals(
        Optional.of(Duration.ofDays(1)),
        RetryPolicy.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now));
    assertEquals(Optional.of(Duration.ofDays(1)), RetryPolicy.retryAfter("999999999", now));
    assertEquals(
        Optional.of(Duration.ZERO), RetryPolicy.retryAfter("Sun, 22 Nov 2026 09:00:00 GMT", now));
    assertEquals(Optional.empty(), RetryPolicy.retryAfter("soon", now));
    assertEquals(Optional.empty(), RetryPolicy.retryAfter(null, now));
    assertEquals(Optional.empty(), RetryPolicy.retryAfter("-3", now));
  }

  @Test
  void retryableStatusesAreExactlyTheTransientOnes() {
    for (int s : new int[] {408, 409, 425, 429, 500, 502, 503, 504}) {
      assertTrue(RetryPolicy.isRetryable(s), "" + s);
    }
    for (int s : new int[] {200, 201, 400, 401, 403, 404, 422, 501, 505}) {
      assertFalse(RetryPolicy.isRetryable(s), "" + s);
    }
  }

  private static void assertBetween(long lowMs, long highMs, Duration d) {
    assertTrue(
        d.toMillis() >= lowMs && d.toMillis() <= highMs,
        d.toMillis() + " not in [" + lowMs + ", " + highMs + "]");
  }
}
