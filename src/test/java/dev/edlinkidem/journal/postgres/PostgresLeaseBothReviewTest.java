package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyInFlightException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Adversarial review of PostgresJournal.leaseBoth: each test failed on 0a793a1. */
class PostgresLeaseBothReviewTest {
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("leaseboth");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void dropTheTables() throws Exception {
    cluster.dropJournal();
  }

  /**
   * leaseBoth's two-key statement meets a row locked by another session (55P03) and falls back to
   * one key at a time. The first key is taken; taking the second then fails with anything but 55P03
   * (here a cancelled statement; a restart of the server or a dropped connection do the same). The
   * JournalException escapes from inside takeLeases' catch block: the first key's KeyLease, already
   * in {@code held} and {@code leased}, is never returned nor closed. The renewer keeps it in force
   * for as long as the process runs (a batch: hours), so every other process, and this one when the
   * line is run again, finds the key in flight.
   */
  @Test
  void aFailedFallbackOfLeaseBothLeavesNoLeaseHeld() throws Exception {
    Duration lease = Duration.ofSeconds(1); // renewed every third of a second
    try (PostgresJournal p = cluster.journal(lease);
        Connection locker = cluster.connect();
        Connection watcher = cluster.connect()) {
      // Another session is writing k2's row in a transaction not yet committed (a lease run
      // out, taken over): a taker waits for that transaction, and no row is seen locked, so the
      // keys are then taken one at a time.
      locker.setAutoCommit(false);
      int lockerPid;
      try (Statement s = locker.createStatement();
          ResultSet r = s.executeQuery("select pg_backend_pid()")) {
        r.next();
        lockerPid = r.getInt(1);
      }
      try (Statement s = locker.createStatement()) {
        s.execute(
            "insert into edlink_idem_leases (key, holder, expires_at)"
                + " values ('k2', -1, now() - interval '1 hour')");
      }

      // Cancels the second statement seen waiting for a lock: the first is leaseBoth's two-key
      // statement (which runs into lock_timeout on its own), the second the fallback's take of k2.
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<String> cancelled = new AtomicReference<>();
      Thread canceller =
          new Thread(
              () -> {
                Timestamp first = null;
                try (Statement s = watcher.createStatement()) {
                  while (!stop.get()) {
                    try (ResultSet r =
                        s.executeQuery(
                            "select pid, query_start from pg_stat_activity where"
                                + " wait_event_type = 'Lock' and pid <> "
                                + lockerPid
                                + " and query like '%insert into edlink_idem_leases%'")) {
                      while (r.next()) {
                        Timestamp started = r.getTimestamp(2);
                        if (first == null) {
                          first = started;
                        } else if (!started.equals(first)) {
                          try (Statement c = watcher.createStatement()) {
                            c.executeQuery("select pg_cancel_backend(" + r.getInt(1) + ")").close();
                          }
                          cancelled.set("cancelled the take of k2");
                          return;
                        }
                      }
                    }
                    Thread.sleep(20);
                  }
                } catch (Exception e) {
                  cancelled.set("watcher failed: " + e);
                }
              });
      canceller.start();
      try {
        p.leaseBoth("k1", "k2");
        fail("leaseBoth returned though its fallback's take of k2 was cancelled");
      } catch (JournalException expected) {
        // the line ends "journal unwritable": fine, as long as nothing stays held
      } finally {
        stop.set(true);
        canceller.join();
        locker.rollback();
      }
      if (!"cancelled the take of k2".equals(cancelled.get())) {
        fail("the test did not reach the fallback's take of k2: " + cancelled.get());
      }

      Thread.sleep(lease.multipliedBy(4).toMillis()); // four leases' worth

      try (PostgresJournal q = cluster.journal(lease)) {
        try {
          q.lease("k1").close();
        } catch (KeyInFlightException e) {
          fail(
              "k1 is still held, renewed by process P, "
                  + lease.multipliedBy(4)
                  + " after P's leaseBoth failed and returned no lease for it: "
                  + cluster.psql("select key, holder, expires_at > now() from edlink_idem_leases"));
        }
      }
    }
  }

  /**
   * A lease of one key never waits for a second row while holding a first; leaseBoth's statement
   * does (and so does the 1,000-key statement of a remove or merge, which holds its rows to a
   * separate COMMIT). Another taker locking the same two keys in the other order (a remove or merge
   * given them in that order, or a leaseBoth of the reverse pair) deadlocks with it; the server
   * ends the one that waited first, after deadlock_timeout (1 s) and before lock_timeout (2 s),
   * with 40P01, which takeLeases does not treat as 55P03: the line ends "journal unwritable" rather
   * than "in flight" or being taken one key at a time.
   */
  @Test
  void leaseBothDeadlockingWithAnotherTakerIsNotAJournalFailure() throws Exception {
    try (PostgresJournal p = cluster.journal(PostgresJournal.LEASE);
        Connection other = cluster.connect();
        Connection watcher = cluster.connect()) {
      p.find("warm");
      other.setAutoCommit(false);
      try (Statement s = other.createStatement()) {
        s.execute(
            "insert into edlink_idem_leases (key, holder, expires_at)"
                + " values ('k2', -2, now() + interval '1 minute')");
      }
      AtomicReference<Object> got = new AtomicReference<>();
      Thread taker =
          new Thread(
              () -> {
                try {
                  got.set(p.leaseBoth("k1", "k2"));
                } catch (Exception e) {
                  got.set(e);
                }
              });
      taker.start();
      // Until P's statement (k1 inserted, not committed) waits for k2.
      boolean waiting = false;
      for (int i = 0; i < 100 && !waiting; i++) {
        try (Statement s = watcher.createStatement();
            ResultSet r =
                s.executeQuery(
                    "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                        + " and query like '%insert into edlink_idem_leases%'")) {
          r.next();
          waiting = r.getInt(1) > 0;
        }
        Thread.sleep(10);
      }
      if (!waiting) {
        fail("P's leaseBoth never waited for k2");
      }
      // The other taker now wants k1 too.
      Thread second =
          new Thread(
              () -> {
                try (Statement s = other.createStatement()) {
                  s.execute(
                      "insert into edlink_idem_leases (key, holder, expires_at)"
                          + " values ('k1', -2, now() + interval '1 minute')"
                          + " on conflict (key) do nothing");
                  other.rollback();
                } catch (Exception e) {
                  try {
                    other.rollback();
                  } catch (Exception ignored) {
                    // gone
                  }
                }
              });
      second.start();
      taker.join(10_000);
      second.join(10_000);
      if (got.get() instanceof JournalException e) {
        fail(
            "leaseBoth failed as a journal error (the line: journal unwritable) on a deadlock with"
                + " another taker of the same keys: "
                + e.getMessage());
      }
      if (got.get() instanceof Journal.Lease[] both) {
        for (Journal.Lease l : both) {
          if (l != null) {
            l.close();
          }
        }
      }
    }
  }
}
