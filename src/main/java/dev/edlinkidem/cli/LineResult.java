package dev.edlinkidem.cli;

import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.request.RecordedResponse;
import java.time.Instant;

/**
 * How one line of a batch ended: what its summary counts, what {@code --format jsonl} prints, and
 * the line's exit code.
 *
 * @param key the line's key, or null when the line could not be read
 * @param status the last HTTP status, or 0 when none arrived
 * @param attempts the entry's attempts so far, across runs
 * @param message what went wrong, for stderr; null when nothing did
 * @param response the last response, or null
 * @param expiresAt when Edlink forgets the key, or null when it was never sent
 */
record LineResult(int line, String path, String key, Kind kind, int status, int attempts, boolean fromJournal,
    int exit, String message, RecordedResponse response, Instant expiresAt) {
  /** What the summary counts a line as. */
  enum Kind {
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    PENDING("pending"),
    MALFORMED("malformed"),
    REFUSED("refused"),
    /** The same request as an earlier line of the file: sent once, for that line. */
    SAME_AS_EARLIER("duplicate"),
    /** The journal could not be written or read, or something unforeseen went wrong. */
    ERROR("error"),
    /** Not sent because the batch was stopping (--fail-fast, a refused token): run the batch again. */
    NOT_SENT("not sent");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  static LineResult malformed(int line, String reason) {
    return new LineResult(line, null, null, Kind.MALFORMED, 0, 0, false, ExitCode.USAGE,
        reason + "; the line was not sent", null, null);
  }

  static LineResult refused(int line, String path, String key, String why) {
    return new LineResult(line, path, key, Kind.REFUSED, 0, 0, false, ExitCode.REFUSED, why, null, null);
  }

  static LineResult sameAs(int line, String path, String key, int earlier) {
    return new LineResult(line, path, key, Kind.SAME_AS_EARLIER, 0, 0, false, ExitCode.OK,
        "the same request as line " + earlier + " (key " + key + "): sent once, for line " + earlier
            + "; give the lines different keys if both are meant", null, null);
  }

  static LineResult notSent(int line, String path, String key) {
    return new LineResult(line, path, key, Kind.NOT_SENT, 0, 0, false, ExitCode.OK, null, null, null);
  }

  static LineResult error(int line, String path, String key, String message) {
    return new LineResult(line, path, key, Kind.ERROR, 0, 0, false, ExitCode.INTERNAL, message, null, null);
  }

  /** A line whose entry ended as {@code entry} says, with this exit code and message. */
  static LineResult of(int line, String path, Entry entry, Kind kind, RecordedResponse response, boolean fromJournal,
      int exit, String message) {
    return new LineResult(line, path, entry.key(), kind, response == null ? 0 : response.status(),
        entry.attempts().size(), fromJournal, exit, message, response, entry.window().end());
  }
}
