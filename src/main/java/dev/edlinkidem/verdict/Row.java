package dev.edlinkidem.verdict;

import dev.edlinkidem.journal.EntryState;

/**
 * The answer table: every way a key can end a command, with the state its entry is left in, the
 * exit code, and what the user does next. post, replay, batch and reconcile all read their exit
 * codes and advice from here; {@link Verdict} words them.
 */
public enum Row {
  // ROW(the entry's state after it, the exit code, the next step)
  SUCCEEDED(EntryState.SUCCEEDED, ExitCode.OK, Next.NONE),
  RECORDED_SUCCESS(EntryState.SUCCEEDED, ExitCode.OK, Next.NONE),
  FAILED(EntryState.FAILED, ExitCode.CLIENT_ERROR, Next.NEW_REQUEST),
  RECORDED_FAILURE(EntryState.FAILED, ExitCode.CLIENT_ERROR, Next.NEW_REQUEST),
  /** 401, 403 or a token error: nothing was done. */
  TOKEN_REFUSED(EntryState.PENDING, ExitCode.CLIENT_ERROR, Next.FIX_TOKEN_THEN_REPLAY),
  /** A 5xx or a "try later" until the retries ran out: whether it was done is not known. */
  SERVER_ERROR(EntryState.PENDING, ExitCode.SERVER_ERROR, Next.REPLAY),
  /**
   * Edlink's own failure ({@code INTERNAL}, {@code UNKNOWN}) until the retries ran out: an upstream
   * LMS may have acted, and Edlink may give the key this same answer for its whole window.
   */
  EDLINK_FAILED(EntryState.PENDING, ExitCode.SERVER_ERROR, Next.REPLAY_THEN_LOOK),
  /** A 1xx or 3xx, which says nothing about the request; not retried. */
  NOT_AN_ANSWER(EntryState.PENDING, ExitCode.SERVER_ERROR, Next.REPLAY),
  NO_RESPONSE(EntryState.PENDING, ExitCode.NO_RESPONSE, Next.REPLAY),
  /** No attempt started: Edlink asked for a pause longer than --max-time allows. */
  HELD_PAST_MAX_TIME(EntryState.PENDING, ExitCode.SERVER_ERROR, Next.REPLAY),
  /**
   * A batch line not started because the batch was stopping; the batch's summary says to run it
   * again.
   */
  NOT_STARTED(null, ExitCode.OK, Next.NONE),
  REUSED(null, ExitCode.REFUSED, Next.NEW_KEY),
  FORGOTTEN(null, ExitCode.REFUSED, Next.NEW_KEY_IF_MEANT),
  /** No entry, but prune removed one for the key after its window ended: refused as FORGOTTEN. */
  TOMBSTONED(null, ExitCode.REFUSED, Next.NEW_KEY_IF_MEANT),
  REPLAY_CLOSED(EntryState.PENDING, ExitCode.REFUSED, Next.CHECK_THEN_NEW_KEY),
  IN_FLIGHT(null, ExitCode.REFUSED, Next.WAIT),
  /** The journaled request is not one the tool sends (edited, or merged from elsewhere). */
  UNSENDABLE(EntryState.PENDING, ExitCode.REFUSED, Next.NONE),
  /** Journaled under a clock set ahead: its window is not known, so it is not sent. */
  DATED_AHEAD(EntryState.PENDING, ExitCode.REFUSED, Next.RECONCILE),
  /** The journal could not be read or written before the first byte was sent. */
  JOURNAL_UNWRITABLE(null, ExitCode.INTERNAL, Next.NONE),
  /**
   * A new request refused before the first byte: the journal holds records of its key that may be
   * its earlier request (damaged, or left by hand). Trying again is refused the same way.
   */
  KEY_HAS_RECORDS(null, ExitCode.INTERNAL, Next.NONE),
  /** A request may have left, but the journal could not record what became of it. */
  OUTCOME_NOT_JOURNALED(EntryState.PENDING, ExitCode.INTERNAL, Next.REPLAY),
  INTERRUPTED(EntryState.PENDING, ExitCode.INTERRUPTED, Next.REPLAY),
  /** Ctrl-C before a new request's first byte: nothing was sent. */
  INTERRUPTED_BEFORE_SENDING(null, ExitCode.INTERRUPTED, Next.NONE),
  /**
   * Ctrl-C while a new request was being journaled, on a disk too slow to wait for: nothing was
   * sent, but the entry may be left pending.
   */
  INTERRUPTED_WHILE_JOURNALING(null, ExitCode.INTERRUPTED, Next.NONE),
  /** reconcile found the key's request in Edlink's log with a verdict, and recorded it. */
  RECONCILED(null, ExitCode.OK, Next.NONE),
  /** reconcile did not find the key in the log, and its window is open. */
  NOT_IN_LOG(EntryState.PENDING, ExitCode.OK, Next.REPLAY),
  /**
   * reconcile did not find the key in the log, and the entry is as old as the log's 30 days: the
   * log may have forgotten it, so whether it arrived is not known.
   */
  NOT_IN_LOG_UNKNOWN(EntryState.PENDING, ExitCode.OK, Next.LOOK),
  /**
   * reconcile found the key's request in the log, but no answer that settles it (INTERNAL, UNKNOWN,
   * a 5xx, a refused token, a redirect): it arrived, and what became of it is not known.
   */
  LOGGED_UNDECIDED(EntryState.PENDING, ExitCode.OK, Next.REPLAY_THEN_LOOK),
  /** As {@link #LOGGED_UNDECIDED}, past the replay deadline: only the class can say. */
  LOGGED_UNDECIDED_LATE(EntryState.PENDING, ExitCode.OK, Next.LOOK),
  /** Edlink refused the way reconcile read its log (a cursor or a page size): a fault to report. */
  LOG_QUERY_REFUSED(null, ExitCode.INTERNAL, Next.NONE),
  /** The request log refused the token (a user token cannot read it). */
  LOG_TOKEN_REFUSED(null, ExitCode.CLIENT_ERROR, Next.GRAPH_TOKEN),
  LOG_SERVER_ERROR(null, ExitCode.SERVER_ERROR, Next.LATER),
  LOG_NO_RESPONSE(null, ExitCode.NO_RESPONSE, Next.LATER);

  /** What the user does next; {@link Verdict} says it in the words of the command they ran. */
  public enum Next {
    NONE,
    /** Send it again with its key while the window lasts. */
    REPLAY,
    /**
     * Send it again with its key; if the same answer comes back, look for its effect before a new
     * key.
     */
    REPLAY_THEN_LOOK,
    FIX_TOKEN_THEN_REPLAY,
    /** The request itself was refused: change it, and send the new one under a new key. */
    NEW_REQUEST,
    /** The key belongs to another request. */
    NEW_KEY,
    NEW_KEY_IF_MEANT,
    /** Sending again could act twice: look first, and use a new key only if it never arrived. */
    CHECK_THEN_NEW_KEY,
    /** Another process has the key: wait for it. */
    WAIT,
    GRAPH_TOKEN,
    /** Only the class itself can say now: look for the assignment there. */
    LOOK,
    /** Ask Edlink's request log whether it arrived, or look in the class. */
    RECONCILE,
    LATER
  }

  private final EntryState state;
  private final int exit;
  private final Next next;

  Row(EntryState state, int exit, Next next) {
    this.state = state;
    this.exit = exit;
    this.next = next;
  }

  /** The entry's state after this ending, or null when it is left as it was (or there is none). */
  public EntryState state() {
    return state;
  }

  public int exit() {
    return exit;
  }

  public Next next() {
    return next;
  }
}
