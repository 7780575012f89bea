package dev.edlinkidem.cli;

import dev.edlinkidem.edlink.Envelope;
import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.send.Delivery;
import dev.edlinkidem.send.Sender;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Settles one batch line under its key's lease, by the rules post follows (a new key is journaled
 * and sent, a pending one inside its window is sent again, a finished one is read from the
 * journal, a key reused for another request is refused), and says how it ended instead of
 * printing it. Many workers share one instance; it also keeps the time they spend in the journal.
 */
final class LineSender {
  private final EdlinkIdem root;
  private final FileJournal journal;
  private final Sender sender;
  private final LongAdder journalNanos = new LongAdder();
  private final LongAdder workerNanos = new LongAdder();
  private final java.util.function.BooleanSupplier stopping;
  private final dev.edlinkidem.time.Time time;

  /** @param stopping whether the batch is stopping: a line not yet journaled is then not started */
  LineSender(EdlinkIdem root, FileJournal journal, Sender sender, java.util.function.BooleanSupplier stopping) {
    this.root = root;
    this.journal = journal;
    this.sender = sender;
    this.stopping = stopping;
    this.time = root.invocation().time();
  }

  LineResult settle(int line, String path, String key, JournaledRequest request) {
    if (stopping.getAsBoolean()) {
      return LineResult.notSent(line, path, key);
    }
    long started = time.nanoTime();
    try {
      return settleTimed(line, path, key, request);
    } catch (RuntimeException e) {
      // Not foreseen: the line is still counted, and its key (if journaled) stays pending.
      return LineResult.error(line, path, key, "internal error: " + Main.oneLine(String.valueOf(e))
          + "; if it was journaled, " + key + " stays pending and is safe to send again: run the batch again");
    } finally {
      workerNanos.add(time.nanoTime() - started);
    }
  }

  /** Nanoseconds the workers spent in the journal: leases, reads, and forced writes. */
  long journalNanos() {
    return journalNanos.sum();
  }

  /** Nanoseconds the workers spent on lines, journal and network together. */
  long workerNanos() {
    return workerNanos.sum();
  }

  private LineResult settleTimed(int line, String path, String key, JournaledRequest request) {
    Journal.Lease taken;
    long t0 = time.nanoTime();
    try {
      taken = journal.lease(key);
    } catch (KeyInFlightException e) {
      return LineResult.refused(line, path, key, "key " + key + " is in flight in another process; nothing was "
          + "sent for this line (run the batch again when that is done)");
    } catch (JournalException e) {
      return LineResult.error(line, path, key, e.getMessage() + "; nothing was sent for this line");
    } finally {
      journalNanos.add(time.nanoTime() - t0);
    }
    boolean begun = false;
    try (Journal.Lease lease = new TimedLease(taken)) {
      Optional<Entry> existing = lease.entry();
      Instant now = root.invocation().now();
      if (existing.isPresent()) {
        return again(line, path, lease, existing.get(), request, now);
      }
      Entry entry = lease.begin(request, time.now());
      begun = true;
      return delivered(line, path, sender.send(lease, entry, "post"));
    } catch (JournalException e) {
      return LineResult.error(line, path, key, begun
          ? "the request may have reached Edlink but the journal could not record it (" + e.getMessage()
              + "); the key is safe to send again: run the batch again"
          : e.getMessage() + "; nothing was sent for this line");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new LineResult(line, path, key, LineResult.Kind.PENDING, 0, 0, false, ExitCode.INTERRUPTED,
          "interrupted; " + key + " stays pending", null, null);
    }
  }

  /** A key already journaled: settled as post settles it. */
  private LineResult again(int line, String path, Journal.Lease lease, Entry entry, JournaledRequest request,
      Instant now) throws JournalException, InterruptedException {
    if (!entry.fingerprint().equals(request.fingerprint())) {
      return LineResult.refused(line, path, entry.key(), "key " + entry.key() + " was used on "
          + TimeText.when(entry.created()) + " for a different request (" + entry.request().method() + " "
          + entry.request().url() + "); nothing was sent for this line. Use a new key for a new request");
    }
    if (entry.outcome() != null && entry.window().hasEnded(now)) {
      return LineResult.refused(line, path, entry.key(), "key " + entry.key() + " was " + entry.state().label()
          + " on " + TimeText.when(entry.created()) + " and its 30-day window ended "
          + TimeText.when(entry.window().end()) + "; Edlink has forgotten it. Give the line a new key if you mean to act again");
    }
    if (entry.outcome() != null) {
      Outcome o = entry.outcome();
      boolean ok = o.state() == EntryState.SUCCEEDED;
      return LineResult.of(line, path, entry, ok ? LineResult.Kind.SUCCEEDED : LineResult.Kind.FAILED, o.response(),
          true, ok ? ExitCode.OK : ExitCode.CLIENT_ERROR, ok ? null : "Edlink answered " + o.response().status()
              + errorsOf(o.response().body()) + " (recorded in the journal, not sent again) · key " + entry.key()
              + " is failed; fix the line: a new body gets a new key");
    }
    if (!entry.window().allowsReplay(now)) {
      return LineResult.refused(line, path, entry.key(), "refusing to send " + entry.key() + " again: its window ended "
          + TimeText.when(entry.window().replayDeadline()) + " (30 days from the first attempt, less an hour), so "
          + "Edlink may no longer recognise the key; check whether it arrived, or give the line a new key");
    }
    return delivered(line, path, sender.send(lease, entry, "replay"));
  }

  private LineResult delivered(int line, String path, Delivery d) {
    Entry entry = d.entry();
    if (d.attempts() == 0) {
      // The pace let no attempt start: the batch is stopping, or Edlink's pause outlasts --max-time.
      return stopping.getAsBoolean() ? LineResult.notSent(line, path, entry.key())
          : LineResult.of(line, path, entry, LineResult.Kind.PENDING, null, false, ExitCode.SERVER_ERROR,
              "not sent: Edlink asked the batch to wait longer than --max-time allows · " + entry.key() + " is pending");
    }
    String attempts = d.attempts() + (d.attempts() == 1 ? " attempt" : " attempts");
    int status = d.last() == null ? 0 : d.last().status();
    String errors = d.last() == null ? "" : errorsOf(d.last().body());
    LineResult.Kind pending = LineResult.Kind.PENDING;
    return switch (d.kind()) {
      case SUCCEEDED -> LineResult.of(line, path, entry, LineResult.Kind.SUCCEEDED, d.last(), false, ExitCode.OK, null);
      case FAILED -> LineResult.of(line, path, entry, LineResult.Kind.FAILED, d.last(), false, ExitCode.CLIENT_ERROR,
          "Edlink answered " + status + errors + " · key " + entry.key() + " journaled as failed; fix the line: a new body gets a new key");
      case CREDENTIALS_REFUSED -> LineResult.of(line, path, entry, pending, d.last(), false, ExitCode.CLIENT_ERROR,
          "Edlink refused the token (" + status + errors + ") · nothing was done and " + entry.key() + " stays pending");
      case UNEXPECTED -> LineResult.of(line, path, entry, pending, d.last(), false, ExitCode.SERVER_ERROR,
          "Edlink answered " + status + ", which is not an answer to a POST · " + entry.key() + " is pending");
      case SERVER_ERROR -> LineResult.of(line, path, entry, pending, d.last(), false, ExitCode.SERVER_ERROR,
          "Edlink answered " + status + " after " + attempts + " · " + entry.key() + " is pending");
      case NO_RESPONSE -> LineResult.of(line, path, entry, pending, null, false, ExitCode.NO_RESPONSE,
          "no response after " + attempts + " (" + d.error() + ") · " + entry.key() + " is pending");
    };
  }

  private static String errorsOf(byte[] body) {
    return ResultPrinter.errorsOf(Envelope.of(body));
  }

  /** A journal call, timed. */
  private interface JournalCall<T> {
    T run() throws JournalException;
  }

  private <T> T timed(JournalCall<T> call) throws JournalException {
    long t0 = time.nanoTime();
    try {
      return call.run();
    } finally {
      journalNanos.add(time.nanoTime() - t0);
    }
  }

  /** A lease whose every call is added to the journal's share of the batch. */
  private final class TimedLease implements Journal.Lease {
    private final Journal.Lease lease;

    TimedLease(Journal.Lease lease) {
      this.lease = lease;
    }

    @Override
    public String key() {
      return lease.key();
    }

    @Override
    public Optional<Entry> entry() throws JournalException {
      return timed(lease::entry);
    }

    @Override
    public Entry begin(JournaledRequest request, Instant at) throws JournalException {
      return timed(() -> lease.begin(request, at));
    }

    @Override
    public void recordAttempt(Attempt attempt) throws JournalException {
      timed(() -> {
        lease.recordAttempt(attempt);
        return null;
      });
    }

    @Override
    public void recordOutcome(Outcome outcome) throws JournalException {
      timed(() -> {
        lease.recordOutcome(outcome);
        return null;
      });
    }

    @Override
    public void recordFinal(Attempt attempt, Outcome outcome) throws JournalException {
      timed(() -> {
        lease.recordFinal(attempt, outcome);
        return null;
      });
    }

    @Override
    public void close() throws JournalException {
      timed(() -> {
        lease.close();
        return null;
      });
    }
  }
}
