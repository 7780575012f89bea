package dev.edlinkidem.batch;

import dev.edlinkidem.verdict.ExitCode;
import dev.edlinkidem.verdict.Row;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a batch has done so far, and when it stops starting lines: after a refused token (every
 * other line would be refused too), or after the first line that does not succeed with
 * {@code --fail-fast}. Workers report to it from many threads.
 */
public final class Tally {
  private final boolean failFast;
  private final Runnable onStop;
  private final Map<LineResult.Kind, Integer> counts = new EnumMap<>(LineResult.Kind.class);
  private int inFlight;
  private int done;
  private int fromJournal;
  private int exit = ExitCode.OK;
  private String stoppedBecause;
  private boolean tokenRefused;

  /** @param onStop told once, when the batch starts stopping, so that no further attempt starts */
  public Tally(boolean failFast, Runnable onStop) {
    this.failFast = failFast;
    this.onStop = onStop;
  }

  /** A line was handed to a worker. */
  public synchronized void started() {
    inFlight++;
  }

  /**
   * A line ended: counts it, and decides whether the batch stops starting lines.
   *
   * @param started whether a worker had the line ({@link #started()}), or it ended before being sent
   */
  public synchronized void done(LineResult r, boolean started) {
    if (started) {
      inFlight--;
    }
    done++;
    counts.merge(r.kind(), 1, Integer::sum);
    if (r.fromJournal()) {
      fromJournal++;
    }
    exit = ExitCode.mostSerious(exit, r.exit());
    if (stoppedBecause != null) {
      return;
    }
    if (r.row() == Row.TOKEN_REFUSED) {
      tokenRefused = true;
      stop("Edlink refused the token on line " + r.line() + ", so the other lines would be refused too");
    } else if (failFast && r.exit() != ExitCode.OK) {
      stop("line " + r.line() + " did not succeed and --fail-fast is on");
    }
  }

  private void stop(String because) {
    stoppedBecause = because;
    onStop.run();
  }

  /** Whether no new line should be started. */
  public synchronized boolean stopping() {
    return stoppedBecause != null;
  }

  /** Why the batch stopped starting lines, or null while it has not. */
  public synchronized String stoppedBecause() {
    return stoppedBecause;
  }

  /** Whether a line's token was refused: the lines left need the token fixed before they can go. */
  public synchronized boolean tokenRefused() {
    return tokenRefused;
  }

  /** The batch's exit code so far: the most serious line's. */
  public synchronized int exit() {
    return exit;
  }

  public synchronized int count(LineResult.Kind kind) {
    return counts.getOrDefault(kind, 0);
  }

  public synchronized int done() {
    return done;
  }

  public synchronized int inFlight() {
    return inFlight;
  }

  /** Lines whose answer was read from the journal instead of being sent. */
  public synchronized int fromJournal() {
    return fromJournal;
  }

  /** Lines that went to Edlink: all but those read from the journal, and those never sent. */
  public synchronized int sent() {
    return done - fromJournal - count(LineResult.Kind.MALFORMED) - count(LineResult.Kind.SAME_AS_EARLIER)
        - count(LineResult.Kind.REFUSED) - count(LineResult.Kind.NOT_SENT);
  }

  /** Lines that did not go as asked and will not by running the batch again alone. */
  public synchronized int failed() {
    return count(LineResult.Kind.FAILED) + count(LineResult.Kind.REFUSED) + count(LineResult.Kind.MALFORMED)
        + count(LineResult.Kind.ERROR);
  }

  /** Lines that running the same batch again finishes: pending, or never started. */
  public synchronized int unfinished() {
    return count(LineResult.Kind.PENDING) + count(LineResult.Kind.NOT_SENT);
  }
}
