package dev.edlinkidem.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * How the sandbox misbehaves: four probabilities in [0, 1], each drawn per API request, and a delay
 * that every API request waits before it is processed.
 */
public record Faults(
    double dropAfterCommit,
    double dropBeforeCommit,
    double errorRate,
    double throttleRate,
    Duration latency) {
  public static final Faults NONE = new Faults(0, 0, 0, 0, Duration.ZERO);

  public Faults {
    checkProbability("drop-after-commit", dropAfterCommit);
    checkProbability("drop-before-commit", dropBeforeCommit);
    checkProbability("error-rate", errorRate);
    checkProbability("throttle-rate", throttleRate);
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
