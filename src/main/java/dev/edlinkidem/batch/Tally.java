package dev.edlinkidem.batch;

import dev.edlinkidem.verdict.ExitCode;
import dev.edlinkidem.verdict.Row;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a batch has done so far, and when it stops starting lines: after a refused token (every
 * other line would be refused too), or after the first line that does not succeed with {@code
 * --fail-fast}. Workers report to it from many threads.
 */
public final class Tally {
  private final boolean failFast;
  private final Runnable onStop;
  private final Map<LineResult.Kind, Integer> kinds = new EnumMap<>(LineResult.Kind.class);
  private int inFlight;
  private int done;
  private int fromJournal;
  private int exit = ExitCode.OK;
  private String stoppedBecause;
  private boolean tokenRefused;

  /**
   * @param onStop told once, when the batch starts stopping, so that no further attempt starts
   */
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
   * @param started whether a worker had the line ({@link #started()}), or it ended before being
   *     sent
   */
  public synchronized void done(LineResult r, boolean started) {
    if (started) {
      inFlight--;
    }
    done++;
    kinds.merge(r.kind(), 1, Integer::sum);
    if (r.fromJournal()) {
      fromJournal++;
    }
    exit = ExitCode.mostSerious(exit, r.exit());
    if (stoppedBecause != null) {
      return;
    }
    if (r.row() == Row.TOKEN_REFUSED) {
      tokenRefused = true;
      stop(
          "Edlink refused the token on line "
              + r.line()
              + ", so the other lines would be refused too");
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

  /** Everything counted so far, read at one moment. */
  public synchronized Counts counts() {
    return new Counts(
        new EnumMap<>(kinds), done, inFlight, fromJournal, exit, stoppedBecause, tokenRefused);
  }

  /**
   * What a batch has done at one moment.
   *
   * @param fromJournal lines whose answer was read from the journal instead of being sent
   * @param exit the batch's exit code so far: the most serious line's
   * @param stoppedBecause why the batch stopped starting lines, or null while it has not
   * @param tokenRefused whether a line's token was refused: the lines left need it fixed first
   */
  public record Counts(
      Map<LineResult.Kind, Integer> kinds,
      int done,
      int inFlight,
      int fromJournal,
      int exit,
      String stoppedBecause,
      boolean tokenRefused) {
    public Counts {
      kinds = Map.copyOf(kinds);
    }

    public int of(LineResult.Kind kind) {
      return kinds.getOrDefault(kind, 0);
    }

    /** Lines that went to Edlink: all but those read from the journal, and those never sent. */
    public int sent() {
      return done
          - fromJournal
          - of(LineResult.Kind.MALFORMED)
          - of(LineResult.Kind.SAME_AS_EARLIER)
          - of(LineResult.Kind.REFUSED)
          - of(LineResult.Kind.NOT_SENT);
    }

    /** Lines that did not go as asked and will not by running the batch again alone. */
    public int failed() {
      return of(LineResult.Kind.FAILED)
          + of(LineResult.Kind.REFUSED)
          + of(LineResult.Kind.MALFORMED)
          + of(LineResult.Kind.ERROR);
    }

    /** Lines that running the same batch again finishes: pending, or never started. */
    public int unfinished() {
      return of(LineResult.Kind.PENDING) + of(LineResult.Kind.NOT_SENT);
    }
  }
}
