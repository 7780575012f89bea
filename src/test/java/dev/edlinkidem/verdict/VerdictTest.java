package dev.edlinkidem.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.journal.Tombstone;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import dev.edlinkidem.send.Delivery;
import dev.edlinkidem.send.KeySettler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The answer table row by row: each ending's state, exit code and words, for a command about one
 * key and for a batch line. A row added without a case here fails {@link #everyRowHasACase}.
 */
class VerdictTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static final String URL = "https://ed.link/api/v2/graph/classes/c1/assignments";
  private static final JournaledRequest ESSAY =
      JournaledRequest.post(URL, bytes("{\"title\":\"Essay\"}"));
  private static final Verdict.Audience KEY = new Verdict.Audience.ForKey("edlink-idem replay k1");
  private static final Verdict.Audience LINE = Verdict.Audience.BATCH_LINE;
  private static final String REPLAY =
      "run 'edlink-idem replay k1' before 2026-12-01 07:00 UTC, an hour before its"
          + " 30-day window ends";

  /** One row: a verdict, and what it must mean and say. */
  record Case(
      Verdict verdict, Row row, EntryState state, int exit, String forKey, String forLine) {}

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Entry pending() {
    return new Entry("k1", T0, ESSAY, ESSAY.fingerprint(), List.of(), null);
  }

  private static RecordedResponse answer(int status, String body) {
    return new RecordedResponse(status, Map.of(), bytes(body));
  }

  private static Entry finished(EntryState state, RecordedResponse response) {
    return pending().withOutcome(new Outcome(state, T0.plusSeconds(1), response, "post"));
  }

  private static Verdict delivered(
      Delivery.Kind kind, RecordedResponse last, String error, int attempts) {
    return delivered(kind, last, error, attempts, attempts);
  }

  /** A send of {@code attempts} attempts, the entry holding {@code journaled} in all. */
  private static Verdict delivered(
      Delivery.Kind kind, RecordedResponse last, String error, int attempts, int journaled) {
    Entry entry =
        kind == Delivery.Kind.SUCCEEDED
            ? finished(EntryState.SUCCEEDED, last)
            : kind == Delivery.Kind.FAILED ? finished(EntryState.FAILED, last) : pending();
    for (int i = 1; i <= journaled; i++) {
      entry =
          entry.withAttempt(
              new Attempt(i, T0, Duration.ofMillis(40), Attempt.Result.NO_RESPONSE, 0, "", null));
    }
    return Verdict.of(new Delivery(kind, entry, last, error, attempts));
  }

  private static Verdict settled(Entry journaled, JournaledRequest asked, Instant now) {
    return Verdict.of(KeySettler.settle("k1", Optional.of(journaled), asked, now));
  }

  private static final String BAD =
      "{\"$errors\":[{\"code\":\"MISSING_REQUIRED_FIELD\",\"message\":\"title\"}]}";

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.add(
        new Case(
            delivered(Delivery.Kind.SUCCEEDED, answer(200, "{}"), null, 2),
            Row.SUCCEEDED,
            EntryState.SUCCEEDED,
            0,
            "200 succeeded · key k1 · 2 attempts · Edlink remembers the key until 2026-12-01 08:00"
                + " UTC",
            "200 succeeded · key k1 · 2 attempts · Edlink remembers the key until 2026-12-01 08:00"
                + " UTC"));
    cases.add(
        new Case(
            settled(finished(EntryState.SUCCEEDED, answer(200, "{}")), ESSAY, T0),
            Row.RECORDED_SUCCESS,
            EntryState.SUCCEEDED,
            0,
            "200 succeeded · key k1 · recorded response from the journal, not sent",
            "200 succeeded · key k1 · recorded response from the journal, not sent"));
    cases.add(
        new Case(
            delivered(Delivery.Kind.FAILED, answer(400, BAD), null, 1),
            Row.FAILED,
            EntryState.FAILED,
            4,
            "Edlink answered 400 MISSING_REQUIRED_FIELD: title · key k1 journaled as failed; fix"
                + " the request and post it with a new key",
            "Edlink answered 400 MISSING_REQUIRED_FIELD: title · key k1 journaled as failed; fix"
                + " the line: a new body gets a new key"));
    cases.add(
        new Case(
            settled(finished(EntryState.FAILED, answer(400, BAD)), null, T0),
            Row.RECORDED_FAILURE,
            EntryState.FAILED,
            4,
            "400 failed MISSING_REQUIRED_FIELD: title · key k1 · recorded response from the"
                + " journal, not sent; fix the request and post it with a new key",
            "400 failed MISSING_REQUIRED_FIELD: title · key k1 · recorded response from the"
                + " journal, not sent; fix the line: a new body gets a new key"));
    cases.add(
        new Case(
            delivered(Delivery.Kind.CREDENTIALS_REFUSED, answer(401, "{}"), null, 1),
            Row.TOKEN_REFUSED,
            EntryState.PENDING,
            4,
            "Edlink refused the token (401) · nothing was done and k1 stays pending; fix the token,"
                + " then "
                + REPLAY,
            "Edlink refused the token (401) · nothing was done and k1 stays pending"));
    // After a lost answer, a retry refused for its token says nothing of the first attempt, whether
    // it came in this run or in a replay of an earlier one.
    cases.add(
        new Case(
            delivered(Delivery.Kind.CREDENTIALS_REFUSED, answer(401, "{}"), null, 1, 2),
            Row.TOKEN_REFUSED,
            EntryState.PENDING,
            4,
            "Edlink refused the token (401) · that attempt did nothing, and k1 stays pending; fix"
                + " the token, then "
                + REPLAY,
            "Edlink refused the token (401) · that attempt did nothing, and k1 stays pending"));
    cases.add(
        new Case(
            delivered(Delivery.Kind.CREDENTIALS_REFUSED, answer(401, "{}"), null, 2),
            Row.TOKEN_REFUSED,
            EntryState.PENDING,
            4,
            "Edlink refused the token (401) · that attempt did nothing, and k1 stays pending; fix"
                + " the token, then "
                + REPLAY,
            "Edlink refused the token (401) · that attempt did nothing, and k1 stays pending"));
    cases.add(
        new Case(
            delivered(Delivery.Kind.SERVER_ERROR, answer(503, "{}"), null, 5),
            Row.SERVER_ERROR,
            EntryState.PENDING,
            5,
            "Edlink answered 503 after 5 attempts · k1 is pending; " + REPLAY,
            "Edlink answered 503 after 5 attempts · k1 is pending"));
    String internal = "{\"$errors\":[{\"code\":\"INTERNAL\",\"message\":\"upstream\"}]}";
    String look =
        "; if the same answer comes back, Edlink may be returning its first answer to this key (it"
            + " does for 30 days): look for the assignment in the class before ";
    String failed =
        "Edlink answered 400 INTERNAL: upstream after 3 attempts, a failure on its side that says"
            + " nothing of whether it acted · k1 is pending; ";
    cases.add(
        new Case(
            delivered(Delivery.Kind.SERVER_ERROR, answer(400, internal), null, 3),
            Row.EDLINK_FAILED,
            EntryState.PENDING,
            5,
            failed + REPLAY + look + "posting it with a new key",
            failed + "run the batch again" + look + "giving the line a new key"));
    // The batch's copy of this row left out the hint about redirects; the post's was right.
    cases.add(
        new Case(
            delivered(Delivery.Kind.UNEXPECTED, answer(302, ""), null, 1),
            Row.NOT_AN_ANSWER,
            EntryState.PENDING,
            5,
            "Edlink answered 302, which is not an answer to a POST (redirects are not followed;"
                + " check --base-url) · k1 is pending; "
                + REPLAY,
            "Edlink answered 302, which is not an answer to a POST (redirects are not followed;"
                + " check --base-url) · k1 is pending"));
    cases.add(
        new Case(
            delivered(Delivery.Kind.NO_RESPONSE, null, "connection closed without a response", 1),
            Row.NO_RESPONSE,
            EntryState.PENDING,
            6,
            "no response after 1 attempt (connection closed without a response) · k1 is pending; "
                + REPLAY,
            "no response after 1 attempt (connection closed without a response) · k1 is pending"));
    cases.add(
        new Case(
            delivered(Delivery.Kind.NO_RESPONSE, null, "not sent", 0),
            Row.HELD_PAST_MAX_TIME,
            EntryState.PENDING,
            5,
            "not sent: Edlink asked for a pause longer than --max-time allows · k1 is pending; "
                + REPLAY,
            "not sent: Edlink asked for a pause longer than --max-time allows · k1 is pending"));
    cases.add(
        new Case(
            Verdict.notStarted("k1"),
            Row.NOT_STARTED,
            null,
            0,
            "not sent: the batch stopped before this line",
            "not sent: the batch stopped before this line"));
    cases.add(
        new Case(
            settled(pending(), JournaledRequest.post(URL, bytes("{}")), T0),
            Row.REUSED,
            null,
            3,
            "key k1 was used on 2026-11-01 08:00 UTC for a different request (POST "
                + URL
                + "); nothing was sent; use a"
                + " new key for a new request",
            "key k1 was used on 2026-11-01 08:00 UTC for a different request (POST "
                + URL
                + "); nothing was sent; use a"
                + " new key for a new request"));
    Instant ended = Instant.parse("2026-12-01T08:00:00Z");
    cases.add(
        new Case(
            settled(finished(EntryState.SUCCEEDED, answer(200, "{}")), ESSAY, ended),
            Row.FORGOTTEN,
            null,
            3,
            "key k1 was succeeded on 2026-11-01 08:00 UTC and its 30-day window ended 2026-12-01"
                + " 08:00 UTC; Edlink has forgotten it; post with a new key if you mean to act"
                + " again",
            "key k1 was succeeded on 2026-11-01 08:00 UTC and its 30-day window ended 2026-12-01"
                + " 08:00 UTC; Edlink has forgotten it; give the line a new key if you mean to act"
                + " again"));
    cases.add(
        new Case(
            Verdict.of(
                KeySettler.settle(
                    "k1",
                    Optional.empty(),
                    Optional.of(new Tombstone("k1", "f", ended, ended.plusSeconds(3600))),
                    ESSAY,
                    ended.plusSeconds(7200))),
            Row.TOMBSTONED,
            null,
            3,
            "refusing to send k1: prune removed its entry, whose 30-day window ended 2026-12-01"
                + " 08:00 UTC, so what Edlink did with it is no longer known here and sending it"
                + " again could act a second time; 'edlink-idem prune --tombstones' forgets pruned"
                + " keys; post with a new key if you mean to act again",
            "refusing to send k1: prune removed its entry, whose 30-day window ended 2026-12-01"
                + " 08:00 UTC, so what Edlink did with it is no longer known here and sending it"
                + " again could act a second time; 'edlink-idem prune --tombstones' forgets pruned"
                + " keys; give the line a new key if you mean to act again"));
    cases.add(
        new Case(
            settled(pending(), null, ended),
            Row.REPLAY_CLOSED,
            EntryState.PENDING,
            3,
            "refusing to send k1 again: its window ended 2026-12-01 07:00 UTC (30 days from the"
                + " first attempt, less an hour for clock skew), so Edlink may no longer recognise"
                + " the key; check whether it arrived, or post it with a new key",
            "refusing to send k1 again: its window ended 2026-12-01 07:00 UTC (30 days from the"
                + " first attempt, less an hour for clock skew), so Edlink may no longer recognise"
                + " the key; check whether it arrived, or give the line a new key"));
    cases.add(
        new Case(
            settled(
                new Entry(
                    "k1",
                    T0,
                    new JournaledRequest("DELETE", URL, Map.of(), new byte[0]),
                    "f",
                    List.of(),
                    null),
                null,
                T0),
            Row.UNSENDABLE,
            EntryState.PENDING,
            3,
            "refusing to send k1: its journaled request is not one edlink-idem sends (its method is"
                + " DELETE, and edlink-idem sends only POST); it was changed by hand or came from"
                + " another journal, and nothing was sent",
            "refusing to send k1: its journaled request is not one edlink-idem sends (its method is"
                + " DELETE, and edlink-idem sends only POST); it was changed by hand or came from"
                + " another journal, and nothing was sent"));
    cases.add(
        new Case(
            settled(pending(), null, T0.minus(Duration.ofDays(20))),
            Row.DATED_AHEAD,
            EntryState.PENDING,
            3,
            "refusing to send k1 again: it was journaled 2026-11-01 08:00 UTC, which is still to"
                + " come by this machine's clock, so a clock was wrong and its 30-day window is not"
                + " known; ask Edlink's request log with 'edlink-idem reconcile k1', or look for"
                + " the assignment in the class, before sending it again with a new key",
            "refusing to send k1 again: it was journaled 2026-11-01 08:00 UTC, which is still to"
                + " come by this machine's clock, so a clock was wrong and its 30-day window is not"
                + " known; ask Edlink's request log with 'edlink-idem reconcile k1', or look for"
                + " the assignment in the class, before sending it again with a new key"));
    cases.add(
        new Case(
            Verdict.of(KeySettler.inFlight("k1")),
            Row.IN_FLIGHT,
            null,
            3,
            "key k1 is being sent by another process right now; nothing was sent; wait for it to"
                + " finish, then post or replay again",
            "key k1 is being sent by another process right now; nothing was sent; run the batch"
                + " again when that is done"));
    cases.add(
        new Case(
            Verdict.journalUnwritable("k1", "cannot write the journal /j: No space left on device"),
            Row.JOURNAL_UNWRITABLE,
            null,
            1,
            "cannot write the journal /j: No space left on device; nothing was sent",
            "cannot write the journal /j: No space left on device; nothing was sent"));
    cases.add(
        new Case(
            Verdict.journalUnwritable(
                "k1",
                new dev.edlinkidem.journal.KeyHasRecordsException(
                    "cannot journal k1: it already has records")),
            Row.KEY_HAS_RECORDS,
            null,
            1,
            "cannot journal k1: it already has records; nothing was sent",
            "cannot journal k1: it already has records; nothing was sent"));
    cases.add(
        new Case(
            Verdict.outcomeNotJournaled(pending(), "disk full"),
            Row.OUTCOME_NOT_JOURNALED,
            EntryState.PENDING,
            1,
            "the request may have reached Edlink but its outcome could not be journaled (disk full)"
                + " · k1 is pending (unless the write went through after all) and safe to send"
                + " again; "
                + REPLAY,
            "the request may have reached Edlink but its outcome could not be journaled (disk full)"
                + " · k1 is pending (unless the write went through after all) and safe to send"
                + " again"));
    cases.add(
        new Case(
            Verdict.interrupted(pending()),
            Row.INTERRUPTED,
            EntryState.PENDING,
            130,
            "interrupted · k1 stays pending; " + REPLAY,
            "interrupted · k1 stays pending"));
    cases.add(
        new Case(
            Verdict.interruptedBeforeSending("k1"),
            Row.INTERRUPTED_BEFORE_SENDING,
            null,
            130,
            "interrupted · nothing was sent for k1",
            "interrupted · nothing was sent for k1"));
    String mayBePending =
        "interrupted while k1 was being journaled · nothing was sent, but it may be left pending:"
            + " if 'edlink-idem show k1' finds it, replay it rather than post it again";
    cases.add(
        new Case(
            Verdict.interruptedWhileJournaling("k1"),
            Row.INTERRUPTED_WHILE_JOURNALING,
            null,
            130,
            mayBePending,
            mayBePending));
    Entry learned = finished(EntryState.SUCCEEDED, answer(200, "{}"));
    cases.add(
        new Case(
            Verdict.reconciled(learned, " on 2026-11-01 08:00:03 UTC (request r1)", T0),
            Row.RECONCILED,
            null,
            0,
            "Edlink received it on 2026-11-01 08:00:03 UTC (request r1); recorded as learned by"
                + " reconcile",
            "Edlink received it on 2026-11-01 08:00:03 UTC (request r1); recorded as learned by"
                + " reconcile"));
    cases.add(
        new Case(
            Verdict.reconciled(pending(), null, T0),
            Row.NOT_IN_LOG,
            EntryState.PENDING,
            0,
            "not in Edlink's request log: safe to replay: edlink-idem replay k1 (before 2026-12-01"
                + " 07:00 UTC)",
            "not in Edlink's request log"));
    // The log keeps 30 days: not finding an entry that old proves nothing, and a new key could
    // make a second assignment.
    String forgotten =
        "not in Edlink's request log, which keeps only 30 days: whether Edlink received it is not"
            + " known: look for the assignment in the class: only the class can say now";
    cases.add(
        new Case(
            Verdict.reconciled(pending(), null, ended),
            Row.NOT_IN_LOG_UNKNOWN,
            EntryState.PENDING,
            0,
            forgotten,
            forgotten));
    String received =
        "Edlink received it on 2026-11-01 08:00:03 UTC (request r1) and answered 400 INTERNAL,"
            + " which does not settle it; ";
    String again =
        "; if the same answer comes back, Edlink may be returning its first answer to this key (it"
            + " does for 30 days): look for the assignment in the class before ";
    cases.add(
        new Case(
            Verdict.loggedUndecided(
                pending(),
                " on 2026-11-01 08:00:03 UTC (request r1) and answered 400 INTERNAL",
                T0),
            Row.LOGGED_UNDECIDED,
            EntryState.PENDING,
            0,
            received + REPLAY + again + "posting it with a new key",
            received + "run the batch again" + again + "giving the line a new key"));
    cases.add(
        new Case(
            Verdict.loggedUndecided(
                pending(),
                " on 2026-11-01 08:00:03 UTC (request r1) and answered 400 INTERNAL",
                ended),
            Row.LOGGED_UNDECIDED_LATE,
            EntryState.PENDING,
            0,
            received + "look for the assignment in the class: only the class can say now",
            received + "look for the assignment in the class: only the class can say now"));
    String refusedQuery =
        "Edlink refused how edlink-idem reads its request log (Edlink answered 400"
            + " INVALID_CURSOR); nothing was changed: run it again, and if it keeps happening,"
            + " please report it";
    cases.add(
        new Case(
            Verdict.logUnreadable(false, true, 400, "Edlink answered 400 INVALID_CURSOR"),
            Row.LOG_QUERY_REFUSED,
            null,
            1,
            refusedQuery,
            refusedQuery));
    cases.add(
        new Case(
            Verdict.logUnreadable(true, false, 401, "Edlink answered 401"),
            Row.LOG_TOKEN_REFUSED,
            null,
            4,
            "cannot read Edlink's request log: Edlink answered 401; nothing was changed; reconcile"
                + " needs an integration (graph) token",
            "cannot read Edlink's request log: Edlink answered 401; nothing was changed; reconcile"
                + " needs an integration (graph) token"));
    cases.add(
        new Case(
            Verdict.logUnreadable(false, false, 503, "Edlink answered 503"),
            Row.LOG_SERVER_ERROR,
            null,
            5,
            "cannot read Edlink's request log: Edlink answered 503; nothing was changed; try again"
                + " later",
            "cannot read Edlink's request log: Edlink answered 503; nothing was changed; try again"
                + " later"));
    cases.add(
        new Case(
            Verdict.logUnreadable(false, false, 0, "no answer"),
            Row.LOG_NO_RESPONSE,
            null,
            6,
            "cannot read Edlink's request log: no answer; nothing was changed; try again later",
            "cannot read Edlink's request log: no answer; nothing was changed; try again later"));
    return cases;
  }

  @Test
  void eachRowMeansItsStateAndExitCodeAndSaysWhatHappenedAndWhatToDo() {
    for (Case c : cases()) {
      String row = c.row().name();
      assertEquals(c.row(), c.verdict().row(), row);
      assertEquals(c.state(), c.row().state(), row + ": the entry's state after it");
      assertEquals(c.exit(), c.verdict().exit(), row + ": the exit code");
      assertEquals(
          c.forKey(),
          c.verdict().message(KEY, Verdict.Paint.NONE),
          row + ": for a command about one key");
      assertEquals(
          c.forLine(), c.verdict().message(LINE, Verdict.Paint.NONE), row + ": for a batch line");
    }
  }

  @Test
  void everyRowHasACase() {
    Set<Row> covered = EnumSet.noneOf(Row.class);
    cases().forEach(c -> covered.add(c.row()));
    assertEquals(EnumSet.allOf(Row.class), covered);
  }

  @Test
  void stateWordsAreGivenToThePaint() {
    Verdict failed = delivered(Delivery.Kind.FAILED, answer(400, "{}"), null, 1);
    assertEquals(
        "Edlink answered 400 · key k1 journaled as <FAILED:failed>; fix the request and post it"
            + " with a new key",
        failed.message(KEY, (state, word) -> "<" + state + ":" + word + ">"));
  }
}
