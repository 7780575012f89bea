package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.time.Time;
import dev.edlinkidem.torture.Hostile;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A clock set wrong when a request was journaled, found out later: the window must never come out
 * longer than Edlink's, or a replay after Edlink forgot the key would create a second assignment.
 * Edlink's Date header is a second clock; an entry dated ahead of now is not sent at all; and
 * EDLINK_IDEM_NOW, which moves the window rules, never goes unmentioned.
 */
class ClockSkewTest extends SandboxCase {
  private static final Duration TWENTY_DAYS = Duration.ofDays(20);

  private static Time ahead(Duration offset) {
    return Hostile.off(offset);
  }

  @Test
  void anAnswersDateCountsTheWindowByEdlinksClockAndSaysSo() throws Exception {
    faultOnce(faults(0, 0, 1, 0, Duration.ZERO)); // a 503, with a Date, and nothing done
    Cli.Result fast =
        cli()
            .time(ahead(TWENTY_DAYS))
            .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "fast-1", "--retries", "0");
    assertEquals(5, fast.code(), fast.toString());
    assertTrue(fast.err().contains("this machine's clock is 20d ahead of Edlink's"), fast.err());

    Entry e = entry("fast-1");
    Duration fromNow = Duration.between(Instant.now(), e.window().end());
    assertTrue(
        fromNow.compareTo(Duration.ofDays(30).plusMinutes(5)) < 0,
        "the window ends by Edlink's clock, not 50 days out: " + fromNow);

    // 31 real days on, with the clock set right: Edlink has forgotten the key, and so has replay.
    String later = Instant.now().plus(Duration.ofDays(31)).toString();
    Cli.Result replay = cli().env("EDLINK_IDEM_NOW", later).run("replay", "fast-1");
    assertEquals(3, replay.code(), replay.toString());
    assertTrue(replay.err().contains("its window ended"), replay.err());
    assertEquals(1, stat("requests"), "nothing sent after the window: " + log);
  }

  @Test
  void anEntryDatedAheadOfNowIsRefusedNotReplayed() throws Exception {
    faultOnce(faults(0, 1, 0, 0, Duration.ZERO)); // lost before it arrived: no Date to go by
    Cli.Result fast =
        cli()
            .time(ahead(TWENTY_DAYS))
            .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "fast-2", "--retries", "0");
    assertEquals(6, fast.code(), fast.toString());

    for (String[] args :
        new String[][] {
          {"replay", "fast-2"},
          {"replay", "--all-pending", "--yes"},
          {"post", ASSIGNMENTS, "-d", ESSAY, "-k", "fast-2"}
        }) {
      Cli.Result r = cli().run(args);
      assertEquals(3, r.code(), String.join(" ", args) + ": " + r);
      String said = r.out() + r.err(); // with --all-pending, a refused key's line is on stdout
      assertTrue(said.contains("which is still to come by this machine's clock"), said);
      assertTrue(said.contains("edlink-idem reconcile fast-2"), said);
    }
    assertEquals(1, stat("requests"), "only the first attempt: " + log);
    assertEquals(0, stat("creates"));
  }

  @Test
  void edlinkIdemNowIsNamedOnEveryCommandThatUsesIt() {
    String at = "2026-11-22T09:30:00Z";
    for (String[] args :
        new String[][] {{"list"}, {"expiring"}, {"replay", "--all-pending", "--yes"}}) {
      Cli.Result r = cli().env("EDLINK_IDEM_NOW", at).run(args);
      assertEquals(
          1,
          r.err().lines().filter(l -> l.contains("EDLINK_IDEM_NOW=" + at)).count(),
          String.join(" ", args) + ": " + r);
    }
    Cli.Result none = cli().run("list");
    assertFalse(none.err().contains("EDLINK_IDEM_NOW"), none.err());
  }
}
