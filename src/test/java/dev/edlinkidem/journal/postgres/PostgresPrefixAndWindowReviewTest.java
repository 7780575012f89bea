package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyResolver;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.journal.Selection;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Review of c04d9ec and 20a61c1 on the PostgreSQL journal. */
class PostgresPrefixAndWindowReviewTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("review-c04");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void dropTheTables() throws Exception {
    cluster.dropJournal();
  }

  private static PostgresJournal handle() throws Exception {
    return cluster.journal(Duration.ofSeconds(30));
  }

  private static void write(Journal journal, String key, Instant at, boolean finish)
      throws Exception {
    JournaledRequest r =
        new JournaledRequest(
            "POST",
            "https://ed.link/api/v2/graph/classes/c1/assignments",
            Map.of(),
            "{}".getBytes(StandardCharsets.UTF_8));
    try (Journal.Lease lease = journal.lease(key)) {
      lease.begin(r, at);
      if (finish) {
        lease.recordAttempt(
            new Attempt(1, at, Duration.ofMillis(5), Attempt.Result.RESPONSE, 200, null, "r"));
        lease.recordOutcome(
            new Outcome(
                EntryState.SUCCEEDED,
                at,
                new RecordedResponse(200, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
                "post"));
      }
    }
  }

  /** As on the file journal: a short key with damaged records is said to be damaged. */
  @Test
  void aShortKeyWhoseRecordsAreDamagedIsSaidToBeDamagedNotMissing() throws Exception {
    try (PostgresJournal j = handle()) {
      write(j, "abc", T0, true);
      cluster.psql(
          "update edlink_idem_records set record = convert_to('not json' || chr(10), 'UTF8')"
              + " where key = 'abc'");
      assertTrue(j.find("abc").isEmpty(), "precondition: its records cannot be read");
      assertTrue(
          j.summaries().stream().anyMatch(s -> s.key().equals("abc")),
          "precondition: its summary stands");
      String message =
          assertThrows(JournalException.class, () -> KeyResolver.entry(j, "abc")).getMessage();
      assertTrue(
          message.startsWith("the entry of abc cannot be read: its records are damaged: "),
          message);
    }
  }

  /**
   * The nanosecond edges of createdIn(startsEndedBy(now)) on PostgreSQL are hasEnded's: a window
   * ending exactly at now has ended, one a nanosecond later has not; the earliest and latest
   * created_ns the journal can write are on the right sides.
   */
  @Test
  void theEndedSpanOnPostgresIsHasEndedAtEveryEdge() throws Exception {
    Instant now = Instant.parse("2026-12-01T08:00:00.123456789Z");
    Instant earliest = Instant.ofEpochSecond(-9_223_372_036L, 0); // nanos() cannot go lower
    Instant latest = Instant.ofEpochSecond(9_223_372_036L, 854_775_807); // Long.MAX_VALUE ns
    Map<String, Instant> created =
        Map.of(
            "edge-exact",
            now.minus(Window.LENGTH),
            "edge-plus-1ns",
            now.minus(Window.LENGTH).plusNanos(1),
            "edge-minus-1ns",
            now.minus(Window.LENGTH).minusNanos(1),
            "far-past",
            earliest,
            "far-future",
            latest,
            "now-ish",
            now);
    try (PostgresJournal j = handle()) {
      for (Map.Entry<String, Instant> e : created.entrySet()) {
        write(j, e.getKey(), e.getValue(), true);
      }
      List<String> expected =
          j.summaries().stream()
              .filter(s -> s.window().hasEnded(now))
              .sorted(Selection.Order.OLDEST_FIRST.comparator())
              .map(EntrySummary::key)
              .toList();
      assertEquals(List.of("far-past", "edge-minus-1ns", "edge-exact"), expected);
      assertEquals(
          expected,
          j
              .summaries(
                  Selection.all(Selection.Order.OLDEST_FIRST).createdIn(Window.startsEndedBy(now)))
              .stream()
              .map(EntrySummary::key)
              .toList());
    }
  }

  /** keysStartingWith at the code point edges, against the keys' own startsWith. */
  @Test
  void keysStartingWithAtCodePointEdges() throws Exception {
    List<String> keys =
        List.of(
            "pfx-ab\uFFFF",
            "pfx-ab\uFFFFz",
            "pfx-ab" + Character.toString(0x10000),
            "pfx-ab" + Character.toString(0x10FFFF),
            "pfx-ab" + Character.toString(0x10FFFF) + "x",
            "pfx-ac",
            "pfx-ab\uD7FF",
            "pfx-ab\uE000",
            "pfx-a" + Character.toString(0x10FFFF),
            "pfx-b",
            "PFX-AB");
    try (PostgresJournal j = handle()) {
      for (String k : keys) {
        write(j, k, T0, true);
      }
      for (String prefix :
          List.of(
              "pfx-ab",
              "pfx-ab\uFFFF",
              "pfx-ab" + Character.toString(0x10FFFF),
              "pfx-a" + Character.toString(0x10FFFF),
              "pfx-ab\uD7FF",
              "pfx-a",
              "pfx-")) {
        assertEquals(
            keys.stream().filter(k -> k.startsWith(prefix)).sorted().toList().size(),
            j.keysStartingWith(prefix).size(),
            () -> "prefix " + prefix);
        assertEquals(
            keys.stream().filter(k -> k.startsWith(prefix)).sorted().toList(),
            j.keysStartingWith(prefix).stream().sorted().toList(),
            () -> "prefix " + prefix);
      }
    }
  }
}
