package dev.edlinkidem.cli.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.time.ManualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SendProgressTest {
  private final ManualTime time = new ManualTime();
  private final SendProgress progress = new SendProgress(ProgressLine.none(), time, 5);

  private static Attempt answered(int number, int status) {
    return new Attempt(
        number, Instant.EPOCH, Duration.ofSeconds(1), Attempt.Result.RESPONSE, status, null, null);
  }

  @Test
  void nothingForTheFirstSecondThenHowLongAndWhichAttempt() {
    time.advance(Duration.ofMillis(900));
    assertEquals("", progress.text());
    time.advance(Duration.ofMillis(600));
    assertEquals("edlink-idem: waiting for Edlink's answer: 2 s (attempt 1 of 5)", progress.text());
  }

  @Test
  void betweenAttemptsTheWaitForTheNextThenTheNextsWait() {
    time.advance(Duration.ofSeconds(2));
    progress.attempted(answered(1, 503), Optional.of(Duration.ofSeconds(4)));
    assertEquals(
        "edlink-idem: attempt 1: HTTP 503; attempt 2 of 5 in 4 s (Ctrl-C leaves it pending)",
        progress.text());
    time.advance(Duration.ofMillis(4500));
    assertEquals(
        "edlink-idem: waiting for Edlink's answer: 1 s (attempt 2 of 5; attempt 1: HTTP 503)",
        progress.text());
  }

  @Test
  void attemptsBeyondTheRetriesSay() {
    time.advance(Duration.ofSeconds(2));
    for (int i = 0; i < 5; i++) {
      progress.attempted(answered(1, 429), Optional.of(Duration.ofSeconds(1)));
      time.advance(Duration.ofSeconds(2));
    }
    assertEquals(
        "edlink-idem: waiting for Edlink's answer: 1 s (attempt 6; attempt 5: HTTP 429)",
        progress.text());
  }

  @Test
  void aReplayCountsItsOwnAttemptsNotTheJournals() {
    time.advance(Duration.ofSeconds(2));
    progress.attempted(answered(4, 503), Optional.of(Duration.ofSeconds(3)));
    assertEquals(
        "edlink-idem: attempt 1: HTTP 503; attempt 2 of 5 in 3 s (Ctrl-C leaves it pending)",
        progress.text());
  }
}
