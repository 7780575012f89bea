package dev.edlinkidem.batch;

import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.send.KeySettler;
import dev.edlinkidem.send.Sender;
import dev.edlinkidem.send.Settlement;
import dev.edlinkidem.time.Time;
import dev.edlinkidem.verdict.Row;
import dev.edlinkidem.verdict.Verdict;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Settles one batch line under its key's lease, by the settle rules post follows ({@link
 * KeySettler}), and says how it ended instead of printing it. Many workers share one instance; it
 * also keeps the time they spend in the journal.
 */
public final class LineSender {
  private final Journal journal;
  private final Sender sender;
  private final Time time;
  private final Supplier<Instant> now;
  private final BooleanSupplier stopping;
  private final LongAdder journalNanos = new LongAdder();
  private final LongAdder workerNanos = new LongAdder();

  /**
   * @param time the wall clock for begin records and the ticker for the journal's share
   * @param now the moment the window rules compare with
   * @param stopping whether the batch is stopping: a line not yet journaled is then not started
   */
  public LineSender(
      Journal journal, Sender sender, Time time, Supplier<Instant> now, BooleanSupplier stopping) {
    this.journal = journal;
    this.sender = sender;
    this.time = time;
    this.now = now;
    this.stopping = stopping;
  }

  /**
   * @param derived whether the key was derived from the request: then a key derived the way
   *     versions before canonical URLs did, from the URL as spelled, is used if the journal knows
   *     it
   */
  LineResult settle(
      int line,
      String path,
      String key,
      JournaledRequest request,
      boolean derived,
      Sender.Pace pace) {
    if (stopping.getAsBoolean()) {
      return LineResult.of(line, path, Verdict.notStarted(key));
    }
    long started = time.nanoTime();
    try {
      String sending = derived ? timed(() -> asSpelled(key, request)) : key;
      return LineResult.of(line, path, settleTimed(sending, request, pace));
    } catch (JournalException e) {
      return LineResult.of(line, path, Verdict.journalUnwritable(key, e.getMessage()));
    } catch (RuntimeException e) {
      // Not foreseen: the line is still counted, and its key (if journaled) stays pending.
      return LineResult.error(
          line,
          path,
          key,
          "internal error: "
              + String.valueOf(e).strip().replaceAll("\\s*\\R\\s*", "; ")
              + "; if it was journaled, "
              + key
              + " stays pending and is safe to send again: run the batch again");
    } finally {
      workerNanos.add(time.nanoTime() - started);
    }
  }

  /**
   * The key a line derived before URLs were canonicalised, when the journal holds it (an entry or a
   * tombstone), else {@code key}: a line sent under the old key is not sent again under the new.
   */
  private String asSpelled(String key, JournaledRequest request) throws JournalException {
    String spelled = request.fingerprint();
    if (spelled.equals(key)) {
      return key;
    }
    return journal.find(spelled).isPresent() || journal.tombstone(spelled).isPresent()
        ? spelled
        : key;
  }

  /** Nanoseconds the workers spent in the journal: leases, reads, and forced writes. */
  public long journalNanos() {
    return journalNanos.sum();
  }

  /** Nanoseconds the workers spent on lines, journal and network together. */
  public long workerNanos() {
    return workerNanos.sum();
  }

  private Verdict settleTimed(String key, JournaledRequest request, Sender.Pace pace) {
    Journal.Lease taken;
    try {
      taken = timed(() -> journal.lease(key));
    } catch (KeyInFlightException e) {
      return Verdict.of(KeySettler.inFlight(key));
    } catch (JournalException e) {
      return Verdict.journalUnwritable(key, e.getMessage());
    }
    Entry sending = null;
    try (Journal.Lease lease = new TimedLease(taken)) {
      Optional<Entry> entry = lease.entry();
      Settlement settlement =
          timed(() -> KeySettler.settle(journal, key, entry, request, now.get()));
      if (!settlement.kind().sends()) {
        return Verdict.of(settlement);
      }
      sending =
          settlement.kind() == Settlement.Kind.NEW
              ? lease.begin(request, settlement.journalAt(time.now()))
              : settlement.entry();
      Verdict verdict = Verdict.of(sender.send(lease, sending, settlement.via(), pace));
      // The pace let no attempt start: because the batch is stopping, or Edlink's pause outlasts
      // --max-time.
      return verdict.row() == Row.HELD_PAST_MAX_TIME && stopping.getAsBoolean()
          ? Verdict.notStarted(key)
          : verdict;
    } catch (JournalException e) {
      return sending != null
          ? Verdict.outcomeNotJournaled(sending, e.getMessage())
          : Verdict.journalUnwritable(key, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return sending != null ? Verdict.interrupted(sending) : Verdict.notStarted(key);
    }
  }

  /** A journal call, timed. */
  private interface JournalCall<T, E extends Exception> {
    T run() throws JournalException, E;
  }

  private <T, E extends Exception> T timed(JournalCall<T, E> call) throws JournalException, E {
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
    public Entry begin(JournaledRequest request, Instant at, Runnable writing)
        throws JournalException {
      return timed(() -> lease.begin(request, at, writing));
    }

    @Override
    public void recordAttempt(Attempt attempt) throws JournalException {
      timed(
          () -> {
            lease.recordAttempt(attempt);
            return null;
          });
    }

    @Override
    public void recordOutcome(Outcome outcome) throws JournalException {
      timed(
          () -> {
            lease.recordOutcome(outcome);
            return null;
          });
    }

    @Override
    public void recordFinal(Attempt attempt, Outcome outcome) throws JournalException {
      timed(
          () -> {
            lease.recordFinal(attempt, outcome);
            return null;
          });
    }

    @Override
    public void close() throws JournalException {
      timed(
          () -> {
            lease.close();
            return null;
          });
    }
  }
}
