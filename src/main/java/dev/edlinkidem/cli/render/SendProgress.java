package dev.edlinkidem.cli.render;

import dev.edlinkidem.cli.CommandContext;
import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.time.Time;
import java.time.Duration;
import java.util.Optional;

/**
 * What a post or a replay shows on a terminal while it waits for Edlink: nothing for the first
 * second (most answers come sooner), then, once a second, how long this attempt has waited and
 * which attempt of how many it is, or how long until the next. Only where {@link ProgressLine}
 * draws (a terminal's stderr, not -q, not TERM=dumb), and not with --verbose, which prints each
 * attempt instead. Closed before the answer is printed: the line is taken away.
 */
public final class SendProgress implements AutoCloseable {
  /** How long a request may take before the line appears. */
  static final Duration QUIET_FOR = Duration.ofSeconds(1);

  private static final Duration TICK = Duration.ofMillis(250);

  private final ProgressLine line;
  private final Time time;
  private final int attempts;
  private final long started;
  private final Thread ticker;

  private int attempt = 1;
  private long attemptStarted;
  private String last = "";
  private long nextAt = -1;
  private boolean closed;

  SendProgress(ProgressLine line, Time time, int attempts) {
    this.line = line;
    this.time = time;
    this.attempts = attempts;
    this.started = time.nanoTime();
    this.attemptStarted = started;
    this.ticker = new Thread(this::tick, "edlink-idem-progress");
    ticker.setDaemon(true);
  }

  /**
   * Starts showing the progress of one request of at most {@code attempts} attempts (429s waited
   * out aside); a progress that shows nothing where the line cannot be drawn.
   */
  public static SendProgress start(CommandContext root, int attempts) {
    ProgressLine line = ProgressLine.on(root);
    SendProgress progress = new SendProgress(line, root.invocation().time(), attempts);
    if (line.enabled() && !root.style().verbose()) {
      progress.ticker.start();
    }
    return progress;
  }

  /** An attempt ended: the next one starts now, or after {@code nextWait}. */
  public synchronized void attempted(Attempt done, Optional<Duration> nextWait) {
    // This run's attempts: a replay's journal counts those of every run before it too.
    last = "attempt " + attempt + ": " + done.brief();
    attempt++;
    long now = time.nanoTime();
    nextAt = nextWait.map(w -> now + w.toNanos()).orElse(now);
    attemptStarted = nextAt;
  }

  /** The line as it reads now; empty for the first second. */
  synchronized String text() {
    long now = time.nanoTime();
    if (now - started < QUIET_FOR.toNanos()) {
      return "";
    }
    String of = attempt <= attempts ? " of " + attempts : "";
    if (now < nextAt) {
      return "edlink-idem: "
          + last
          + "; attempt "
          + attempt
          + of
          + " in "
          + seconds(nextAt - now)
          + " (Ctrl-C leaves it pending)";
    }
    return "edlink-idem: waiting for Edlink's answer: "
        + seconds(now - attemptStarted)
        + " (attempt "
        + attempt
        + of
        + (last.isEmpty() ? "" : "; " + last)
        + ")";
  }

  private static String seconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L) + " s";
  }

  private void tick() {
    try {
      while (true) {
        time.sleep(TICK);
        synchronized (this) {
          if (closed) {
            return;
          }
          String text = text();
          if (!text.isEmpty()) {
            line.draw(text);
          }
        }
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  /** Stops and takes the line away: what follows is printed on a clean line. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      line.clear();
    }
    ticker.interrupt();
  }
}
