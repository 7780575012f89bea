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
 */
public record Faults(
    double dropAfterCommit,
    double dropBeforeCommit,
    double errorRate,
    double throttleRate,
    Duration latency,
    double internalErrorRate,
    double internalAfterCommit) {
  public static final Faults NONE = new Faults(0, 0, 0, 0, Duration.ZERO);

  /** Faults without Edlink's own {@code INTERNAL} failures. */
  public Faults(
      double dropAfterCommit,
      double dropBeforeCommit,
      double errorRate,
      double throttleRate,
      Duration latency) {
    this(dropAfterCommit, dropBeforeCommit, errorRate, throttleRate, latency, 0, 0);
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
  }

  private static void checkProbability(String name, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(name + " must be a probability between 0 and 1, got " + p);
    }
  }
}
