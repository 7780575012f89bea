package dev.edlinkidem.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.verdict.ExitCode;
import dev.edlinkidem.verdict.Row;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The batch's counts, its exit code, and when it stops starting lines. */
class TallyTest {
  private static LineResult line(int n, LineResult.Kind kind, int exit, Row row) {
    return new LineResult(n, "/p", "k" + n, kind, 0, 1, false, exit, null, null, null, row);
  }

  @Test
  void countsEachKindAndTheMostSeriousExit() {
    Tally tally = new Tally(false, () -> {});
    tally.started();
    tally.started();
    tally.done(line(1, LineResult.Kind.SUCCEEDED, ExitCode.OK, Row.SUCCEEDED), true);
    tally.done(line(2, LineResult.Kind.PENDING, ExitCode.NO_RESPONSE, Row.NO_RESPONSE), true);
    tally.done(LineResult.malformed(3, "not JSON"), false);
    tally.done(LineResult.keyClash(4, "/p", "k", 1), false);
    Tally.Counts counts = tally.counts();
    assertEquals(4, counts.done());
    assertEquals(0, counts.inFlight());
    assertEquals(ExitCode.REFUSED, counts.exit(), "a refusal outranks a pending line");
    assertEquals(2, counts.sent());
    assertEquals(2, counts.failed());
    assertEquals(1, counts.unfinished());
    assertFalse(tally.stopping(), "without --fail-fast a batch goes on");
  }

  @Test
  void failFastStopsAtTheFirstLineThatDoesNotSucceed() {
    AtomicInteger stops = new AtomicInteger();
    Tally tally = new Tally(true, stops::incrementAndGet);
    tally.done(line(1, LineResult.Kind.SUCCEEDED, ExitCode.OK, Row.SUCCEEDED), false);
    tally.done(LineResult.sameAs(2, "/p", "k1", 1), false);
    assertNull(tally.counts().stoppedBecause());
    tally.done(line(3, LineResult.Kind.FAILED, ExitCode.CLIENT_ERROR, Row.FAILED), false);
    tally.done(line(4, LineResult.Kind.PENDING, ExitCode.SERVER_ERROR, Row.SERVER_ERROR), false);
    assertTrue(tally.stopping());
    assertEquals("line 3 did not succeed and --fail-fast is on", tally.counts().stoppedBecause());
    assertEquals(1, stops.get(), "the pace is told once");
  }

  @Test
  void aRefusedTokenStopsEveryBatch() {
    AtomicInteger stops = new AtomicInteger();
    Tally tally = new Tally(false, stops::incrementAndGet);
    tally.done(line(7, LineResult.Kind.PENDING, ExitCode.CLIENT_ERROR, Row.TOKEN_REFUSED), false);
    assertTrue(tally.counts().tokenRefused());
    assertEquals(
        "Edlink refused the token on line 7, so the other lines would be refused too",
        tally.counts().stoppedBecause());
    assertEquals(1, stops.get());
  }
}
