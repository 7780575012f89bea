package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.option.Durations;
import dev.edlinkidem.cli.render.ResultPrinter;
import dev.edlinkidem.cli.render.SendProgress;
import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.Problem;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.send.Sender;
import dev.edlinkidem.verdict.ExitCode;
import dev.edlinkidem.verdict.Verdict;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
  private final int attempts;
  private Sender prepared;
  private volatile SendProgress progress;

  /**
   * The keys this runner may have sent, each with its entry as journaled: what a journal failure
   * that comes later must be told in terms of, never "nothing was sent".
   */
  private final Map<String, Entry> mayHaveSent = new LinkedHashMap<>();

  /** Keys found in the journal before this runner sent them: a failure leaves them pending. */
  private final Set<String> journaledBefore = new HashSet<>();

  /**
   * @param attempts the most attempts a request gets (429s waited out aside), for the progress line
   */
  KeyRunner(
      EdlinkIdem root,
      ResultPrinter printer,
      int attempts,
      Function<Sender.Listener, Sender> sender) {
    this.root = root;
    this.printer = printer;
    this.attempts = attempts;
    this.sender = sender;
  }

  /** Builds the HTTP client now, before the request is journaled. */
  private KeyRunner prepare() {
    if (prepared == null) {
      prepared = sender.apply(this::attempted);
    }
    return this;
  }

  private void attempted(Attempt attempt, Optional<Duration> wait) {
    SendProgress shown = progress;
    if (shown != null) {
      shown.attempted(attempt, wait);
    }
    verboseAttempt(attempt, wait);
  }

  private void verboseAttempt(Attempt attempt, Optional<Duration> wait) {
    if (root.style().verbose()) {
      root.invocation()
          .err()
          .println(
              "edlink-idem: attempt "
                  + attempt.number()
                  + ": "
                  + attempt.brief()
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
    journaledBefore.add(entry.key());
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
    Runnable forgetInterrupt =
        root.invocation()
            .onInterrupt(
                () -> {
                  SendProgress shown = progress;
                  if (shown != null) {
                    shown.close(); // the message goes on a line of its own
                  }
                  interruption.report();
                });
    progress = SendProgress.start(root, attempts);
    try (SendProgress shown = progress) {
      return Verdict.of(s.send(lease, interruption.journal(journaled), via));
    } catch (JournalException e) {
      throw printer.failure(Verdict.outcomeNotJournaled(interruption.entry(), e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw printer.failure(Verdict.interrupted(interruption.entry()), e);
    } finally {
      forgetInterrupt.run();
      // Once its entry is durable the request goes out: from here on it may have reached Edlink.
      Entry journaledEntry = interruption.entry();
      if (journaledEntry != null) {
        mayHaveSent.put(lease.key(), journaledEntry);
      }
    }
  }

  private Entry journal(Journal.Lease lease, JournaledRequest request, Runnable writing) {
    try {
      return lease.begin(request, root.invocation().time().now(), writing);
    } catch (JournalException e) {
      throw journalFailed(lease.key(), e);
    }
  }

  /**
   * The journal failed while this command was working on {@code key}: says what the code knows,
   * that {@code key} may have reached Edlink (replay it), or that it was not sent and whether other
   * keys of this command were.
   */
  CliException journalFailed(String key, JournalException e) {
    Entry sent = mayHaveSent.get(key);
    if (sent != null) {
      return printer.failure(Verdict.outcomeNotJournaled(sent, e.getMessage()), e);
    }
    if (!journaledBefore.contains(key) && mayHaveSent.isEmpty()) {
      return printer.failure(Verdict.journalUnwritable(key, e), e);
    }
    StringBuilder said = new StringBuilder(e.getMessage()).append("; ").append(key);
    if (journaledBefore.contains(key)) {
      // Its entry is still there: a new key for it would be a second request, a replay is not.
      said.append(
          " was not sent this time and stays pending: replay it once the journal can be written");
    } else {
      said.append(" was not sent");
    }
    if (!mayHaveSent.isEmpty()) {
      said.append("; ")
          .append(mayHaveSent.size())
          .append(mayHaveSent.size() == 1 ? " request" : " requests")
          .append(" before it may have been sent, as reported above");
    }
    return new CliException(ExitCode.INTERNAL, said.toString(), e);
  }

  /** Says that {@code key} is in the journal already, before its lease is taken. */
  void alreadyJournaled(String key) {
    journaledBefore.add(key);
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

  /** The key's entry as its lease sees it, read before this runner sends it. */
  Optional<Entry> entryOf(Journal.Lease lease) {
    try {
      Optional<Entry> found = lease.entry();
      found.ifPresent(e -> journaledBefore.add(e.key()));
      return found;
    } catch (JournalException e) {
      throw journalFailed(lease.key(), e);
    }
  }
}
