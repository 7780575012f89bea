package dev.edlinkidem.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaceTest {
  /** A clock that only moves when someone sleeps on it. */
  static final class FakeTime implements Time {
    long now = 1_000_000_000L;
    final List<Long> sleeps = new ArrayList<>();

    @Override
    public java.time.Instant now() {
      return java.time.Instant.ofEpochSecond(0, now);
    }

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleep(Duration duration) {
      sleeps.add(duration.toNanos());
      now += duration.toNanos();
    }
  }

  private static final long MS = 1_000_000;
  private static final Duration FOREVER = Duration.ofDays(1);

  @Test
  void withoutARateNobodyWaits() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(null, 64, time);
    for (int i = 0; i < 100; i++) {
      pace.awaitTurn(FOREVER);
      pace.attemptEnded();
    }
    assertTrue(time.sleeps.isEmpty(), time.sleeps.toString());
  }

  @Test
  void aRateSpacesTheStarts() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(50.0, 64, time);
    long start = time.now;
    for (int i = 0; i < 11; i++) {
      pace.awaitTurn(FOREVER);
      pace.attemptEnded();
    }
    // Eleven starts at 50 a second: the last one 200 ms after the first.
    assertEquals(200 * MS, time.now - start);
  }

  @Test
  void aRequestToSlowDownPausesEveryoneThenHalvesThePace() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(null, 64, time);
    for (int i = 0; i < 10; i++) {
      pace.awaitTurn(FOREVER);
      time.now += 10 * MS; // ten starts 10 ms apart: 100 a second
    }
    pace.slowDown(Duration.ofSeconds(1));
    long askedAt = time.now;

    pace.awaitTurn(FOREVER);
    assertEquals(
        askedAt + 1000 * MS, time.now, "the next start, whoever makes it, waits out the pause");
    pace.awaitTurn(FOREVER);
    assertEquals(askedAt + 1020 * MS, time.now, "then twice the interval the batch had: 20 ms");
    assertEquals(1, pace.pauses());
  }

  @Test
  void answersSpeedThePaceBackUpToTheRate() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(100.0, 64, time);
    pace.slowDown(Duration.ZERO);
    assertEquals(20 * MS, pace.interval());
    for (int i = 0; i < 200; i++) {
      pace.answered();
    }
    assertEquals(10 * MS, pace.interval(), "never faster than --rate");
  }

  @Test
  void repeatedRequestsToSlowDownStopAtOneStartEveryFiveSeconds() {
    Pace pace = Pace.of(1.0, 64, new FakeTime());
    for (int i = 0; i < 10; i++) {
      pace.slowDown(Duration.ZERO);
    }
    assertEquals(5000 * MS, pace.interval());
  }

  @Test
  void noMoreThanTheConcurrencyAreInFlight() throws Exception {
    Pace pace = Pace.of(null, 2, new FakeTime());
    pace.awaitTurn(FOREVER);
    pace.awaitTurn(FOREVER);
    Thread third =
        new Thread(
            () -> {
              try {
                pace.awaitTurn(FOREVER);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    third.start();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (third.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertEquals(
        Thread.State.WAITING, third.getState(), "the third attempt waits for one of two in flight");
    pace.attemptEnded();
    third.join(5000);
    assertFalse(third.isAlive(), "an attempt ended, so the third started");
  }

  @Test
  void aPauseLongerThanTheRequestMayWaitLetsItGoUnsentAtOnce() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(null, 4, time);
    pace.slowDown(Duration.ofHours(1));
    long before = time.now;
    assertFalse(
        pace.awaitTurn(Duration.ofMinutes(10)),
        "an hour's pause outlasts ten minutes of --max-time");
    assertEquals(before, time.now, "and it did not wait for it");
    assertTrue(pace.awaitTurn(Duration.ofHours(2)));
    assertEquals(before + Duration.ofHours(1).toNanos(), time.now);
  }

  @Test
  void onceStoppedNoAttemptStartsAndNoPermitIsLost() throws Exception {
    Pace pace = Pace.of(null, 1, new FakeTime());
    pace.stop();
    assertFalse(pace.awaitTurn(FOREVER));
    assertFalse(pace.awaitTurn(FOREVER), "a refused turn gave its permit back");
  }

  @Test
  void aRateMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> Pace.of(0.0, 64, new FakeTime()));
  }
}
