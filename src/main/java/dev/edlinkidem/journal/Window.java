package dev.edlinkidem.journal;

import java.time.Duration;
import java.time.Instant;

/**
 * The 30-day span in which Edlink remembers an idempotency key, counted from the first attempt
 * (the moment the request was journaled, just before its first byte was sent).
 */
public record Window(Instant start) {
  public static final Duration LENGTH = Duration.ofDays(30);
  /** Replays stop an hour early: our clock and Edlink's may disagree by that much. */
  public static final Duration SKEW_MARGIN = Duration.ofHours(1);

  /** When Edlink forgets the key. */
  public Instant end() {
    return start.plus(LENGTH);
  }

  /** The last moment a pending request may be sent again with its key. */
  public Instant replayDeadline() {
    return end().minus(SKEW_MARGIN);
  }

  public boolean hasEnded(Instant now) {
    return !now.isBefore(end());
  }

  public boolean allowsReplay(Instant now) {
    return now.isBefore(replayDeadline());
  }

  /** Time left until the window ends; zero or negative once it has. */
  public Duration remaining(Instant now) {
    return Duration.between(now, end());
  }
}
