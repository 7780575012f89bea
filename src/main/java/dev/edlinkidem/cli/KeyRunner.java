package dev.edlinkidem.cli;

import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.Problem;
import dev.edlinkidem.send.Delivery;
import dev.edlinkidem.send.Sender;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Settles one journaled key whose lease is held: a finished entry shows its recorded answer, a
 * pending one inside its window is sent, and anything that could act twice is refused.
 */
final class KeyRunner {
  private final EdlinkIdem root;
  private final ResultPrinter printer;
  private final Function<Sender.Listener, Sender> sender;
  private Sender prepared;

  KeyRunner(EdlinkIdem root, ResultPrinter printer, Function<Sender.Listener, Sender> sender) {
    this.root = root;
    this.printer = printer;
    this.sender = sender;
  }

  /** Shows a finished entry, or sends a pending one; refuses a pending one past its replay deadline. */
  int settle(Journal.Lease lease, Entry entry, String via) {
    if (entry.outcome() != null) {
      return printer.recorded(entry);
    }
    Instant now = root.invocation().now();
    if (!entry.window().allowsReplay(now)) {
      throw new CliException(ExitCode.REFUSED, "refusing to send " + entry.key() + " again: its window ended "
          + TimeText.when(entry.window().replayDeadline()) + " (30 days from the first attempt, less an hour for"
          + " clock skew), so Edlink may no longer recognise the key; check whether it arrived, or post it with a new key");
    }
    return send(lease, entry, via);
  }

  /**
   * Builds the HTTP client now, so that nothing slow stands between journaling a request and
   * being ready to report an interruption of it.
   */
  KeyRunner prepare() {
    if (prepared == null) {
      prepared = sender.apply(this::verboseAttempt);
    }
    return this;
  }

  private void verboseAttempt(dev.edlinkidem.journal.Attempt attempt, Optional<Duration> wait) {
    if (root.style().verbose()) {
      String what = attempt.status() != 0 ? "HTTP " + attempt.status() : attempt.error();
      root.invocation().err().println("edlink-idem: attempt " + attempt.number() + ": " + what + " in "
          + attempt.duration().toMillis() + " ms" + wait.map(w -> "; retrying in " + Durations.format(w)).orElse(""));
    }
  }

  /** Sends an entry already known to be pending and inside its window. */
  int send(Journal.Lease lease, Entry entry, String via) {
    Sender s = prepare().prepared;
    Runnable forgetInterrupt = root.invocation().onInterrupt(() -> root.invocation().err().println(
        "edlink-idem: interrupted · " + entry.key() + " stays pending; " + printer.replayHint(entry)));
    try {
      Delivery delivery = s.send(lease, entry, via);
      return printer.delivered(delivery);
    } catch (JournalException e) {
      throw new CliException(ExitCode.INTERNAL, "the request may have reached Edlink but its outcome could not be "
          + "journaled (" + e.getMessage() + "); " + entry.key() + " is safe to replay: " + printer.replayHint(entry), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.INTERRUPTED, "interrupted · " + entry.key() + " stays pending; "
          + printer.replayHint(entry));
    } finally {
      forgetInterrupt.run();
    }
  }

  /** Tells the user, once, about records the journal had to skip. */
  static void reportProblems(EdlinkIdem root, List<Problem> problems) {
    if (problems.isEmpty() || root.style().quiet()) {
      return;
    }
    Problem first = problems.get(0);
    root.invocation().err().println("edlink-idem: warning: the journal has " + problems.size()
        + (problems.size() == 1 ? " unreadable record" : " unreadable records") + ", skipped: " + first
        + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
  }

  static Optional<Entry> entryOf(Journal.Lease lease) {
    try {
      return lease.entry();
    } catch (JournalException e) {
      throw new CliException(ExitCode.INTERNAL, e.getMessage() + "; nothing was sent", e);
    }
  }
}
