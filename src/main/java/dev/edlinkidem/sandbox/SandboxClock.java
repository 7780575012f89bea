package dev.edlinkidem.sandbox;

import dev.edlinkidem.time.DurationSyntax;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sandbox's clock: another clock moved forward by what {@code POST /__sandbox/clock} asked for.
 * Keys' 30 days, the log's 30 days and user tokens' hour all run on it. It never goes back, except
 * when a reset forgets everything that was dated by it.
 */
final class SandboxClock extends Clock {
  private final Clock base;
  private final AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);

  SandboxClock(Clock base) {
    this.base = base;
  }

  /** How far ahead the clock may go: far past every window and token it dates. */
  static final Duration FURTHEST = Duration.ofDays(36_500);

  /**
   * Moves the clock forward by {@code by}, which must not be negative nor go past {@link
   * #FURTHEST}.
   */
  synchronized void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("the sandbox's clock only moves forward");
    }
    if (by.compareTo(FURTHEST.minus(ahead.get())) > 0) {
      throw new IllegalArgumentException(
          "the sandbox's clock goes at most 36500d (100 years) ahead; it is "
              + DurationSyntax.format(ahead.get())
              + " ahead now");
    }
    ahead.accumulateAndGet(by, Duration::plus);
  }

  /** How far ahead of the clock it was made from. */
  Duration ahead() {
    return ahead.get();
  }

  /** Back to the clock it was made from; only for a reset, which forgets everything dated. */
  void rewind() {
    ahead.set(Duration.ZERO);
  }

  @Override
  public Instant instant() {
    return base.instant().plus(ahead.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the sandbox's clock is UTC");
  }
}
