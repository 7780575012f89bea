package dev.edlinkidem.journal;

import dev.edlinkidem.time.DurationSyntax;
import java.time.Duration;
import java.time.Instant;

/**
 * The 30-day span in which Edlink remembers an idempotency key, counted from the first attempt (the
 * moment the request was journaled, just before its first byte was sent).
 */
public record Window(Instant start) {
  /** Days Edlink remembers a key; a constant, so that help text can name it. */
  public static final int DAYS = 30;

  public static final Duration LENGTH = Duration.ofDays(DAYS);

  /** Replays stop an hour early: our clock and Edlink's may disagree by that much. */
  public static final Duration SKEW_MARGIN = Duration.ofHours(1);

  /** The window as messages name it: "30-day window". */
  public static final String NAME = DAYS + "-day window";

  /** The margin in words: "an hour". */
  public static final String MARGIN_WORDS =
      SKEW_MARGIN.equals(Duration.ofHours(1)) ? "an hour" : DurationSyntax.format(SKEW_MARGIN);

  /**
   * The replay rule in words, for messages: "30 days from the first attempt, less an hour for clock
   * skew".
   */
  public static final String REPLAY_RULE =
      DAYS + " days from the first attempt, less " + MARGIN_WORDS + " for clock skew";

  /** When Edlink forgets the key. */
  public Instant end() {
    return start.plus(LENGTH);
  }

  /** The last moment a pending request may be sent again with its key. */
  public Instant replayDeadline() {
    return end().minus(SKEW_MARGIN);
  }

  public boolean hasEnded(Instant now) {
    return startsEndedBy(now).contains(start);
  }

  /**
   * When the windows that have ended at {@code now} started: the rule of {@link #hasEnded} in a
   * form a journal can look up by an index of starts.
   */
  public static Starts startsEndedBy(Instant now) {
    // Ended once its length has passed: started at or before now less its length, however long
    // before. Within a length of the earliest instant, none has.
    if (now.isBefore(Instant.MIN.plus(LENGTH))) {
      return new Starts(Instant.MAX, Instant.MIN);
    }
    return new Starts(null, now.minus(LENGTH));
  }

  public boolean allowsReplay(Instant now) {
    return now.isBefore(replayDeadline());
  }

  /** Whether the window is still open and ends within {@code span} of {@code now}. */
  public boolean endsWithin(Instant now, Duration span) {
    return startsEndingWithin(now, span).contains(start);
  }

  /**
   * When the windows that are still open at {@code now} and end within {@code span} of it started:
   * the rule of {@link #endsWithin} in a form a journal can look up by an index of starts.
   */
  public static Starts startsEndingWithin(Instant now, Duration span) {
    // A window that started at or before now less its length has ended.
    Instant openSince = now.minus(LENGTH);
    return new Starts(openSince, openSince.plus(span));
  }

  /** Window starts after {@code after} (null: however early), up to and including {@code until}. */
  public record Starts(Instant after, Instant until) {
    public boolean contains(Instant start) {
      return (after == null || start.isAfter(after)) && !start.isAfter(until);
    }
  }

  /** Time left until the window ends; zero or negative once it has. */
  public Duration remaining(Instant now) {
    return Duration.between(now, end());
  }
}
