package dev.edlinkidem.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private long now = 5_000_000_000L;
  private final RateLimiter limiter = new RateLimiter(() -> now);

  @Test
  void aFullBucketLetsASecondsWorthThroughThenSaysWhenTheNextTokenIsDue() {
    for (int i = 0; i < 100; i++) {
      assertNull(limiter.refusal("t", 100), "request " + (i + 1));
    }
    Duration wait = limiter.refusal("t", 100);
    assertEquals(Duration.ofMillis(10), wait);
    assertEquals("1", RateLimiter.retryAfter(wait), "whole seconds, rounded up, never 0");
    now += 10_000_000;
    assertNull(limiter.refusal("t", 100), "a token came in 10 ms");
    assertNotNull(limiter.refusal("t", 100));
  }

  @Test
  void eachTokenHasItsOwnBucketAndAResetRefillsThem() {
    assertNull(limiter.refusal("a", 1));
    assertNotNull(limiter.refusal("a", 1));
    assertNull(limiter.refusal("b", 1), "another token is not held back by the first");
    limiter.reset();
    assertNull(limiter.refusal("a", 1));
  }

  @Test
  void aSlowLimitHoldsOneAndAsksForTheSecondsItImplies() {
    assertNull(limiter.refusal("t", 0.5));
    Duration wait = limiter.refusal("t", 0.5);
    assertEquals(Duration.ofSeconds(2), wait);
    assertEquals("2", RateLimiter.retryAfter(wait));
    now += 1_000_000_000L;
    assertEquals("1", RateLimiter.retryAfter(limiter.refusal("t", 0.5)));
  }

  @Test
  void refusedRequestsTakeNothingFromTheBucket() {
    assertNull(limiter.refusal("t", 2));
    assertNull(limiter.refusal("t", 2));
    for (int i = 0; i < 10; i++) {
      assertNotNull(limiter.refusal("t", 2));
    }
    now += 500_000_000L;
    assertNull(limiter.refusal("t", 2), "half a second at 2/s is a token, however many asked");
  }

  @Test
  void rateLimitsAreSpelledAsRequestsASecond() {
    assertEquals(100, Faults.parseRateLimit("100/s"));
    assertEquals(0.5, Faults.parseRateLimit(" 0.5/s "));
    assertEquals(7, Faults.parseRateLimit("7"));
    assertEquals(0, Faults.parseRateLimit("off"));
    assertEquals("100/s", Faults.rate(100));
    assertEquals("0.5/s", Faults.rate(0.5));
    for (String bad : new String[] {"fast", "-1/s", "1e3/s", "100/m", "", "2000000/s", "NaN"}) {
      assertThrows(IllegalArgumentException.class, () -> Faults.parseRateLimit(bad), bad);
    }
  }
}
