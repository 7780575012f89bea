package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.option.Durations;
import dev.edlinkidem.cli.render.ResultPrinter;
import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.Problem;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.send.Sender;
import dev.edlinkidem.verdict.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Sends one key whose lease is held, for post and replay: builds the sender before the request is
 * journaled, tells the user what stays pending if the process is interrupted, and says how the send
 * ended as a {@link Verdict}.
 */
public final class KeyRunner {
  private final EdlinkIdem root;
  private final ResultPrinter printer;
  private final Function<Sender.Listener, Sender> sender;
  private Sender prepared;

  KeyRunner(EdlinkIdem root, ResultPrinter printer, Function<Sender.Listener, Sender> sender) {
    this.root = root;
    this.printer = printer;
    this.sender = sender;
  }

  /** Builds the HTTP client now, before the request is journaled. */
  private KeyRunner prepare() {
    if (prepared == null) {
      prepared = sender.apply(this::verboseAttempt);
    }
    return this;
  }

  private void verboseAttempt(Attempt attempt, Optional<Duration> wait) {
    if (root.style().verbose()) {
      String what = attempt.status() != 0 ? "HTTP " + attempt.status() : attempt.error();
      root.invocation()
          .err()
          .println(
              "edlink-idem: attempt "
                  + attempt.number()
                  + ": "
                  + what
                  + " in "
                  + attempt.duration().toMillis()
                  + " ms"
                  + wait.map(
                          w ->
                              w.isZero()
                                  ? "; sending again now"
                                  : "; retrying in " + Durations.format(w))
                      .orElse(""));
    }
  }

  /** Journals a new request durably, then sends it. */
  Verdict begin(Journal.Lease lease, JournaledRequest request, String via) {
    return send(lease, null, writing -> journal(lease, request, writing), via);
  }

  /** Sends an entry the settle rules let go, already in the journal. */
  Verdict send(Journal.Lease lease, Entry entry, String via) {
    return send(lease, entry, writing -> entry, via);
  }

  /**
   * Sends the entry {@code journaled} gives; a journal failure after the request may have left, or
   * an interruption, ends the command with that verdict.
   */
  private Verdict send(
      Journal.Lease lease, Entry known, Function<Runnable, Entry> journaled, String via) {
    Sender s = prepare().prepared;
    Interruption interruption =
        new Interruption(
            lease.key(),
            known,
            verdict -> root.invocation().err().println("edlink-idem: " + printer.message(verdict)),
            Interruption.WRITE_WAIT);
    Runnable forgetInterrupt = root.invocation().onInterrupt(interruption::report);
    try {
      return Verdict.of(s.send(lease, interruption.journal(journaled), via));
    } catch (JournalException e) {
      throw printer.failure(Verdict.outcomeNotJournaled(interruption.entry(), e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw printer.failure(Verdict.interrupted(interruption.entry()), e);
    } finally {
      forgetInterrupt.run();
    }
  }

  private Entry journal(Journal.Lease lease, JournaledRequest request, Runnable writing) {
    try {
      return lease.begin(request, root.invocation().time().now(), writing);
    } catch (JournalException e) {
      throw printer.failure(Verdict.journalUnwritable(lease.key(), e.getMessage()), e);
    }
  }

  /** Tells the user, once, about records the journal had to skip. */
  static void reportProblems(EdlinkIdem root, List<Problem> problems) {
    if (problems.isEmpty() || root.style().quiet()) {
      return;
    }
    Problem first = problems.get(0);
    root.invocation()
        .err()
        .println(
            "edlink-idem: warning: the journal has "
                + problems.size()
                + (problems.size() == 1 ? " unreadable record" : " unreadable records")
                + ", skipped: "
                + first
                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
  }

  /** The key's entry as its lease sees it; the journal failing here means nothing was sent. */
  Optional<Entry> entryOf(Journal.Lease lease) {
    try {
      return lease.entry();
    } catch (JournalException e) {
      throw printer.failure(Verdict.journalUnwritable(lease.key(), e.getMessage()), e);
    }
  }
}
