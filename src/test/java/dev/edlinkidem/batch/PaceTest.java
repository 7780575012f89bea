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
  static class FakeTime implements Time {
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

  /** {@code n} attempts started {@code apartMs} apart, each answered at once. */
  private static long answeredStarts(Pace pace, FakeTime time, int n, long apartMs)
      throws Exception {
    long last = 0;
    for (int i = 0; i < n; i++) {
      pace.awaitTurn(FOREVER);
      last = time.now;
      pace.attemptEnded();
      pace.answered(last);
      time.now += apartMs * MS;
    }
    return last;
  }

  @Test
  void aRequestToSlowDownPausesEveryoneThenCutsThePace() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(null, 64, time);
    long sent = answeredStarts(pace, time, 10, 10); // ten starts 10 ms apart: 100 a second
    pace.slowDown(Duration.ofSeconds(1), sent);
    long askedAt = time.now;

    pace.awaitTurn(FOREVER);
    assertEquals(
        askedAt + 1000 * MS, time.now, "the next start, whoever makes it, waits out the pause");
    pace.awaitTurn(FOREVER);
    // 0.7 of the 100 a second the batch was going at: a start every 14.3 ms.
    assertEquals(askedAt + 1000 * MS + Math.round(1e9 / 70), time.now);
    assertEquals(1, pace.pauses());
  }

  @Test
  void throttledAnswersToAttemptsStartedBeforeTheSlowdownChangeNothing() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(null, 64, time);
    long[] inFlight = new long[16];
    answeredStarts(pace, time, 10, 10);
    for (int i = 0; i < inFlight.length; i++) {
      pace.awaitTurn(FOREVER);
      inFlight[i] = time.now;
      time.now += MS;
    }
    // A burst: all sixteen come back 429, the first of them slows the batch once.
    for (long started : inFlight) {
      pace.slowDown(Duration.ofSeconds(1), started);
    }
    assertEquals(1, pace.pauses(), "one slowdown for one round trip");
    long interval = pace.interval();
    // 26 starts in 115 ms: 217 a second, cut once to 0.7 of it.
    assertEquals(1e9 / (0.7 * 25 / 0.115), interval, 1.0);

    // After the pause, an attempt of the new round trip throttled again: a second slowdown.
    long sent = answeredStarts(pace, time, 10, 0);
    pace.slowDown(Duration.ofSeconds(1), sent);
    assertEquals(2, pace.pauses());
    assertTrue(pace.interval() > interval, pace.interval() + " after " + interval);
  }

  @Test
  void theRateASlowdownCutsIsMeasuredSinceThePauseNotAcrossIt() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(null, 64, time);
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 10, 10));
    assertEquals(70.0, pace.rate(), 1e-6);
    // After the pause, ten starts at the pace it set (answered at once, so it barely grows).
    long sent = 0;
    for (int i = 0; i < 10; i++) {
      pace.awaitTurn(FOREVER);
      sent = time.now;
      pace.attemptEnded();
      pace.answered(sent);
    }
    double going = pace.rate();
    pace.slowDown(Duration.ofSeconds(1), sent);
    // 0.7 of about 70 a second, not of the few starts a second that a span over the pause shows.
    assertEquals(0.7 * going, pace.rate(), 2.0);
    assertTrue(pace.rate() > 45, "cut from the pace since the pause: " + pace.rate());
  }

  @Test
  void answersGrowThePaceBackAlongTheCubicCurveUpToTheRate() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(100.0, 64, time);
    long sent = answeredStarts(pace, time, 10, 10);
    pace.slowDown(Duration.ZERO, sent);
    assertEquals(70.0, pace.rate(), 1e-9, "0.7 of the 100 a second it went at");
    // k, the time to regain it: the cube root of 100 * 0.3 / 0.4, 4.22 s.
    double k = Math.cbrt(100 * 0.3 / 0.4);
    time.now += (long) (k / 2 * 1e9);
    pace.answered(time.now);
    double halfway = pace.rate();
    assertTrue(halfway > 90 && halfway < 100, "concave: near the old rate early: " + halfway);
    time.now += (long) (k * 1e9);
    pace.answered(time.now);
    assertEquals(10 * MS, pace.interval(), "never faster than --rate");
  }

  @Test
  void withoutARateThePaceGrowsPastTheOldRateOnceItHasRegainedIt() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(null, 64, time);
    long sent = answeredStarts(pace, time, 10, 10);
    pace.slowDown(Duration.ZERO, sent);
    double k = Math.cbrt(100 * 0.3 / 0.4);
    time.now += (long) ((k + 5) * 1e9);
    pace.answered(time.now);
    assertEquals(100 + 0.4 * 125, pace.rate(), 1e-6, "convex after k: probing for more");
  }

  @Test
  void aSlowdownStopsAtOneStartEveryFiveSeconds() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(0.25, 64, time);
    pace.slowDown(Duration.ZERO, answeredStarts(pace, time, Pace.PROBE, 0));
    assertEquals(1, pace.pauses());
    assertEquals(5000 * MS, pace.interval(), "0.7 of one start in 4 s would be slower");
  }

  @Test
  void throttlingThatComesAtOnceAfterResumingIsTheServersOwnAndNotAnsweredByEveryone()
      throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(null, 8, time);
    long sent = answeredStarts(pace, time, 3, 1);
    pace.slowDown(Duration.ofSeconds(1), sent);
    assertTrue(pace.background(), "a 429 three answers in: slowing down would not have helped");
    assertEquals(0, pace.pauses());
    long before = time.now;
    pace.awaitTurn(FOREVER);
    assertEquals(before, time.now, "nobody paused; the throttled request waits on its own");
    pace.attemptEnded();
    assertEquals(0, pace.interval());

    // One in eight throttled, for a long time: still the server's own.
    for (int i = 0; i < 200; i++) {
      sent = answeredStarts(pace, time, 7, 1);
      pace.slowDown(Duration.ofSeconds(1), sent);
    }
    assertEquals(0, pace.pauses());
    // Then most answers are 429s: that is a limit the batch is hitting, and it slows down.
    int throttled = 0;
    while (pace.background() && throttled < 16) {
      pace.awaitTurn(FOREVER);
      pace.attemptEnded();
      pace.slowDown(Duration.ofSeconds(1), time.now);
      throttled++;
      time.now += MS;
    }
    assertFalse(pace.background(), "after " + throttled + " in a row");
    assertEquals(1, pace.pauses());
    // And while they stay most, each round trip's first 429 slows it again, however soon.
    pace.awaitTurn(FOREVER);
    pace.attemptEnded();
    pace.slowDown(Duration.ofSeconds(1), time.now);
    assertFalse(pace.background());
    assertEquals(2, pace.pauses());
  }

  @Test
  void aSlowdownThatDidNotHelpIsUndone() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(50.0, 8, time);
    long sent = answeredStarts(pace, time, 20, 20);
    pace.slowDown(Duration.ofSeconds(1), sent);
    assertEquals(35.0, pace.rate(), 1e-9);
    pace.awaitTurn(FOREVER); // after the pause
    pace.attemptEnded();
    pace.slowDown(Duration.ofSeconds(1), time.now);
    assertTrue(pace.background());
    assertEquals(50.0, pace.rate(), 1e-9, "throttled at once after the pause: back to --rate");
  }

  @Test
  void withConcurrencyOneALineWaitingToRetryKeepsItsPlaceUntilItIsCounted() throws Exception {
    Pace pace = Pace.of(null, 1, new FakeTime());
    Pace.Line first = pace.line(0);
    Pace.Line second = pace.line(1);
    assertTrue(first.awaitTurn(FOREVER));
    first.attemptEnded(); // a 503: to be tried again after a backoff
    first.retrying();
    java.util.concurrent.CompletableFuture<Boolean> next =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return second.awaitTurn(FOREVER);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(300);
    assertFalse(next.isDone(), "line 2 waits while line 1 waits to retry");
    assertTrue(first.awaitTurn(FOREVER), "line 1's retry goes");
    first.attemptEnded();
    first.close(); // its answer counted
    assertTrue(next.get(5, java.util.concurrent.TimeUnit.SECONDS));
  }

  @Test
  void throttlingTakenForTheServersOwnUndoesEverySlowdownBeforeIt() throws Exception {
    // 429s at random, one in eight: two of them happened to come after PROBE answers, and the
    // batch slowed down twice (the bench's run at 102 lines/s, 10 s of it at the rate those left);
    // the third comes at once after resuming, and shows that the pace was never the cause.
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(null, 16, time);
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 40, 10));
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 40, 10));
    assertEquals(2, pace.pauses());
    assertTrue(pace.interval() > 0);
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 2, 10));
    assertTrue(pace.background());
    assertEquals(0, pace.interval(), "as fast as answers come again, not at 0.7 of 0.7");
  }

  @Test
  void throttlingTakenForTheServersOwnKeepsASlowdownThatHelped() throws Exception {
    // A real limit under random 429s: a slowdown that made the 429s fewer stands when a random
    // one later comes at once after resuming; only the slowdown after which they were no fewer is
    // undone.
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(150.0, 16, time);
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 40, 10));
    long beforeTheFirst = time.now - 1;
    for (int i = 0; i < 12; i++) {
      pace.slowDown(Duration.ofSeconds(1), beforeTheFirst); // its round trip's: remembered only
    }
    time.now += 1_000 * MS;
    // Over the limit: 14 of the last 32 answers throttled when the batch slows down again.
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, Pace.PROBE, 10));
    double afterTheLimitsSlowdown = pace.rate();
    time.now += 1_000 * MS;
    // Under it: the 429s went, and one at random slows the batch down again (it cannot tell yet).
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 40, 10));
    assertTrue(pace.rate() < afterTheLimitsSlowdown);
    time.now += 1_000 * MS;
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 2, 10));
    assertTrue(pace.background());
    assertTrue(
        pace.rate() >= afterTheLimitsSlowdown && pace.rate() < 150.0,
        "back to where the limit's slowdown and its growth left it, not to the --rate: "
            + pace.rate());
  }

  @Test
  void aLimitsSlowdownIsCreditedWithItsRoundTripsThrottledAnswers() throws Exception {
    // The limit's first 429 slows the batch down while the share is still low; the rest of its
    // round trip is refused by the same limit after it. A random 429 later slows it down again,
    // and another at once after resuming sends it into background: only that last slowdown goes.
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(150.0, 16, time);
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 40, 10));
    double afterTheLimitsSlowdown = pace.rate();
    long beforeIt = time.now - 1;
    for (int i = 0; i < 12; i++) {
      pace.slowDown(Duration.ofSeconds(1), beforeIt);
    }
    time.now += 1_000 * MS;
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 40, 10));
    time.now += 1_000 * MS;
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 2, 10));
    assertTrue(pace.background());
    assertTrue(pace.rate() >= afterTheLimitsSlowdown && pace.rate() < 150.0, "" + pace.rate());
  }

  @Test
  void inBackgroundTheRateGrowsBackNoFurtherThanWhereTheLimitPushedBack() throws Exception {
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(150.0, 16, time);
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 40, 10)); // went at 100/s
    long beforeIt = time.now - 1;
    for (int i = 0; i < 12; i++) {
      pace.slowDown(Duration.ofSeconds(1), beforeIt);
    }
    time.now += 1_000 * MS;
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 2, 10)); // random, at once
    assertTrue(pace.background());
    answeredStarts(pace, time, 3_000, 10); // 30 s of answers
    assertTrue(pace.rate() <= 100.0 + 1e-9, "not back above the limit: " + pace.rate());
  }

  @Test
  void inBackgroundARoundTripHalfRefusedIsALimitAndIsAnswered() throws Exception {
    // Random 429s sent the batch into background before anything slowed it down; then a limit
    // refuses half a round trip, far fewer than half of the last 32 answers: it slows down.
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(150.0, 16, time);
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 2, 10));
    assertTrue(pace.background());
    answeredStarts(pace, time, 40, 10);
    for (int i = 0; i < 8; i++) {
      pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 1, 10));
    }
    assertTrue(pace.background(), "7 of the 16 before the last: still the server's own");
    assertEquals(0, pace.pauses());
    pace.slowDown(Duration.ofSeconds(1), answeredStarts(pace, time, 1, 10));
    assertFalse(pace.background());
    assertEquals(1, pace.pauses());
    assertTrue(pace.rate() < 150.0);
  }

  @Test
  void randomThrottlingAloneSeldomEndsTheBackground() throws Exception {
    // One answer in eight a 429 at random, 100,000 attempts: each exit from background pauses
    // every worker. Half of a round trip refused at random is rare: about once in 4,400 looks
    // (one look per 429): 12,000 looks here, 0 exits with this seed (4 when the 429 asking was
    // counted in its own round, about once in 1,050 looks).
    FakeTime time = new FakeTime();
    Pace pace = Pace.of(null, 16, time);
    java.util.SplittableRandom random = new java.util.SplittableRandom(14);
    for (int i = 0; i < 100_000; i++) {
      pace.awaitTurn(FOREVER);
      long started = time.now;
      pace.attemptEnded();
      if (random.nextDouble() < 0.12) {
        pace.slowDown(Duration.ofSeconds(1), started);
      } else {
        pace.answered(started);
      }
      time.now += MS;
    }
    assertTrue(pace.pauses() <= 2, "paused " + pace.pauses() + " times");
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
    pace.slowDown(Duration.ofHours(1), answeredStarts(pace, time, Pace.PROBE, 0));
    long before = time.now;
    assertFalse(
        pace.awaitTurn(Duration.ofMinutes(10)),
        "an hour's pause outlasts ten minutes of --max-time");
    assertEquals(before, time.now, "and it did not wait for it");
    assertTrue(pace.awaitTurn(Duration.ofHours(2)));
    assertEquals(before + Duration.ofHours(1).toNanos(), time.now);
  }

  @Test
  void aSenderWaitingOutAPauseWhenTheBatchStopsDoesNotStart() throws Exception {
    Pace[] pace = new Pace[1];
    FakeTime time =
        new FakeTime() {
          @Override
          public void sleep(Duration duration) {
            super.sleep(duration);
            pace[0].stop(); // --fail-fast: another line failed while this one waited
          }
        };
    pace[0] = Pace.of(1.0, 4, time);
    assertTrue(pace[0].awaitTurn(FOREVER));
    pace[0].attemptEnded();
    assertFalse(pace[0].awaitTurn(FOREVER), "the next start, a second away, never comes");
    assertTrue(time.sleeps.get(0) <= 50 * MS, "it looks again often: " + time.sleeps);
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
