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
   * What a batch line asks for.
   *
   * @param key the key it names, or the one derived from {@code request}
   * @param asSpelled the key earlier builds derived from its URL as spelled, when it differs, else
   *     null: a journal may hold the line under it
   * @param request what it sends: to its URL spelled canonically
   * @param spelled the same, to its URL as spelled (what earlier builds sent and journaled)
   */
  public record Asked(
      String key, String asSpelled, JournaledRequest request, JournaledRequest spelled) {}

  LineResult settle(int line, String path, Asked asked, Sender.Pace pace) {
    String key = asked.key();
    if (stopping.getAsBoolean()) {
      return LineResult.of(line, path, Verdict.notStarted(key));
    }
    long started = time.nanoTime();
    try {
      return LineResult.of(line, path, settleTimed(asked, pace));
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
   * The leases to settle the line under: its key's, or, when the journal knows anything of the key
   * an earlier build derived for it (an entry, records it cannot read, a tombstone), that one's, so
   * that a line sent under the old key is not sent again under the new. The old key's lease is held
   * either way until the line is settled, so that no earlier build sends it meanwhile.
   */
  private Leases leaseFor(Asked asked) throws JournalException, KeyInFlightException {
    if (asked.asSpelled() == null) {
      return new Leases(journal.lease(asked.key()), null);
    }
    // Both at once (one step on PostgreSQL); the line's own key is given back at once when the
    // old one settles the line.
    Journal.Lease[] both = journal.leaseBoth(asked.asSpelled(), asked.key());
    Journal.Lease old = both[0];
    Journal.Lease own = both[1];
    try {
      if (!old.blank() || journal.tombstone(asked.asSpelled()).isPresent()) {
        if (own != null) {
          own.close();
        }
        return new Leases(old, null);
      }
      if (own == null) {
        own = journal.lease(asked.key()); // held elsewhere: this says so, and until when
      }
      return new Leases(own, old);
    } catch (JournalException | KeyInFlightException | RuntimeException e) {
      old.close();
      if (own != null) {
        own.close();
      }
      throw e;
    }
  }

  /** The lease a line is settled under, and another held beside it until then, or null. */
  private record Leases(Journal.Lease settling, Journal.Lease held) {}

  /** Nanoseconds the workers spent in the journal: leases, reads, and forced writes. */
  public long journalNanos() {
    return journalNanos.sum();
  }

  /** Nanoseconds the workers spent on lines, journal and network together. */
  public long workerNanos() {
    return workerNanos.sum();
  }

  private Verdict settleTimed(Asked asked, Sender.Pace pace) {
    Leases leases;
    try {
      leases = timed(() -> leaseFor(asked));
    } catch (KeyInFlightException e) {
      return Verdict.inFlight(e);
    } catch (JournalException e) {
      return Verdict.journalUnwritable(asked.key(), e);
    }
    try {
      return settleLeased(asked, leases.settling(), pace);
    } finally {
      if (leases.held() != null) {
        try {
          timed(
              () -> {
                leases.held().close();
                return null;
              });
        } catch (JournalException e) {
          // Only read under it: nothing of the line's hangs on letting it go.
        }
      }
    }
  }

  private Verdict settleLeased(Asked asked, Journal.Lease taken, Sender.Pace pace) {
    String key = taken.key();
    Entry sending = null;
    try (Journal.Lease lease = new TimedLease(taken)) {
      Optional<Entry> entry = lease.entry();
      // Journaled as spelled (by an earlier build, or under the old key): that is the request.
      JournaledRequest request =
          entry.isPresent() && entry.get().request().sameMeaning(asked.spelled())
                  || !key.equals(asked.key())
              ? asked.spelled()
              : asked.request();
      Settlement settlement =
          timed(() -> KeySettler.settle(journal, key, entry, request, now.get()));
      if (!settlement.kind().sends()) {
        return Verdict.of(settlement);
      }
      sending =
          settlement.kind() == Settlement.Kind.NEW
              ? lease.begin(request, time.now())
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
          : Verdict.journalUnwritable(key, e);
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
    public boolean blank() throws JournalException {
      return timed(lease::blank);
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
