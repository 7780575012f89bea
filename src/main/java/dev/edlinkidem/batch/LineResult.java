package dev.edlinkidem.batch;

import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.request.RecordedResponse;
import dev.edlinkidem.verdict.ExitCode;
import dev.edlinkidem.verdict.Row;
import dev.edlinkidem.verdict.Verdict;
import java.time.Instant;

/**
 * How one line of a batch ended: what its summary counts, what {@code --format jsonl} prints, and
 * the line's exit code.
 *
 * @param key the line's key, or null when the line could not be read
 * @param status the last HTTP status, or 0 when none arrived
 * @param attempts the entry's attempts so far, across runs
 * @param message what happened and, where a line needs it, what to do; null when there is nothing
 *     to say
 * @param response the last response, or null
 * @param expiresAt when Edlink forgets the key, or null when it was never sent
 * @param row the line's row of the answer table, or null for a line the file's own rules settled
 */
public record LineResult(
    int line,
    String path,
    String key,
    Kind kind,
    int status,
    int attempts,
    boolean fromJournal,
    int exit,
    String message,
    RecordedResponse response,
    Instant expiresAt,
    Row row) {
  /** What the summary counts a line as. */
  public enum Kind {
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    PENDING("pending"),
    MALFORMED("malformed"),
    REFUSED("refused"),
    /** The same request as an earlier line of the file: sent once, for that line. */
    SAME_AS_EARLIER("duplicate"),
    /** Something unforeseen went wrong. */
    ERROR("error"),
    /**
     * Not sent because the batch was stopping (--fail-fast, a refused token), or because the
     * journal could not be written before it was: run the batch again.
     */
    NOT_SENT("not sent");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  static LineResult malformed(int line, String reason) {
    return new LineResult(
        line,
        null,
        null,
        Kind.MALFORMED,
        0,
        0,
        false,
        ExitCode.USAGE,
        reason + "; the line was not sent",
        null,
        null,
        null);
  }

  /** Another line of the file has the key for a different request. */
  static LineResult keyClash(int line, String path, String key, int earlier) {
    return new LineResult(
        line,
        path,
        key,
        Kind.REFUSED,
        0,
        0,
        false,
        ExitCode.REFUSED,
        "key " + key + " is also on line " + earlier + " for a different request; nothing was sent",
        null,
        null,
        null);
  }

  static LineResult sameAs(int line, String path, String key, int earlier) {
    return new LineResult(
        line,
        path,
        key,
        Kind.SAME_AS_EARLIER,
        0,
        0,
        false,
        ExitCode.OK,
        "the same request as line "
            + earlier
            + " (key "
            + key
            + "): sent once, for line "
            + earlier
            + "; give the lines different keys if both are meant",
        null,
        null,
        null);
  }

  static LineResult error(int line, String path, String key, String message) {
    return new LineResult(
        line, path, key, Kind.ERROR, 0, 0, false, ExitCode.INTERNAL, message, null, null, null);
  }

  /** A line settled by the answer table. */
  static LineResult of(int line, String path, Verdict verdict) {
    Row row = verdict.row();
    Kind kind =
        switch (row) {
          case SUCCEEDED, RECORDED_SUCCESS -> Kind.SUCCEEDED;
          case FAILED, RECORDED_FAILURE -> Kind.FAILED;
          // The journal failed before the request could go: running the batch again sends it.
          case NOT_STARTED, JOURNAL_UNWRITABLE -> Kind.NOT_SENT;
          case REUSED,
              FORGOTTEN,
              TOMBSTONED,
              REPLAY_CLOSED,
              IN_FLIGHT,
              UNSENDABLE,
              DATED_AHEAD,
              KEY_HAS_RECORDS ->
              Kind.REFUSED;
          default -> Kind.PENDING;
        };
    String message =
        row == Row.NOT_STARTED
            ? null
            : verdict.message(Verdict.Audience.BATCH_LINE, Verdict.Paint.NONE);
    Entry entry = verdict.entry();
    if (entry == null || kind == Kind.REFUSED) {
      // Nothing was sent for the line: no answer, no window of its own to report.
      return new LineResult(
          line, path, verdict.key(), kind, 0, 0, false, row.exit(), message, null, null, row);
    }
    boolean fromJournal = row == Row.RECORDED_SUCCESS || row == Row.RECORDED_FAILURE;
    RecordedResponse response =
        verdict.delivery() != null || fromJournal ? verdict.response() : null;
    return new LineResult(
        line,
        path,
        verdict.key(),
        kind,
        response == null ? 0 : response.status(),
        entry.attempts().size(),
        fromJournal,
        row.exit(),
        message,
        response,
        entry.window().end(),
        row);
  }
}
