package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.cli.render.Table;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every journal promises through {@link Journal}, whatever keeps it: a subclass supplies the
 * journal, and every test here must pass for it.
 *
 * <p>Only what the interface's Javadoc and SPEC section 3 promise is checked, through the interface
 * alone: how records lie in files or rows is each implementation's own tests' business. "Another
 * handle" stands for another process: a second {@link Journal} on the same journal, opened as a
 * process would open it. Public, with protected hooks, so that an implementation in another package
 * can run it.
 */
public abstract class JournalContractTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");

  /** Longer than any lease refusal may take: "at once" means without waiting for the holder. */
  private static final Duration AT_ONCE = Duration.ofSeconds(10);

  /** A new, empty journal of this test's own; the test class closes it. */
  protected abstract Journal open() throws Exception;

  /**
   * Another handle on the journal {@link #open} gave, as another process would open it: what it
   * reads and which keys it may lease are what another process's would be. The test closes it.
   */
  protected abstract Journal openAgain() throws Exception;

  /**
   * Another handle on that journal whose next remove or merge is stopped part-way, as a crash would
   * stop it: after it has begun to change the journal and before it has finished, by throwing. The
   * test closes it.
   */
  protected abstract Journal openStoppingPartWay() throws Exception;

  private Journal journal;

  @BeforeEach
  void openJournal() throws Exception {
    journal = open();
  }

  @AfterEach
  void closeJournal() throws Exception {
    journal.close();
  }

  // A new journal

  @Test
  void aNewJournalHoldsNothing() throws Exception {
    assertEquals(List.of(), journal.entries());
    assertEquals(List.of(), journal.summaries());
    assertTrue(journal.find("k-1").isEmpty());
    assertTrue(journal.tombstone("k-1").isEmpty());
    assertEquals(List.of(), journal.forgetTombstones(T0.plus(Duration.ofDays(999)), false));
    assertEquals(List.of(), journal.problems());
  }

  // Begin, attempts, outcome

  @Test
  void beginReturnsThePendingEntryItJournaled() throws Exception {
    try (Journal.Lease lease = journal.lease("k-1")) {
      Entry begun = lease.begin(request("{\"title\":\"Essay\"}"), T0);
      assertSameEntry(
          new Entry(
              "k-1",
              T0,
              request("{\"title\":\"Essay\"}"),
              request("{\"title\":\"Essay\"}").fingerprint(),
              List.of(),
              null),
          begun);
      assertEquals(EntryState.PENDING, begun.state());
    }
  }

  @Test
  void aJournaledRequestIsFoundPendingAsItWasGiven() throws Exception {
    JournaledRequest asked = request("{\"title\":\"Essay\"}");
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(asked, T0);
    }
    Entry e = journal.find("k-1").orElseThrow();
    assertSameEntry(new Entry("k-1", T0, asked, asked.fingerprint(), List.of(), null), e);
    assertEquals(EntryState.PENDING, e.state());
    assertNull(e.outcome());
  }

  @Test
  void attemptsAreKeptInTheirOrderWithEveryField() throws Exception {
    List<Attempt> attempts =
        List.of(
            new Attempt(
                1,
                T0,
                Duration.ofMillis(212),
                Attempt.Result.NO_RESPONSE,
                0,
                "connection closed without a response",
                null),
            new Attempt(
                2,
                T0.plusSeconds(2),
                Duration.ofMillis(30_000),
                Attempt.Result.TIMEOUT,
                0,
                "timed out",
                null),
            new Attempt(
                3,
                T0.plusSeconds(40),
                Duration.ofMillis(35),
                Attempt.Result.RESPONSE,
                503,
                null,
                "req-3",
                T0.plusSeconds(39)));
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(request("{}"), T0);
      for (Attempt a : attempts) {
        lease.recordAttempt(a);
      }
    }
    Entry e = journal.find("k-1").orElseThrow();
    assertEquals(attempts, e.attempts());
    assertEquals(EntryState.PENDING, e.state());
  }

  @Test
  void anOutcomeSettlesTheEntryWithItsAnswer() throws Exception {
    Outcome outcome =
        new Outcome(
            EntryState.SUCCEEDED, T0.plusSeconds(1), ok("{\"$data\":{\"id\":\"a1\"}}"), "post");
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(request("{}"), T0);
      lease.recordAttempt(answered(1, T0.plusSeconds(1), 200));
      lease.recordOutcome(outcome);
    }
    Entry e = journal.find("k-1").orElseThrow();
    assertEquals(EntryState.SUCCEEDED, e.state());
    assertEquals(List.of(answered(1, T0.plusSeconds(1), 200)), e.attempts());
    assertSameOutcome(outcome, e.outcome());
  }

  @Test
  void recordFinalJournalsTheAttemptAndTheFailure() throws Exception {
    Attempt last = answered(2, T0.plusSeconds(3), 422);
    Outcome failed =
        new Outcome(
            EntryState.FAILED,
            T0.plusSeconds(3),
            new RecordedResponse(
                422,
                Map.of("Content-Type", List.of("application/json")),
                "{\"$errors\":[{\"code\":\"BAD_REQUEST\"}]}".getBytes(StandardCharsets.UTF_8)),
            "replay");
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(request("{}"), T0);
      lease.recordAttempt(unanswered(1, T0));
      lease.recordFinal(last, failed);
    }
    Entry e = journal.find("k-1").orElseThrow();
    assertEquals(EntryState.FAILED, e.state());
    assertEquals(List.of(unanswered(1, T0), last), e.attempts());
    assertSameOutcome(failed, e.outcome());
  }

  @Test
  void bodiesComeBackByteForByte() throws Exception {
    byte[] notUtf8 = {(byte) 0xff, 0, 1, (byte) 0xc3, '\n', '"', '\\'};
    JournaledRequest binary = JournaledRequest.post("https://ed.link/api/v2/x", notUtf8);
    Outcome answer =
        new Outcome(EntryState.SUCCEEDED, T0, new RecordedResponse(200, Map.of(), notUtf8), "post");
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(binary, T0);
      lease.recordFinal(answered(1, T0, 200), answer);
    }
    Entry e = journal.find("k-1").orElseThrow();
    assertArrayEquals(notUtf8, e.request().body());
    assertArrayEquals(notUtf8, e.outcome().response().body());
    assertEquals(binary.fingerprint(), e.fingerprint());
  }

  @Test
  void aBodyCutAtTheCapKeepsTheLengthItHad() throws Exception {
    RecordedResponse cut =
        new RecordedResponse(
            200, Map.of(), "{\"$data\":".getBytes(StandardCharsets.UTF_8), 9_000_000);
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(request("{}"), T0);
      lease.recordFinal(answered(1, T0, 200), new Outcome(EntryState.SUCCEEDED, T0, cut, "post"));
    }
    RecordedResponse kept = journal.find("k-1").orElseThrow().outcome().response();
    assertTrue(kept.truncated());
    assertEquals(9_000_000, kept.length());
    assertArrayEquals(cut.body(), kept.body());
  }

  @Test
  void beginRunsItsCallbackOnce() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(request("{}"), T0, calls::incrementAndGet);
    }
    assertEquals(1, calls.get());
    assertTrue(journal.find("k-1").isPresent());
  }

  @Test
  void aBeginWhoseCallbackThrowsJournalsNothing() throws Exception {
    try (Journal.Lease lease = journal.lease("k-1")) {
      IllegalStateException thrown =
          assertThrows(
              IllegalStateException.class,
              () ->
                  lease.begin(
                      request("{}"),
                      T0,
                      () -> {
                        throw new IllegalStateException("interrupted");
                      }));
      assertEquals("interrupted", thrown.getMessage());
      assertTrue(lease.entry().isEmpty());
      assertTrue(lease.blank());
    }
    assertTrue(journal.find("k-1").isEmpty());
    assertEquals(List.of(), journal.entries());
    try (Journal other = openAgain()) {
      assertTrue(other.find("k-1").isEmpty());
    }
  }

  @Test
  void aLeaseAloneJournalsNothing() throws Exception {
    journal.lease("k-1").close();
    assertTrue(journal.find("k-1").isEmpty());
    assertEquals(List.of(), journal.entries());
    assertEquals(List.of(), journal.summaries());
  }

  // Reading: entries, summaries, windows, problems

  @Test
  void entriesComeInTheOrderTheirKeysWereJournaled() throws Exception {
    List<String> journaled = List.of("k-c", "k-a", "k-d", "k-b");
    for (int i = 0; i < journaled.size(); i++) {
      CompactionTest.write(journal, journaled.get(i), "{}", T0.plusSeconds(i), i % 2 == 0);
    }
    assertEquals(journaled, keys(journal.entries()));
    try (Journal other = openAgain()) {
      assertEquals(journaled, keys(other.entries()));
    }
  }

  @Test
  void summariesAreTheEntriesSummed() throws Exception {
    CompactionTest.write(journal, "k-done", "{\"a\":1}", T0, true);
    CompactionTest.write(journal, "k-pending", "{\"a\":2}", T0.plusSeconds(60), false);
    try (Journal.Lease lease = journal.lease("k-new")) {
      lease.begin(request("{\"a\":3}"), T0.plusSeconds(120));
    }
    assertEquals(
        summed(journal.entries()),
        new HashSet<>(journal.summaries()),
        "each summary is EntrySummary.of its entry");
  }

  @Test
  void aSummarySaysStateStatusAttemptsAndHowItEnded() throws Exception {
    CompactionTest.write(journal, "k-done", "{\"a\":1}", T0, true);
    CompactionTest.write(journal, "k-pending", "{\"a\":2}", T0.plusSeconds(60), false);
    try (Journal.Lease lease = journal.lease("k-new")) {
      lease.begin(request("{\"a\":3}"), T0.plusSeconds(120));
    }
    EntrySummary done = summaryOf("k-done");
    assertEquals(EntryState.SUCCEEDED, done.state());
    assertEquals(200, done.status(), "the final status");
    assertEquals(2, done.attempts());
    assertEquals(T0, done.created());
    assertEquals(T0.plusSeconds(1), done.finishedAt());
    assertEquals("post", done.via());
    assertEquals("POST", done.method());
    assertEquals(request("{}").url(), done.url());
    EntrySummary pending = summaryOf("k-pending");
    assertEquals(EntryState.PENDING, pending.state());
    assertEquals(0, pending.status(), "the last attempt's, which had no answer");
    assertEquals(1, pending.attempts());
    assertNull(pending.finishedAt());
    assertNull(pending.via());
    EntrySummary fresh = summaryOf("k-new");
    assertEquals(0, fresh.attempts());
    assertEquals(0, fresh.status());
  }

  @Test
  void aPendingSummaryShowsItsLastAttemptsStatus() throws Exception {
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(request("{}"), T0);
      lease.recordAttempt(unanswered(1, T0));
      lease.recordAttempt(answered(2, T0.plusSeconds(1), 503));
    }
    assertEquals(503, summaryOf("k-1").status());
    assertEquals(2, summaryOf("k-1").attempts());
  }

  @Test
  void theWindowRunsThirtyDaysFromTheMomentItWasJournaled() throws Exception {
    CompactionTest.write(journal, "k-1", "{}", T0, false);
    Window w = journal.find("k-1").orElseThrow().window();
    assertEquals(T0, w.start());
    assertEquals(T0.plus(Duration.ofDays(30)), w.end());
    assertEquals(T0.plus(Duration.ofDays(30)).minus(Duration.ofHours(1)), w.replayDeadline());
    assertEquals(w, summaryOf("k-1").window());
  }

  @Test
  void aClockAheadOfEdlinksMovesTheWindowBack() throws Exception {
    Duration ahead = Duration.ofHours(3);
    Attempt dated =
        new Attempt(
            1,
            T0,
            Duration.ofMillis(40),
            Attempt.Result.RESPONSE,
            503,
            null,
            "req-1",
            T0.plusMillis(40).minus(ahead));
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(request("{}"), T0);
      lease.recordAttempt(dated);
    }
    Entry e = journal.find("k-1").orElseThrow();
    assertEquals(T0, e.created());
    assertEquals(T0.minus(ahead), e.window().start());
    assertEquals(T0.minus(ahead), summaryOf("k-1").created());
    assertEquals(e.window(), summaryOf("k-1").window());
  }

  @Test
  void aHealthyJournalReportsNoProblems() throws Exception {
    CompactionTest.write(journal, "k-1", "{}", T0, true);
    CompactionTest.write(journal, "k-2", "{}", T0, false);
    journal.entries();
    assertEquals(List.of(), journal.problems());
    journal.summaries();
    assertEquals(List.of(), journal.problems());
    journal.find("k-2");
    assertEquals(List.of(), journal.problems());
    try (Journal.Lease lease = journal.lease("k-2")) {
      lease.entry();
      assertEquals(List.of(), journal.problems());
    }
  }

  // Selections: what list and expiring ask for

  /**
   * Six keys, journaled out of key order: two at T0 and two at T0 + 2h, so that order by key
   * decides between them; pending ones among settled ones.
   */
  private void journalSix() throws Exception {
    CompactionTest.write(journal, "k-b", "{}", T0, true);
    CompactionTest.write(journal, "k-a", "{}", T0, false);
    CompactionTest.write(journal, "k-c", "{}", T0.plus(Duration.ofHours(1)), true);
    CompactionTest.write(journal, "k-e", "{}", T0.plus(Duration.ofHours(2)), false);
    CompactionTest.write(journal, "k-d", "{}", T0.plus(Duration.ofHours(2)), true);
    CompactionTest.write(journal, "k-f", "{}", T0.plus(Duration.ofHours(3)), true);
  }

  private static final Selection NEWEST = Selection.all(Selection.Order.NEWEST_FIRST);
  private static final Selection OLDEST = Selection.all(Selection.Order.OLDEST_FIRST);

  /** The keys of {@code selection}, as the summaries give them, checked against the keys alone. */
  private List<String> selected(Selection selection) throws Exception {
    List<String> bySummaries =
        journal.summaries(selection).stream().map(EntrySummary::key).toList();
    List<String> byKeys = new ArrayList<>();
    journal.keys(selection, byKeys::add);
    assertEquals(bySummaries, byKeys, "keys() gives what summaries() gives, in its order");
    List<EntrySummary> streamed = new ArrayList<>();
    journal.summaries(selection, streamed::add);
    assertEquals(
        journal.summaries(selection),
        streamed,
        "each summary handed on, as summaries() lists them");
    return bySummaries;
  }

  @Test
  void aSelectionComesNewestFirstAndByKeyWhenCreatedTogether() throws Exception {
    journalSix();
    assertEquals(List.of("k-f", "k-d", "k-e", "k-c", "k-a", "k-b"), selected(NEWEST));
  }

  @Test
  void aSelectionComesOldestFirstAndByKeyWhenCreatedTogether() throws Exception {
    journalSix();
    assertEquals(List.of("k-a", "k-b", "k-c", "k-d", "k-e", "k-f"), selected(OLDEST));
  }

  @Test
  void aSelectedSummaryIsTheEntrySummed() throws Exception {
    journalSix();
    assertEquals(summed(journal.entries()), new HashSet<>(journal.summaries(NEWEST)));
  }

  @Test
  void aSelectionPicksOneState() throws Exception {
    journalSix();
    assertEquals(List.of("k-e", "k-a"), selected(NEWEST.inState(EntryState.PENDING)));
    assertEquals(
        List.of("k-b", "k-c", "k-d", "k-f"), selected(OLDEST.inState(EntryState.SUCCEEDED)));
    assertEquals(List.of(), selected(NEWEST.inState(EntryState.FAILED)));
  }

  @Test
  void aSpanOfStartsTakesThoseAfterItsFirstInstantUpToAndIncludingItsLast() throws Exception {
    journalSix();
    Window.Starts starts = new Window.Starts(T0, T0.plus(Duration.ofHours(2)));
    assertEquals(List.of("k-d", "k-e", "k-c"), selected(NEWEST.createdIn(starts)));
    assertEquals(List.of("k-e"), selected(OLDEST.createdIn(starts).inState(EntryState.PENDING)));
    Window.Starts nanosApart =
        new Window.Starts(T0.minusNanos(1), T0.plus(Duration.ofHours(1)).minusNanos(1));
    assertEquals(List.of("k-a", "k-b"), selected(OLDEST.createdIn(nanosApart)));
  }

  @Test
  void theWindowsEndingWithinASpanAreThoseWhoseStartsItSelects() throws Exception {
    journalSix();
    Instant now = T0.plus(Window.LENGTH).plus(Duration.ofMinutes(30));
    Duration span = Duration.ofMinutes(90);
    // k-a and k-b have ended; k-d and k-e end exactly 90 minutes from now; k-f later.
    assertEquals(
        List.of("k-c", "k-d", "k-e"),
        selected(OLDEST.createdIn(Window.startsEndingWithin(now, span))));
    assertEquals(
        journal.summaries().stream()
            .filter(s -> s.window().endsWithin(now, span))
            .map(EntrySummary::key)
            .sorted()
            .toList(),
        selected(OLDEST.createdIn(Window.startsEndingWithin(now, span))));
    Instant whenTheFirstEnd = T0.plus(Window.LENGTH);
    assertEquals(
        List.of("k-c"),
        selected(OLDEST.createdIn(Window.startsEndingWithin(whenTheFirstEnd, Duration.ofHours(1)))),
        "a window that ends now has ended");
  }

  @Test
  void aSelectionStopsAtItsLimitInItsOrder() throws Exception {
    journalSix();
    assertEquals(List.of("k-f", "k-d"), selected(NEWEST.first(2)));
    assertEquals(List.of("k-a", "k-b", "k-c"), selected(OLDEST.first(3)));
    assertEquals(List.of("k-b"), selected(OLDEST.inState(EntryState.SUCCEEDED).first(1)));
    assertEquals(6, selected(NEWEST.first(99)).size());
  }

  @Test
  void aCountIsHowManyTheSelectionPicksUpToItsLimit() throws Exception {
    assertEquals(0, journal.count(NEWEST.inState(EntryState.PENDING)), "an empty journal");
    journalSix();
    assertEquals(6, journal.count(NEWEST));
    assertEquals(2, journal.count(NEWEST.inState(EntryState.PENDING)));
    assertEquals(4, journal.count(OLDEST.inState(EntryState.SUCCEEDED)));
    assertEquals(0, journal.count(OLDEST.inState(EntryState.FAILED)));
    Window.Starts starts = new Window.Starts(T0, T0.plus(Duration.ofHours(2)));
    assertEquals(3, journal.count(NEWEST.createdIn(starts)));
    assertEquals(1, journal.count(OLDEST.createdIn(starts).inState(EntryState.PENDING)));
    assertEquals(2, journal.count(NEWEST.first(2)));
    assertEquals(6, journal.count(NEWEST.first(99)));
  }

  @Test
  void aSelectionOfAnEmptyJournalIsEmpty() throws Exception {
    assertEquals(List.of(), selected(NEWEST));
    assertEquals(Map.of(), journal.neighbours(List.of()));
  }

  @Test
  void neighboursAreTheKeysJustBeforeAndAfterInCodePointOrder() throws Exception {
    // Code point order: capitals first, '-' before '.'; a language's collation orders them
    // otherwise.
    for (String key : List.of("beta", "alpha.1", "Zeta", "alpha-2", "alpha")) {
      CompactionTest.write(journal, key, "{}", T0, true);
    }
    assertEquals(
        Map.of(
            "Zeta", new Neighbours(null, "alpha"),
            "alpha", new Neighbours("Zeta", "alpha-2"),
            "alpha-2", new Neighbours("alpha", "alpha.1"),
            "beta", new Neighbours("alpha.1", null)),
        journal.neighbours(List.of("alpha", "Zeta", "beta", "alpha-2")));
  }

  /**
   * Keys that make the key column's width hard: shorter than the floor, one a prefix of another,
   * long shared prefixes, accents, CJK, and characters outside the BMP (two {@code char}s each, so
   * that a prefix of 7 {@code char}s ends in the middle of one). None past U+D7FF but those, where
   * String's order and code point order agree.
   */
  public static final List<String> TRICKY_KEYS =
      List.of(
          "abc",
          "abcdefg",
          "abcdefgh",
          "abcdefghij-1",
          "abcdefghij-2",
          "abcdefgX",
          "prefix-x",
          "prefix-xyz-long-key",
          "k-1",
          "k-10000000",
          "élan-0001-aaaa",
          "élan-0001-aaab",
          "élan-0002",
          "中文键-一二三四五-甲",
          "中文键-一二三四五-乙",
          "中文键-一",
          "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00-key-1",
          "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE01-key-2",
          "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00x-other-key",
          "zzzzzzzzzz");

  @Test
  void keysStartingWithAPrefixAreThoseKeysInKeyOrder() throws Exception {
    for (String key : TRICKY_KEYS) {
      CompactionTest.write(journal, key, "{}", T0, true);
    }
    for (String prefix :
        List.of(
            "abcdefg",
            "abcdefghij-",
            "prefix-x",
            "k-1",
            "élan-0001",
            "中文键-一",
            "zzzzzzzzzz",
            "nomatch",
            "abcdefghij-3",
            "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00")) {
      assertEquals(
          TRICKY_KEYS.stream().filter(k -> k.startsWith(prefix)).sorted().toList(),
          journal.keysStartingWith(prefix),
          () -> "keys starting with " + prefix);
    }
  }

  @Test
  void summariesStartingWithAPrefixAreThoseEntriesSummedInKeyOrder() throws Exception {
    for (int i = 0; i < TRICKY_KEYS.size(); i++) {
      CompactionTest.write(journal, TRICKY_KEYS.get(i), "{}", T0.plusSeconds(i), i % 3 != 0);
    }
    Map<String, EntrySummary> summed = new HashMap<>();
    summed(journal.entries()).forEach(s -> summed.put(s.key(), s));
    for (String prefix :
        List.of(
            "",
            "abcdefg",
            "abcdefghij-",
            "k-1",
            "élan-0001",
            "中文键-一",
            "nomatch",
            "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00")) {
      assertEquals(
          TRICKY_KEYS.stream().filter(k -> k.startsWith(prefix)).sorted().map(summed::get).toList(),
          journal.summariesStartingWith(prefix),
          () -> "summaries of keys starting with " + prefix);
    }
  }

  @Test
  void tabOffersTheKeysStartingWithAPrefixNewestFirstAndPendingOnesWhenAsked() throws Exception {
    List<String> written =
        List.of("abcdefghij-2", "prefix-x", "abcdefg", "abcdefghij-1", "abcdefgX", "abc");
    for (int i = 0; i < written.size(); i++) {
      // The first, third and fifth are left pending.
      CompactionTest.write(journal, written.get(i), "{}", T0.plusSeconds(i), i % 2 == 1);
    }
    assertEquals(
        List.of("abcdefgX", "abcdefghij-1", "abcdefg", "abcdefghij-2"),
        journal.keysToOffer("abcdefg", false));
    assertEquals(
        List.of("abcdefgX", "abcdefg", "abcdefghij-2"), journal.keysToOffer("abcdefg", true));
    assertEquals(List.of("abcdefgX", "abcdefg", "abcdefghij-2"), journal.keysToOffer("abc", true));
    assertEquals(List.of("prefix-x"), journal.keysToOffer("prefix", false));
    assertEquals(List.of(), journal.keysToOffer("nomatch", false));
    assertEquals(written.size(), journal.keysToOffer("", false).size());
  }

  @Test
  void neighboursSharingAreThoseOfTheKeysThatStartAsAnotherDoes() throws Exception {
    for (String key : TRICKY_KEYS) {
      CompactionTest.write(journal, key, "{}", T0, true);
    }
    for (List<String> asked : List.of(TRICKY_KEYS, TRICKY_KEYS.subList(3, 9), List.of("abc"))) {
      assertEquals(
          Neighbours.sharing(Neighbours.of(asked, TRICKY_KEYS), 7),
          journal.neighboursSharing(asked, 7),
          () -> "asked " + asked);
    }
    Map<String, Neighbours> all = journal.neighboursSharing(TRICKY_KEYS, 7);
    assertEquals(
        Set.of(
            "abcdefg",
            "abcdefgh",
            "abcdefghij-1",
            "abcdefghij-2",
            "abcdefgX",
            "prefix-x",
            "prefix-xyz-long-key",
            "élan-0001-aaaa",
            "élan-0001-aaab",
            "élan-0002",
            "中文键-一二三四五-甲",
            "中文键-一二三四五-乙",
            "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00-key-1",
            "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE01-key-2"),
        all.keySet());
    assertEquals(Map.of(), journal.neighboursSharing(List.of(), 7));
  }

  /**
   * The key column's width from only the neighbours {@link Journal#neighboursSharing} gives is the
   * width from every key's: {@link Table#SHARED_PAST_FLOOR} leaves out none that needs more than
   * the floor, for every key alone and for all of them.
   */
  @Test
  void theKeyWidthFromNeighboursSharingIsTheWidthFromAllNeighbours() throws Exception {
    for (String key : TRICKY_KEYS) {
      CompactionTest.write(journal, key, "{}", T0, true);
    }
    List<List<String>> shown = new ArrayList<>();
    shown.add(TRICKY_KEYS);
    TRICKY_KEYS.forEach(key -> shown.add(List.of(key)));
    Set<Integer> widths = new HashSet<>();
    for (List<String> keys : shown) {
      int width =
          Table.uniqueKeyWidth(keys, journal.neighboursSharing(keys, Table.SHARED_PAST_FLOOR));
      assertEquals(
          Table.uniqueKeyWidth(keys, journal.neighbours(keys)), width, () -> "shown " + keys);
      widths.add(width);
    }
    assertTrue(widths.size() > 3, "the keys make widths other than the floor: " + widths);
  }

  // What another handle sees

  @Test
  void anotherHandleSeesTheBeginWhileTheKeyIsStillLeased() throws Exception {
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(request("{}"), T0);
      Entry seen = seenElsewhere("k-1");
      assertEquals(EntryState.PENDING, seen.state());
      assertEquals(request("{}").fingerprint(), seen.fingerprint());
      assertEquals(T0, seen.created());
    }
  }

  @Test
  void anotherHandleSeesEachAttemptAsItIsRecorded() throws Exception {
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(request("{}"), T0);
      lease.recordAttempt(unanswered(1, T0));
      assertEquals(List.of(unanswered(1, T0)), seenElsewhere("k-1").attempts());
      lease.recordAttempt(answered(2, T0.plusSeconds(1), 503));
      assertEquals(
          List.of(unanswered(1, T0), answered(2, T0.plusSeconds(1), 503)),
          seenElsewhere("k-1").attempts());
    }
  }

  @Test
  void anotherHandleSeesTheOutcomeBeforeTheLeaseIsLetGo() throws Exception {
    Outcome outcome = new Outcome(EntryState.SUCCEEDED, T0, ok("{}"), "post");
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(request("{}"), T0);
      lease.recordFinal(answered(1, T0, 200), outcome);
      Entry seen = seenElsewhere("k-1");
      assertEquals(EntryState.SUCCEEDED, seen.state());
      assertSameOutcome(outcome, seen.outcome());
    }
  }

  @Test
  void anotherHandleListsWhatThisOneJournaled() throws Exception {
    CompactionTest.write(journal, "k-1", "{}", T0, true);
    CompactionTest.write(journal, "k-2", "{}", T0, false);
    try (Journal other = openAgain()) {
      assertEquals(keys(journal.entries()), keys(other.entries()));
      assertEquals(new HashSet<>(journal.summaries()), new HashSet<>(other.summaries()));
    }
  }

  @Test
  void aHandleOpenedEarlierSeesWhatAnotherWroteSince() throws Exception {
    CompactionTest.write(journal, "k-1", "{}", T0, false);
    journal.summaries();
    try (Journal other = openAgain()) {
      CompactionTest.write(other, "k-2", "{}", T0, true);
      try (Journal.Lease lease = other.lease("k-1")) {
        lease.entry();
        lease.recordFinal(
            answered(2, T0.plusSeconds(5), 200),
            new Outcome(EntryState.SUCCEEDED, T0.plusSeconds(5), ok("{}"), "replay"));
      }
    }
    assertEquals(List.of("k-1", "k-2"), keys(journal.entries()));
    assertEquals(EntryState.SUCCEEDED, journal.find("k-1").orElseThrow().state());
    assertEquals(EntryState.SUCCEEDED, summaryOf("k-1").state());
    try (Journal.Lease lease = journal.lease("k-2")) {
      assertEquals(EntryState.SUCCEEDED, lease.entry().orElseThrow().state());
    }
  }

  // The lease

  @Test
  void aKeyInFlightIsRefusedToAnotherHandleAtOnce() throws Exception {
    try (Journal other = openAgain();
        Journal.Lease held = journal.lease("k-1")) {
      KeyInFlightException refused =
          assertTimeoutPreemptively(
              AT_ONCE, () -> assertThrows(KeyInFlightException.class, () -> other.lease("k-1")));
      assertEquals("k-1", refused.key());
      assertEquals("k-1", held.key());
    }
  }

  @Test
  void aKeyInFlightIsRefusedWithinOneHandleToo() throws Exception {
    try (Journal.Lease held = journal.lease("k-1")) {
      assertTimeoutPreemptively(
          AT_ONCE, () -> assertThrows(KeyInFlightException.class, () -> journal.lease(held.key())));
    }
  }

  @Test
  void twoKeysTakenAtOnceAreBothHeldUntilLetGo() throws Exception {
    try (Journal other = openAgain()) {
      Journal.Lease[] both = journal.leaseBoth("k-old", "k-new");
      assertEquals("k-old", both[0].key());
      assertEquals("k-new", both[1].key());
      assertTrue(both[0].blank());
      assertThrows(KeyInFlightException.class, () -> other.lease("k-old"));
      assertThrows(KeyInFlightException.class, () -> other.lease("k-new"));
      both[1].begin(request("{\"n\":1}"), T0);
      both[0].close();
      both[1].close();
      other.lease("k-old").close();
      try (Journal.Lease again = other.lease("k-new")) {
        assertEquals(EntryState.PENDING, again.entry().orElseThrow().state());
      }
    }
  }

  @Test
  void twoKeysAtOnceWhenAnotherHandleHoldsOneOfThem() throws Exception {
    try (Journal other = openAgain()) {
      try (Journal.Lease second = other.lease("k-new")) {
        Journal.Lease[] both = journal.leaseBoth("k-old", "k-new");
        assertNull(both[1], "the second key is held elsewhere");
        both[0].close();
      }
      try (Journal.Lease first = other.lease("k-old")) {
        assertThrows(KeyInFlightException.class, () -> journal.leaseBoth("k-old", "k-new"));
      }
      // Neither is left held by the refused attempt.
      other.lease("k-new").close();
      other.lease("k-old").close();
    }
  }

  @Test
  void aKeyLetGoCanBeLeasedByAnotherHandle() throws Exception {
    try (Journal other = openAgain()) {
      journal.lease("k-1").close();
      other.lease("k-1").close();
      journal.lease("k-1").close();
    }
  }

  @Test
  void differentKeysDoNotWaitForEachOther() throws Exception {
    try (Journal other = openAgain();
        Journal.Lease one = journal.lease("k-1");
        Journal.Lease two = other.lease("k-2");
        Journal.Lease three = journal.lease("k-3")) {
      one.begin(request("{\"n\":1}"), T0);
      two.begin(request("{\"n\":2}"), T0);
      three.begin(request("{\"n\":3}"), T0);
    }
    assertEquals(Set.of("k-1", "k-2", "k-3"), Set.copyOf(keys(journal.entries())));
  }

  @Test
  void aLeaseNamesItsKeyAndSeesItsEntryAsItGrows() throws Exception {
    try (Journal.Lease lease = journal.lease("k-1")) {
      assertEquals("k-1", lease.key());
      assertTrue(lease.entry().isEmpty());
      lease.begin(request("{}"), T0);
      assertEquals(List.of(), lease.entry().orElseThrow().attempts());
      lease.recordAttempt(unanswered(1, T0));
      assertEquals(List.of(unanswered(1, T0)), lease.entry().orElseThrow().attempts());
    }
  }

  @Test
  void aLeaseSeesTheEntryAnotherHandleJournaled() throws Exception {
    try (Journal other = openAgain()) {
      CompactionTest.write(other, "k-1", "{}", T0, false);
    }
    try (Journal.Lease lease = journal.lease("k-1")) {
      Entry e = lease.entry().orElseThrow();
      assertEquals(EntryState.PENDING, e.state());
      assertEquals(1, e.attempts().size());
    }
  }

  @Test
  void aNewKeysLeaseIsBlankAndAJournaledKeysIsNot() throws Exception {
    CompactionTest.write(journal, "k-old", "{}", T0, true);
    try (Journal.Lease fresh = journal.lease("k-new");
        Journal.Lease old = journal.lease("k-old")) {
      assertTrue(fresh.blank());
      assertFalse(old.blank());
      fresh.begin(request("{}"), T0);
      assertFalse(fresh.blank());
    }
  }

  // Remove

  @Test
  void removeTakesOutTheNamedEntriesAndNoOthers() throws Exception {
    for (String key : List.of("k-1", "k-2", "k-3", "k-4")) {
      CompactionTest.write(journal, key, "{}", T0, key.equals("k-2"));
    }
    Compaction c = journal.remove(List.of("k-2", "k-3"), false);
    assertEquals(Set.of("k-2", "k-3"), Set.copyOf(c.changed()));
    assertEquals(List.of(), c.skipped());
    assertEquals(List.of("k-1", "k-4"), keys(journal.entries()));
    assertTrue(journal.find("k-2").isEmpty());
    assertEquals(Set.of("k-1", "k-4"), summaryKeys(journal));
    try (Journal other = openAgain()) {
      assertEquals(List.of("k-1", "k-4"), keys(other.entries()));
      assertEquals(Set.of("k-1", "k-4"), summaryKeys(other));
    }
  }

  @Test
  void removingAKeyWithNoEntryRemovesNothing() throws Exception {
    CompactionTest.write(journal, "k-1", "{}", T0, true);
    Compaction c = journal.remove(List.of("k-absent"), false);
    assertEquals(List.of(), c.changed());
    assertEquals(List.of("k-1"), keys(journal.entries()));
    assertTrue(journal.tombstone("k-absent").isEmpty());
  }

  @Test
  void aDryRunRemoveSaysWhatItWouldRemoveAndRemovesNothing() throws Exception {
    CompactionTest.write(journal, "k-1", "{}", T0, true);
    CompactionTest.write(journal, "k-2", "{}", T0, false);
    Compaction dry = journal.remove(List.of("k-1"), true);
    assertEquals(List.of("k-1"), dry.changed());
    assertEquals(List.of("k-1", "k-2"), keys(journal.entries()));
    assertTrue(journal.tombstone("k-1").isEmpty());
    try (Journal other = openAgain()) {
      assertEquals(List.of("k-1", "k-2"), keys(other.entries()));
    }
    assertEquals(dry.changed(), journal.remove(List.of("k-1"), false).changed());
  }

  @Test
  void removeSkipsAKeyInFlightElsewhereAndSaysSo() throws Exception {
    CompactionTest.write(journal, "k-busy", "{}", T0, false);
    CompactionTest.write(journal, "k-idle", "{}", T0, false);
    try (Journal other = openAgain();
        Journal.Lease held = other.lease("k-busy")) {
      Compaction c = journal.remove(List.of(held.key(), "k-idle"), false);
      assertEquals(List.of("k-idle"), c.changed());
      assertEquals(1, c.skipped().size());
      assertEquals("k-busy", c.skipped().get(0).key());
      assertFalse(c.skipped().get(0).reason().isBlank());
    }
    assertEquals(List.of("k-busy"), keys(journal.entries()));
    assertTrue(journal.tombstone("k-busy").isEmpty());
  }

  @Test
  void aRemoveStoppedPartWayIsWholeOrNotAtAll() throws Exception {
    List<String> all = List.of("k-1", "k-2", "k-3", "k-4", "k-5", "k-6");
    for (int i = 0; i < all.size(); i++) {
      CompactionTest.write(journal, all.get(i), "{\"i\":" + i + "}", T0, i % 2 == 0);
    }
    try (Journal stopping = openStoppingPartWay()) {
      assertThrows(
          Throwable.class, () -> stopping.remove(List.of("k-2", "k-3", "k-5", "k-6"), false));
    }
    try (Journal other = openAgain()) {
      List<String> left = keys(other.entries());
      assertTrue(
          left.equals(all) || left.equals(List.of("k-1", "k-4")),
          "neither before nor after: " + left);
      assertEquals(Set.copyOf(left), summaryKeys(other));
    }
  }

  // Tombstones

  @Test
  void aRemovedKeyLeavesATombstoneWithItsWindowsEnd() throws Exception {
    Attempt dated =
        new Attempt(
            1,
            T0,
            Duration.ZERO,
            Attempt.Result.RESPONSE,
            200,
            null,
            "req-1",
            T0.minus(Duration.ofHours(3)));
    try (Journal.Lease lease = journal.lease("k-1")) {
      lease.begin(request("{\"t\":1}"), T0);
      lease.recordFinal(dated, new Outcome(EntryState.SUCCEEDED, T0, ok("{}"), "post"));
    }
    Window window = journal.find("k-1").orElseThrow().window();
    Instant before = Instant.now();
    journal.remove(List.of("k-1"), false);
    Instant after = Instant.now();
    Tombstone t = journal.tombstone("k-1").orElseThrow();
    assertEquals("k-1", t.key());
    assertEquals(request("{\"t\":1}").fingerprint(), t.fingerprint());
    assertEquals(window.end(), t.windowEnd());
    assertEquals(T0.plus(Duration.ofDays(30)).minus(Duration.ofHours(3)), t.windowEnd());
    // By the journal's clock, which may be another machine's: a minute either way.
    assertFalse(t.prunedAt().isBefore(before.minusSeconds(60)), t.toString());
    assertFalse(t.prunedAt().isAfter(after.plusSeconds(60)), t.toString());
    try (Journal other = openAgain()) {
      assertEquals(t, other.tombstone("k-1").orElseThrow());
    }
  }

  @Test
  void aPrunedKeyHasNoEntryButItsTombstoneStands() throws Exception {
    CompactionTest.write(journal, "k-1", "{}", T0, true);
    journal.remove(List.of("k-1"), false);
    try (Journal.Lease lease = journal.lease("k-1")) {
      assertTrue(lease.entry().isEmpty());
      assertTrue(lease.blank(), "a tombstone is the journal's to tell, not the lease's");
    }
    assertTrue(journal.tombstone("k-1").isPresent());
  }

  @Test
  void forgetTombstonesForgetsOnlyWindowsThatEndedBeforeTheDate() throws Exception {
    CompactionTest.write(journal, "k-early", "{}", T0, true);
    CompactionTest.write(journal, "k-late", "{}", T0.plus(Duration.ofDays(10)), true);
    journal.remove(List.of("k-early", "k-late"), false);
    Tombstone early = journal.tombstone("k-early").orElseThrow();
    Tombstone late = journal.tombstone("k-late").orElseThrow();
    assertEquals(List.of(early), journal.forgetTombstones(late.windowEnd(), false));
    assertTrue(journal.tombstone("k-early").isEmpty());
    assertEquals(late, journal.tombstone("k-late").orElseThrow());
    try (Journal other = openAgain()) {
      assertTrue(other.tombstone("k-early").isEmpty());
      assertEquals(late, other.tombstone("k-late").orElseThrow());
    }
  }

  @Test
  void aDryRunForgetsNoTombstone() throws Exception {
    CompactionTest.write(journal, "k-1", "{}", T0, true);
    journal.remove(List.of("k-1"), false);
    Tombstone t = journal.tombstone("k-1").orElseThrow();
    assertEquals(List.of(t), journal.forgetTombstones(t.windowEnd().plusSeconds(1), true));
    assertEquals(t, journal.tombstone("k-1").orElseThrow());
  }

  @Test
  void aForgottenKeyIsNewToTheJournal() throws Exception {
    CompactionTest.write(journal, "k-1", "{\"t\":1}", T0, true);
    journal.remove(List.of("k-1"), false);
    journal.forgetTombstones(T0.plus(Duration.ofDays(31)), false);
    try (Journal.Lease lease = journal.lease("k-1")) {
      assertTrue(lease.blank());
      lease.begin(request("{\"t\":2}"), T0.plus(Duration.ofDays(40)));
    }
    Entry e = journal.find("k-1").orElseThrow();
    assertEquals(request("{\"t\":2}").fingerprint(), e.fingerprint());
    assertEquals(List.of(), e.attempts());
  }

  // Merge

  @Test
  void mergeAddsAKeyThisJournalLacks() throws Exception {
    Entry theirs =
        new Entry(
            "k-1",
            T0,
            request("{\"t\":1}"),
            request("{\"t\":1}").fingerprint(),
            List.of(unanswered(1, T0), answered(2, T0.plusSeconds(1), 200)),
            new Outcome(EntryState.SUCCEEDED, T0.plusSeconds(1), ok("{\"id\":1}"), "post"));
    Compaction c = journal.merge(List.of(theirs), false);
    assertEquals(List.of("k-1"), c.changed());
    assertEquals(List.of(), c.skipped());
    assertSameEntry(theirs, journal.find("k-1").orElseThrow());
    try (Journal other = openAgain()) {
      assertSameEntry(theirs, other.find("k-1").orElseThrow());
      assertEquals(Set.of(EntrySummary.of(theirs)), Set.copyOf(other.summaries()));
    }
  }

  @Test
  void mergeFoldsTheSameRequestAndTakesTheirOutcomeWhenOursIsPending() throws Exception {
    CompactionTest.write(journal, "k-1", "{\"t\":1}", T0, false);
    Entry ours = journal.find("k-1").orElseThrow();
    Entry theirs =
        new Entry(
            "k-1",
            T0.plusSeconds(5),
            request("{\"t\":1}"),
            request("{\"t\":1}").fingerprint(),
            List.of(answered(1, T0.plusSeconds(5), 503), answered(2, T0.plusSeconds(6), 200)),
            new Outcome(EntryState.SUCCEEDED, T0.plusSeconds(6), ok("{\"id\":1}"), "replay"));
    Compaction c = journal.merge(List.of(theirs), false);
    assertEquals(List.of("k-1"), c.changed());
    Entry folded = journal.find("k-1").orElseThrow();
    assertSameEntry(ours.foldedWith(theirs), folded);
    assertEquals(List.of(1, 2, 3), folded.attempts().stream().map(Attempt::number).toList());
    assertEquals(T0, folded.created(), "the earlier start");
    assertSameOutcome(theirs.outcome(), folded.outcome());
  }

  @Test
  void mergeKeepsOurOutcomeWhenBothHaveOne() throws Exception {
    CompactionTest.write(journal, "k-1", "{\"t\":1}", T0, true);
    Entry ours = journal.find("k-1").orElseThrow();
    Entry theirs =
        new Entry(
            "k-1",
            T0,
            request("{\"t\":1}"),
            request("{\"t\":1}").fingerprint(),
            List.of(answered(1, T0.plusSeconds(30), 200)),
            new Outcome(EntryState.SUCCEEDED, T0.plusSeconds(30), ok("{\"id\":2}"), "reconcile"));
    journal.merge(List.of(theirs), false);
    Entry folded = journal.find("k-1").orElseThrow();
    assertSameEntry(ours.foldedWith(theirs), folded);
    assertSameOutcome(ours.outcome(), folded.outcome());
    assertEquals(3, folded.attempts().size());
  }

  @Test
  void mergeSkipsTheSameKeyForAnotherRequestAndSaysSo() throws Exception {
    CompactionTest.write(journal, "k-1", "{\"t\":1}", T0, false);
    Entry ours = journal.find("k-1").orElseThrow();
    Entry theirs =
        new Entry(
            "k-1",
            T0,
            request("{\"t\":2}"),
            request("{\"t\":2}").fingerprint(),
            List.of(answered(1, T0, 200)),
            new Outcome(EntryState.SUCCEEDED, T0, ok("{}"), "post"));
    Compaction c = journal.merge(List.of(theirs), false);
    assertEquals(List.of(), c.changed());
    assertEquals(1, c.skipped().size());
    assertEquals("k-1", c.skipped().get(0).key());
    assertFalse(c.skipped().get(0).reason().isBlank());
    assertSameEntry(ours, journal.find("k-1").orElseThrow());
  }

  @Test
  void aDryRunMergeSaysWhatItWouldDoAndChangesNothing() throws Exception {
    CompactionTest.write(journal, "k-same", "{}", T0, false);
    Entry before = journal.find("k-same").orElseThrow();
    List<Entry> incoming =
        List.of(
            succeeded("k-same", "{}", T0.plusSeconds(5)),
            succeeded("k-new", "{}", T0.plusSeconds(5)));
    Compaction dry = journal.merge(incoming, true);
    assertEquals(Set.of("k-same", "k-new"), Set.copyOf(dry.changed()));
    assertEquals(List.of("k-same"), keys(journal.entries()));
    assertSameEntry(before, journal.find("k-same").orElseThrow());
    try (Journal other = openAgain()) {
      assertEquals(List.of("k-same"), keys(other.entries()));
    }
    assertEquals(dry.changed(), journal.merge(incoming, false).changed());
  }

  @Test
  void mergingTheSameEntriesAgainChangesNothing() throws Exception {
    CompactionTest.write(journal, "k-same", "{}", T0, false);
    List<Entry> incoming =
        List.of(
            succeeded("k-same", "{}", T0.plusSeconds(5)),
            succeeded("k-new", "{}", T0.plusSeconds(5)));
    journal.merge(incoming, false);
    List<Entry> once = journal.entries();
    assertEquals(List.of(), journal.merge(incoming, false).changed());
    List<Entry> twice = journal.entries();
    assertEquals(keys(once), keys(twice));
    for (int i = 0; i < once.size(); i++) {
      assertSameEntry(once.get(i), twice.get(i));
    }
  }

  @Test
  void mergeSkipsAKeyInFlightElsewhereAndSaysSo() throws Exception {
    CompactionTest.write(journal, "k-busy", "{}", T0, false);
    try (Journal other = openAgain();
        Journal.Lease held = other.lease("k-busy")) {
      Compaction c =
          journal.merge(
              List.of(
                  succeeded(held.key(), "{}", T0.plusSeconds(5)),
                  succeeded("k-new", "{}", T0.plusSeconds(5))),
              false);
      assertEquals(List.of("k-new"), c.changed());
      assertEquals(List.of("k-busy"), c.skipped().stream().map(Compaction.Skipped::key).toList());
    }
    assertEquals(EntryState.PENDING, journal.find("k-busy").orElseThrow().state());
  }

  /** docs/journal-format.md: "A journal merge does not bring a tombstoned key back". */
  @Test
  void mergeDoesNotBringAPrunedKeyBack() throws Exception {
    CompactionTest.write(journal, "k-1", "{}", T0, true);
    Entry pruned = journal.find("k-1").orElseThrow();
    journal.remove(List.of("k-1"), false);
    Compaction c = journal.merge(List.of(pruned), false);
    assertEquals(List.of(), c.changed());
    assertEquals(List.of("k-1"), c.skipped().stream().map(Compaction.Skipped::key).toList());
    assertTrue(journal.find("k-1").isEmpty());
    assertTrue(journal.tombstone("k-1").isPresent());
  }

  /** Sendable: an entry merged in could be replayed with the token, so only what post sends. */
  @Test
  void mergeSkipsARequestTheToolWouldNotSend() throws Exception {
    JournaledRequest delete =
        new JournaledRequest("DELETE", request("{}").url(), Map.of(), new byte[0]);
    Entry theirs = new Entry("k-1", T0, delete, delete.fingerprint(), List.of(), null);
    Compaction c = journal.merge(List.of(theirs), false);
    assertEquals(List.of(), c.changed());
    assertEquals(List.of("k-1"), c.skipped().stream().map(Compaction.Skipped::key).toList());
    assertTrue(journal.find("k-1").isEmpty());
  }

  @Test
  void aMergeStoppedPartWayIsWholeOrNotAtAll() throws Exception {
    CompactionTest.write(journal, "k-0", "{}", T0, false);
    List<Entry> incoming =
        List.of(
            succeeded("k-0", "{}", T0.plusSeconds(5)),
            succeeded("k-1", "{\"n\":1}", T0),
            succeeded("k-2", "{\"n\":2}", T0),
            succeeded("k-3", "{\"n\":3}", T0));
    try (Journal stopping = openStoppingPartWay()) {
      assertThrows(Throwable.class, () -> stopping.merge(incoming, false));
    }
    try (Journal other = openAgain()) {
      List<String> keys = keys(other.entries());
      EntryState first = other.find("k-0").orElseThrow().state();
      boolean none = keys.equals(List.of("k-0")) && first == EntryState.PENDING;
      boolean all =
          Set.copyOf(keys).equals(Set.of("k-0", "k-1", "k-2", "k-3"))
              && first == EntryState.SUCCEEDED;
      assertTrue(none || all, "neither before nor after: " + keys + ", k-0 " + first);
    }
  }

  // Helpers

  private static JournaledRequest request(String body) {
    return CompactionTest.request(body);
  }

  private static RecordedResponse ok(String body) {
    return new RecordedResponse(
        200,
        Map.of("Content-Type", List.of("application/json")),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static Attempt unanswered(int n, Instant at) {
    return new Attempt(
        n, at, Duration.ofMillis(5), Attempt.Result.NO_RESPONSE, 0, "connection reset", null);
  }

  private static Attempt answered(int n, Instant at, int status) {
    return new Attempt(
        n, at, Duration.ofMillis(30), Attempt.Result.RESPONSE, status, null, "req-" + n);
  }

  /** Another journal's entry of a request answered 200 at {@code at}, as a merge brings it. */
  private static Entry succeeded(String key, String body, Instant at) {
    JournaledRequest r = request(body);
    return new Entry(
        key,
        at,
        r,
        r.fingerprint(),
        List.of(answered(1, at, 200)),
        new Outcome(EntryState.SUCCEEDED, at, ok("{}"), "post"));
  }

  /** The key's entry as another handle, opened now, reads it. */
  private Entry seenElsewhere(String key) throws Exception {
    try (Journal other = openAgain()) {
      return other.find(key).orElseThrow(() -> new AssertionError("another handle lacks " + key));
    }
  }

  private EntrySummary summaryOf(String key) throws Exception {
    return journal.summaries().stream()
        .filter(s -> s.key().equals(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no summary of " + key));
  }

  private static List<String> keys(List<Entry> entries) {
    return entries.stream().map(Entry::key).toList();
  }

  private static Set<String> summaryKeys(Journal j) throws JournalException {
    Set<String> keys = new HashSet<>();
    j.summaries().forEach(s -> keys.add(s.key()));
    return keys;
  }

  private static Set<EntrySummary> summed(List<Entry> entries) {
    Set<EntrySummary> all = new HashSet<>();
    entries.forEach(e -> all.add(EntrySummary.of(e)));
    return all;
  }

  /** Entries hold byte arrays, which records compare by identity: compared here by content. */
  private static void assertSameEntry(Entry expected, Entry actual) {
    assertEquals(expected.key(), actual.key());
    assertEquals(expected.created(), actual.created(), expected.key());
    assertEquals(expected.fingerprint(), actual.fingerprint(), expected.key());
    assertEquals(expected.request().method(), actual.request().method());
    assertEquals(expected.request().url(), actual.request().url());
    assertEquals(
        List.copyOf(expected.request().headers().entrySet()),
        List.copyOf(actual.request().headers().entrySet()),
        "the request's headers, in their order");
    assertArrayEquals(expected.request().body(), actual.request().body());
    assertEquals(expected.attempts(), actual.attempts(), expected.key());
    if (expected.outcome() == null) {
      assertNull(actual.outcome(), expected.key());
    } else {
      assertSameOutcome(expected.outcome(), actual.outcome());
    }
  }

  private static void assertSameOutcome(Outcome expected, Outcome actual) {
    assertEquals(expected.state(), actual.state());
    assertEquals(expected.at(), actual.at());
    assertEquals(expected.via(), actual.via());
    assertEquals(expected.response().status(), actual.response().status());
    assertEquals(expected.response().headers(), actual.response().headers());
    assertArrayEquals(expected.response().body(), actual.response().body());
    assertEquals(expected.response().length(), actual.response().length());
  }
}
