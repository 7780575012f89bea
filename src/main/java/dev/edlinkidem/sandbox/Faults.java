package dev.edlinkidem.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * How the sandbox misbehaves: probabilities in [0, 1], each drawn per API request, and a delay that
 * every API request waits before it is processed.
 *
 * @param internalErrorRate answer {@code 400 INTERNAL} without doing anything
 * @param internalAfterCommit do the work, then answer {@code 400 INTERNAL}: the answer the key
 *     keeps
 * @param rateLimit requests a second each token may make ({@link RateLimiter}); 0 for no limit
 */
public record Faults(
    double dropAfterCommit,
    double dropBeforeCommit,
    double errorRate,
    double throttleRate,
    Duration latency,
    double internalErrorRate,
    double internalAfterCommit,
    double rateLimit) {
  public static final Faults NONE = new Faults(0, 0, 0, 0, Duration.ZERO);

  /** Faults without Edlink's own {@code INTERNAL} failures. */
  public Faults(
      double dropAfterCommit,
      double dropBeforeCommit,
      double errorRate,
      double throttleRate,
      Duration latency) {
    this(dropAfterCommit, dropBeforeCommit, errorRate, throttleRate, latency, 0, 0, 0);
  }

  /** Whether any fault but latency can happen. */
  public boolean any() {
    return dropAfterCommit > 0
        || dropBeforeCommit > 0
        || errorRate > 0
        || throttleRate > 0
        || internalErrorRate > 0
        || internalAfterCommit > 0;
  }

  public Faults {
    checkProbability("drop-after-commit", dropAfterCommit);
    checkProbability("drop-before-commit", dropBeforeCommit);
    checkProbability("error-rate", errorRate);
    checkProbability("throttle-rate", throttleRate);
    checkProbability("internal-error-rate", internalErrorRate);
    checkProbability("internal-after-commit", internalAfterCommit);
    Objects.requireNonNull(latency, "latency");
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative, got " + latency);
    }
    if (!(rateLimit >= 0 && rateLimit <= MAX_RATE_LIMIT)) {
      throw new IllegalArgumentException(
          "rate-limit must be from 0 (none) to "
              + (int) MAX_RATE_LIMIT
              + " a second, got "
              + rateLimit);
    }
  }

  /** The fastest limit: far past what one machine sends. */
  public static final double MAX_RATE_LIMIT = 1_000_000;

  /** A rate as the option spells it: "100/s", "0.5/s". */
  public static String rate(double perSecond) {
    return (perSecond == Math.rint(perSecond)
            ? Long.toString((long) perSecond)
            : java.math.BigDecimal.valueOf(perSecond).stripTrailingZeros().toPlainString())
        + "/s";
  }

  /** "100/s", "100", "0.5/s"; "0" and "off" for none. */
  public static double parseRateLimit(String text) {
    String t = text.strip();
    if (t.equalsIgnoreCase("off")) {
      return 0;
    }
    if (t.endsWith("/s")) {
      t = t.substring(0, t.length() - 2).strip();
    }
    try {
      double n = Double.parseDouble(t);
      if (!(n >= 0 && n <= MAX_RATE_LIMIT) || !t.matches("[0-9]+(\\.[0-9]+)?")) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "rate-limit must be requests a second, like 100/s or 0.5/s (0 or off for none), up to "
              + (int) MAX_RATE_LIMIT
              + "/s; got '"
              + text
              + "'");
    }
  }

  private static void checkProbability(String name, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(name + " must be a probability between 0 and 1, got " + p);
    }
  }
}
