package dev.edlinkidem.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A time for tests that only moves when someone sleeps on it or a test moves it: the wall clock and
 * the ticker move together, and every sleep is recorded instead of taken.
 */
public final class ManualTime implements Time {
  private Instant wall;
  private long ticker = 1_000_000_000L;
  private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
  private UnaryOperator<Duration> stretch = UnaryOperator.identity();

  public ManualTime() {
    this(Instant.parse("2026-11-22T09:00:00Z"));
  }

  public ManualTime(Instant start) {
    this.wall = start;
  }

  @Override
  public synchronized Instant now() {
    return wall;
  }

  @Override
  public synchronized long nanoTime() {
    return ticker;
  }

  @Override
  public void sleep(Duration duration) {
    sleeps.add(duration);
    advance(stretch.apply(duration));
  }

  /** Moves the wall clock and the ticker on together. */
  public synchronized void advance(Duration duration) {
    wall = wall.plus(duration);
    ticker += duration.toNanos();
  }

  /**
   * Makes every sleep last as long as {@code stretch} says: a process stopped (Ctrl-Z) during a
   * wait.
   */
  public ManualTime stretchingSleeps(UnaryOperator<Duration> stretch) {
    this.stretch = stretch;
    return this;
  }

  /** The sleeps asked for so far, in order. */
  public List<Duration> sleeps() {
    synchronized (sleeps) {
      return List.copyOf(sleeps);
    }
  }
}
