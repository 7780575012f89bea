package dev.edlinkidem.sandbox;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code --rate-limit N/s}: a token bucket per API token, refilled with N tokens a second and
 * holding at most N (a second's burst, at least one). A request that finds its bucket empty is
 * refused, and told to come back when the next token is due: {@code Retry-After} in whole seconds,
 * rounded up, as the header carries no fraction.
 */
final class RateLimiter {
  private final LongSupplier nanos;
  private final Map<String, Bucket> buckets = new HashMap<>();

  RateLimiter(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /**
   * Takes a token from {@code token}'s bucket at {@code perSecond}; null when one was there, else
   * how long until one is.
   */
  synchronized Duration refusal(String token, double perSecond) {
    long now = nanos.getAsLong();
    double capacity = Math.max(1, perSecond);
    Bucket b = buckets.computeIfAbsent(token == null ? "" : token, t -> new Bucket(capacity, now));
    b.tokens = Math.min(capacity, b.tokens + (now - b.at) / 1e9 * perSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return null;
    }
    return Duration.ofNanos((long) Math.ceil((1 - b.tokens) / perSecond * 1e9));
  }

  /** Whole seconds for a Retry-After header: never 0, as "ask again at once" would be wrong. */
  static String retryAfter(Duration wait) {
    long seconds = (wait.toNanos() + 999_999_999L) / 1_000_000_000L;
    return Long.toString(Math.max(1, seconds));
  }

  /** Every bucket starts full again: the sandbox was reset. */
  synchronized void reset() {
    buckets.clear();
  }

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }
}
