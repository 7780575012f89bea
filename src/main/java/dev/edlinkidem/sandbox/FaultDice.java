package dev.edlinkidem.sandbox;

import java.util.Random;

/** Draws the fault of each API request from one seeded sequence, so that a seed repeats a run. */
final class FaultDice {
  /** Drawn apart, so that a seed gives the same drops, errors and throttles as before them. */
  private static final long INTERNAL_STREAM = 0x5DEECE66DL;

  private final long seed;
  private Random random;
  private Random internal;

  FaultDice(long seed) {
    this.seed = seed;
    rewind();
  }

  synchronized Fault roll(Faults faults) {
    // Four draws for every request, whatever they decide, so that the sequence of outcomes
    // depends only on the seed and the number of requests, not on the probabilities set.
    double beforeCommit = random.nextDouble();
    double error = random.nextDouble();
    double throttle = random.nextDouble();
    double afterCommit = random.nextDouble();
    if (beforeCommit < faults.dropBeforeCommit()) {
      return Fault.DROP_BEFORE_COMMIT;
    }
    if (error < faults.errorRate()) {
      return Fault.ERROR;
    }
    if (throttle < faults.throttleRate()) {
      return Fault.THROTTLE;
    }
    double internalError = internal.nextDouble();
    double internalAfter = internal.nextDouble();
    if (afterCommit < faults.dropAfterCommit()) {
      return Fault.DROP_AFTER_COMMIT;
    }
    if (internalError < faults.internalErrorRate()) {
      return Fault.INTERNAL_ERROR;
    }
    if (internalAfter < faults.internalAfterCommit()) {
      return Fault.INTERNAL_AFTER_COMMIT;
    }
    return Fault.NONE;
  }

  /** Starts the sequence again from the seed. */
  synchronized void rewind() {
    random = new Random(seed);
    internal = new Random(seed ^ INTERNAL_STREAM);
  }
}
