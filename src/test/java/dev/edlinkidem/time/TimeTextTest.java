package dev.edlinkidem.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimeTextTest {
  @Test
  void timesReadToTheMinuteAndTimeLeftInTwoUnits() {
    assertEquals("2026-12-22 09:30 UTC", TimeText.when(Instant.parse("2026-12-22T09:30:59.9Z")));
    assertEquals("2d 4h", TimeText.left(Duration.ofHours(52).plusMinutes(59)));
    assertEquals("5h 20m", TimeText.left(Duration.ofMinutes(320)));
    assertEquals("<1m", TimeText.left(Duration.ofSeconds(59)));
    assertEquals("expired", TimeText.left(Duration.ZERO));
  }

  /**
   * A table's times looked up by minute read as each made on its own: instants within a minute of
   * each other, on both sides of minute boundaries and of the epoch, and durations of every sign.
   */
  @Test
  void textsLookedUpByTheMinuteAreTheTextsMadeOneByOne() {
    Random random = new Random(18);
    TimeText.ByMinute whens = new TimeText.ByMinute(TimeText::when);
    TimeText.ByMinute dates = new TimeText.ByMinute(t -> TimeText.when(t).replace(" UTC", ""));
    TimeText.Lefts lefts = new TimeText.Lefts();
    Instant base = Instant.parse("2026-12-07T12:00:00Z");
    for (int i = 0; i < 20_000; i++) {
      Instant at =
          (i % 2 == 0 ? base : Instant.EPOCH)
              .plusSeconds(random.nextInt(600) - 300)
              .plusNanos(random.nextInt(1_000_000_000));
      assertEquals(TimeText.when(at), whens.of(at), at::toString);
      assertEquals(TimeText.when(at).replace(" UTC", ""), dates.of(at), at::toString);
      Duration d =
          Duration.ofSeconds(random.nextInt(7200) - 600, random.nextInt(1_000_000_000))
              .multipliedBy(i % 3 == 0 ? 40 : 1);
      assertEquals(TimeText.left(d), lefts.of(d), d::toString);
    }
  }
}
