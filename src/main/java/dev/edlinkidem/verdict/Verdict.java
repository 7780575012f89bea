package dev.edlinkidem.verdict;

import dev.edlinkidem.edlink.Answer;
import dev.edlinkidem.edlink.EdlinkClient;
import dev.edlinkidem.edlink.Envelope;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyHasRecordsException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.request.RecordedResponse;
import dev.edlinkidem.request.Sendable;
import dev.edlinkidem.send.Delivery;
import dev.edlinkidem.send.Settlement;
import dev.edlinkidem.time.TimeText;
import java.time.Instant;

/**
 * How one key ended a command: its row of the answer table, and the facts its message names. The
 * one place that says what happened and what to do next; printers add only colour and layout.
 *
 * @param entry the key's entry as this ending left it, or null when there is none or it was not
 *     read
 * @param delivery how the send ended, or null when nothing was sent
 * @param detail what the row's message needs beyond those: a journal error, what reconcile found
 */
public record Verdict(Row row, String key, Entry entry, Delivery delivery, String detail) {
  /** Who reads the advice: it names the command that finishes the work. */
  public sealed interface Audience {
    /** A command about one key; {@code replayCommand} replays it with this run's settings. */
    record ForKey(String replayCommand) implements Audience {}

    /**
     * A line of a batch: the batch's summary says once how to finish the batch, so a line does not.
     */
    record BatchLine() implements Audience {}

    Audience BATCH_LINE = new BatchLine();

    /** For an ending that is about no one key (the request log could not be read). */
    Audience NO_KEY = new ForKey(null);
  }

  /** Colours a state word on a terminal; {@link #NONE} leaves it as it is. */
  public interface Paint {
    Paint NONE = (state, word) -> word;

    String paint(EntryState state, String word);
  }

  /** What a settlement that sends nothing means: a recorded answer, or a refusal. */
  public static Verdict of(Settlement s) {
    Row row =
        switch (s.kind()) {
          case RECORDED ->
              s.entry().state() == EntryState.SUCCEEDED
                  ? Row.RECORDED_SUCCESS
                  : Row.RECORDED_FAILURE;
          case REUSED -> Row.REUSED;
          case FORGOTTEN -> Row.FORGOTTEN;
          case REPLAY_CLOSED -> Row.REPLAY_CLOSED;
          case IN_FLIGHT -> Row.IN_FLIGHT;
          case UNSENDABLE -> Row.UNSENDABLE;
          case DATED_AHEAD -> Row.DATED_AHEAD;
          case TOMBSTONED -> Row.TOMBSTONED;
          case NEW, RESEND ->
              throw new IllegalArgumentException("a settlement that sends ends in a delivery");
        };
    String detail = s.tombstone() == null ? null : s.tombstone().windowEnd().toString();
    return new Verdict(row, s.key(), s.entry(), null, detail);
  }

  /** How a send ended. */
  public static Verdict of(Delivery d) {
    Row row =
        d.attempts() == 0
            ? Row.HELD_PAST_MAX_TIME
            : switch (d.kind()) {
              case SUCCEEDED -> Row.SUCCEEDED;
              case FAILED -> Row.FAILED;
              case CREDENTIALS_REFUSED -> Row.TOKEN_REFUSED;
              case UNEXPECTED -> Row.NOT_AN_ANSWER;
              case SERVER_ERROR ->
                  d.last() != null && Answer.edlinkFailure(Envelope.of(d.last().body()))
                      ? Row.EDLINK_FAILED
                      : Row.SERVER_ERROR;
              case NO_RESPONSE -> Row.NO_RESPONSE;
            };
    return new Verdict(row, d.entry().key(), d.entry(), d, null);
  }

  /** Another process holds the key: nothing was sent. */
  public static Verdict inFlight(KeyInFlightException e) {
    return new Verdict(
        Row.IN_FLIGHT, e.key(), null, null, e.holdEnds().map(Instant::toString).orElse(null));
  }

  /** The journal failed before anything was sent for {@code key}. */
  public static Verdict journalUnwritable(String key, String journalError) {
    return new Verdict(Row.JOURNAL_UNWRITABLE, key, null, null, journalError);
  }

  /**
   * The journal failed, or refused, before anything was sent for {@code key}: refused when it holds
   * records of the key that may be its earlier request ({@link KeyHasRecordsException}).
   */
  public static Verdict journalUnwritable(String key, JournalException e) {
    return new Verdict(
        e instanceof KeyHasRecordsException ? Row.KEY_HAS_RECORDS : Row.JOURNAL_UNWRITABLE,
        key,
        null,
        null,
        e.getMessage());
  }

  /** The journal failed after the request may have left. */
  public static Verdict outcomeNotJournaled(Entry entry, String journalError) {
    return new Verdict(Row.OUTCOME_NOT_JOURNALED, entry.key(), entry, null, journalError);
  }

  public static Verdict interrupted(Entry entry) {
    return new Verdict(Row.INTERRUPTED, entry.key(), entry, null, null);
  }

  /**
   * Ctrl-C came while {@code key}'s new request was being journaled, and the write did not end in
   * time to say whether it is; it will not be sent.
   */
  public static Verdict interruptedWhileJournaling(String key) {
    return new Verdict(Row.INTERRUPTED_WHILE_JOURNALING, key, null, null, null);
  }

  /** Ctrl-C came before {@code key}'s new request was sent, and now it will not be. */
  public static Verdict interruptedBeforeSending(String key) {
    return new Verdict(Row.INTERRUPTED_BEFORE_SENDING, key, null, null, null);
  }

  /** A batch line that was not started because the batch was stopping. */
  public static Verdict notStarted(String key) {
    return new Verdict(Row.NOT_STARTED, key, null, null, null);
  }

  /**
   * reconcile's finding for a pending entry, from Edlink's request log ({@code found} is null when
   * the key is not there).
   */
  public static Verdict reconciled(Entry entry, String found, Instant now) {
    if (found != null) {
      return new Verdict(Row.RECONCILED, entry.key(), entry, null, found);
    }
    // The log keeps 30 days, as Edlink keeps a key: an entry that old may be forgotten by both.
    return new Verdict(
        entry.window().allowsReplay(now) ? Row.NOT_IN_LOG : Row.NOT_IN_LOG_UNKNOWN,
        entry.key(),
        entry,
        null,
        null);
  }

  /**
   * reconcile found the entry's request logged with an answer of unknown outcome; {@code found}
   * says when, which request and what it answered.
   */
  public static Verdict loggedUndecided(Entry entry, String found, Instant now) {
    return new Verdict(
        entry.window().allowsReplay(now) ? Row.LOGGED_UNDECIDED : Row.LOGGED_UNDECIDED_LATE,
        entry.key(),
        entry,
        null,
        found);
  }

  /** The request log could not be read: {@code status} 0 when nothing answered. */
  public static Verdict logUnreadable(
      boolean tokenRefused, boolean queryRefused, int status, String why) {
    Row row =
        tokenRefused
            ? Row.LOG_TOKEN_REFUSED
            : queryRefused
                ? Row.LOG_QUERY_REFUSED
                : status == 0 ? Row.LOG_NO_RESPONSE : Row.LOG_SERVER_ERROR;
    return new Verdict(row, null, null, null, why);
  }

  public int exit() {
    return row.exit();
  }

  /** The whole message: what happened, then what to do next if there is something to do. */
  public String message(Audience audience, Paint paint) {
    String advice = advice(audience);
    // reconcile's findings read "finding: what it means for you".
    String joiner = row == Row.NOT_IN_LOG || row == Row.NOT_IN_LOG_UNKNOWN ? ": " : "; ";
    return advice == null ? happened(paint) : happened(paint) + joiner + advice;
  }

  /** What happened, in one line, with the state words given to {@code paint}. */
  public String happened(Paint paint) {
    String pending = paint.paint(EntryState.PENDING, "pending");
    return switch (row) {
      case SUCCEEDED ->
          status()
              + " "
              + paint.paint(EntryState.SUCCEEDED, "succeeded")
              + " · key "
              + key
              + " · "
              + attempts()
              + " · Edlink remembers the key until "
              + when(entry.window().end());
      case RECORDED_SUCCESS ->
          status()
              + " "
              + paint.paint(EntryState.SUCCEEDED, "succeeded")
              + " · key "
              + key
              + " · recorded response from the journal, not sent";
      case FAILED ->
          "Edlink answered "
              + status()
              + errors()
              + " · key "
              + key
              + " journaled as "
              + paint.paint(EntryState.FAILED, "failed");
      case RECORDED_FAILURE ->
          status()
              + " "
              + paint.paint(EntryState.FAILED, "failed")
              + errors()
              + " · key "
              + key
              + " · recorded response from the journal, not sent";
      case TOKEN_REFUSED ->
          "Edlink refused the token ("
              + status()
              + errors()
              // Only the last attempt is known to have done nothing: an earlier one, in this run or
              // one before it, may have.
              + (entry.attempts().size() > 1
                  ? ") · that attempt did nothing, and "
                  : ") · nothing was done and ")
              + key
              + " stays "
              + pending;
      case NOT_AN_ANSWER ->
          "Edlink answered "
              + status()
              + ", which is not an answer to a POST"
              + (status() >= 300 ? " (redirects are not followed; check --base-url)" : "")
              + " · "
              + key
              + " is "
              + pending;
      case SERVER_ERROR ->
          "Edlink answered " + status() + " after " + attempts() + " · " + key + " is " + pending;
      case EDLINK_FAILED ->
          "Edlink answered "
              + status()
              + errors()
              + " after "
              + attempts()
              + ", a failure on its side that says nothing of whether it acted · "
              + key
              + " is "
              + pending;
      case NO_RESPONSE ->
          "no response after "
              + attempts()
              + " ("
              + delivery.error()
              + (delivery.reachedNothing() ? "; nothing reached Edlink" : "")
              + ") · "
              + key
              + " is "
              + pending;
      case HELD_PAST_MAX_TIME ->
          "not sent: Edlink asked for a pause longer than --max-time allows · "
              + key
              + " is "
              + pending;
      case NOT_STARTED -> "not sent: the batch stopped before this line";
      case REUSED ->
          "key "
              + key
              + " was used on "
              + when(entry.created())
              + " for a different request ("
              + entry.request().method()
              + " "
              + entry.request().url()
              + "); nothing was sent";
      case FORGOTTEN ->
          "key "
              + key
              + " was "
              + entry.state().label()
              + " on "
              + when(entry.created())
              + " and its "
              + Window.NAME
              + " ended "
              + when(entry.window().end())
              + "; Edlink has forgotten it";
      case TOMBSTONED ->
          "refusing to send "
              + key
              + ": prune removed its entry, whose "
              + Window.NAME
              + " ended "
              + when(Instant.parse(detail))
              + ", so what Edlink did with it is no longer known here and sending it again could"
              + " act a second time; 'edlink-idem prune --tombstones' forgets pruned keys";
      case REPLAY_CLOSED ->
          "refusing to send "
              + key
              + " again: its window ended "
              + when(entry.window().replayDeadline())
              + " ("
              + Window.REPLAY_RULE
              + "), so Edlink may no longer recognise the key";
      case IN_FLIGHT ->
          "key "
              + key
              + " is being sent by another process right now; nothing was sent"
              + (detail == null
                  ? ""
                  : "; if that process has stopped, its hold on the key runs out at "
                      + when(Instant.parse(detail)));
      case UNSENDABLE ->
          "refusing to send "
              + key
              + ": its journaled request is not one edlink-idem sends ("
              + Sendable.whyNot(key, entry.request())
              + "); it was changed by hand or came from another journal, and nothing was sent";
      case DATED_AHEAD ->
          "refusing to send "
              + key
              + " again: it was journaled "
              + when(entry.created())
              + ", which is still to come by this machine's clock, so a clock was wrong and its "
              + Window.NAME
              + " is not known";
      case JOURNAL_UNWRITABLE, KEY_HAS_RECORDS -> detail + "; nothing was sent";
      case OUTCOME_NOT_JOURNALED ->
          "the request may have reached Edlink but its outcome could not be journaled ("
              + detail
              + ") · "
              + key
              + " is "
              + pending
              + " (unless the write went through after all) and safe to send again";
      case INTERRUPTED -> "interrupted · " + key + " stays " + pending;
      case INTERRUPTED_BEFORE_SENDING -> "interrupted · nothing was sent for " + key;
      case INTERRUPTED_WHILE_JOURNALING ->
          "interrupted while "
              + key
              + " was being journaled · nothing was sent, but it may be left pending: if"
              + " 'edlink-idem show "
              + key
              + "' finds it, replay it rather than post it again";
      case RECONCILED -> "Edlink received it" + detail + "; recorded as learned by reconcile";
      case NOT_IN_LOG -> "not in Edlink's request log";
      case NOT_IN_LOG_UNKNOWN ->
          "not in Edlink's request log, which keeps only "
              + Window.DAYS
              + " days: whether Edlink received it is not known";
      case LOGGED_UNDECIDED, LOGGED_UNDECIDED_LATE ->
          "Edlink received it" + detail + ", which does not settle it";
      case LOG_TOKEN_REFUSED, LOG_SERVER_ERROR, LOG_NO_RESPONSE ->
          "cannot read Edlink's request log: " + detail + "; nothing was changed";
      case LOG_QUERY_REFUSED ->
          "Edlink refused how edlink-idem reads its request log ("
              + detail
              + "); nothing was changed: run it again, and if it keeps happening, please report"
              + " it";
    };
  }

  /**
   * What to do next, in the words of the command that was run; null when there is nothing to do.
   */
  public String advice(Audience audience) {
    boolean batch = audience instanceof Audience.BatchLine;
    String replay = batch ? null : ((Audience.ForKey) audience).replayCommand();
    return switch (row.next()) {
      case NONE -> null;
      // A batch's summary says once how to finish every pending line: the same batch again.
      case REPLAY ->
          batch
              ? null
              : row == Row.NOT_IN_LOG
                  ? "safe to replay: "
                      + replay
                      + " (before "
                      + when(entry.window().replayDeadline())
                      + ")"
                  : replayBefore(replay);
      case REPLAY_THEN_LOOK ->
          (batch ? "run the batch again" : replayBefore(replay))
              + "; if the same answer comes back, Edlink may be returning its first answer to this"
              + " key (it does for "
              + Window.DAYS
              + " days): look for the assignment in the class before "
              + (batch ? "giving the line a new key" : "posting it with a new key");
      case FIX_TOKEN_THEN_REPLAY -> batch ? null : fixTheToken() + ", then " + replayBefore(replay);
      case NEW_REQUEST ->
          batch
              ? "fix the line: a new body gets a new key"
              : "fix the request and post it with a new key";
      case NEW_KEY -> "use a new key for a new request";
      case LOOK -> "look for the assignment in the class: only the class can say now";
      case RECONCILE ->
          "ask Edlink's request log with 'edlink-idem reconcile "
              + key
              + "', or look for the assignment in the class, before sending it again with a new"
              + " key";
      case NEW_KEY_IF_MEANT ->
          (batch ? "give the line a new key" : "post with a new key") + " if you mean to act again";
      case CHECK_THEN_NEW_KEY ->
          "check whether it arrived, or "
              + (batch ? "give the line a new key" : "post it with a new key");
      case WAIT ->
          batch
              ? "run the batch again when that is done"
              : "wait for it to finish, then post or replay again";
      case GRAPH_TOKEN -> "reconcile needs an integration (graph) token";
      case LATER -> "try again later";
    };
  }

  /** What to do about a refused token: why it could not be renewed, or how to let it be. */
  private String fixTheToken() {
    String whyNotRenewed = delivery == null ? null : delivery.error();
    if (whyNotRenewed != null) {
      return whyNotRenewed;
    }
    if (entry != null && EdlinkClient.userApi(entry.request().url())) {
      return "a user token expires after an hour: get a new one, or let edlink-idem refresh it"
          + " with 'edlink-idem config set-client' (docs/configuration.md)";
    }
    return "fix the token";
  }

  private String replayBefore(String replayCommand) {
    return "run '"
        + replayCommand
        + "' before "
        + when(entry.window().replayDeadline())
        + ", "
        + Window.MARGIN_WORDS
        + " before its "
        + Window.NAME
        + " ends";
  }

  private int status() {
    RecordedResponse r = response();
    return r == null ? 0 : r.status();
  }

  /** The answer this ending is about: the last one of a send, else the recorded one. */
  public RecordedResponse response() {
    if (delivery != null) {
      return delivery.last();
    }
    return entry != null && entry.outcome() != null ? entry.outcome().response() : null;
  }

  /** Edlink's $errors as " CODE: message", or nothing when there are none. */
  private String errors() {
    RecordedResponse r = response();
    Envelope envelope = r == null ? Envelope.EMPTY : Envelope.of(r.body());
    return envelope.errors().isEmpty() ? "" : " " + envelope.errorLine();
  }

  private String attempts() {
    return delivery.attempts() + (delivery.attempts() == 1 ? " attempt" : " attempts");
  }

  private static String when(Instant instant) {
    return TimeText.when(instant);
  }
}
