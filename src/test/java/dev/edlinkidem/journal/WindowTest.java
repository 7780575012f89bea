package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WindowTest {
  private static final Instant START = Instant.parse("2026-11-01T08:00:00Z");
  private static final Instant END = START.plus(Duration.ofDays(30));
  private static final Duration DAY = Duration.ofDays(1);

  @Test
  void aWindowEndsWithinASpanThatReachesItsEndExactly() {
    Window w = new Window(START);
    assertTrue(w.endsWithin(END.minus(DAY), DAY));
    assertFalse(w.endsWithin(END.minus(DAY).minusNanos(1), DAY), "a nanosecond too far ahead");
  }

  @Test
  void aWindowThatHasEndedEndsWithinNoSpan() {
    Window w = new Window(START);
    assertTrue(w.endsWithin(END.minusNanos(1), DAY));
    assertFalse(w.endsWithin(END, DAY), "it ends now: it has ended");
    assertFalse(w.endsWithin(END.plus(DAY), Duration.ofDays(999)));
  }

  @Test
  void theStartsOfWindowsEndingWithinASpanAreASpanOfStartsAMonthBack() {
    Instant now = Instant.parse("2026-12-20T12:00:00Z");
    Window.Starts starts = Window.startsEndingWithin(now, DAY);
    assertEquals(
        new Window.Starts(now.minus(Window.LENGTH), now.minus(Window.LENGTH).plus(DAY)), starts);
    assertFalse(starts.contains(starts.after()));
    assertTrue(starts.contains(starts.after().plusNanos(1)));
    assertTrue(starts.contains(starts.until()));
    assertFalse(starts.contains(starts.until().plusNanos(1)));
  }

  @Test
  void theStartsOfEndedWindowsAreEveryStartALengthOrMoreBack() {
    Instant now = START.plus(Window.LENGTH);
    Window.Starts ended = Window.startsEndedBy(now);
    assertTrue(new Window(START).hasEnded(now), "it ends at its length exactly");
    assertTrue(ended.contains(START));
    assertTrue(ended.contains(START.minus(Duration.ofDays(400))));
    assertFalse(ended.contains(START.plusNanos(1)), "a nanosecond later is still open");
    assertFalse(new Window(START.plusNanos(1)).hasEnded(now));
  }
}
