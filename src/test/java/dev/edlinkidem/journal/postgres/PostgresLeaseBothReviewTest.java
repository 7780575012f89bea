package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyInFlightException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Adversarial review of PostgresJournal.leaseBoth: each test fails on the code as it stands. */
class PostgresLeaseBothReviewTest {
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(Files.createTempDirectory("edlink-idem-pg-leaseboth"));
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

  private static Properties props() {
    Properties props = new Properties();
    props.setProperty("user", cluster.superuser());
    return props;
  }

  private static PostgresJournal handle(Duration lease) throws Exception {
    return PostgresJournal.open(
        cluster.jdbcUrl(), props(), cluster.url(cluster.superuser()), lease, () -> {});
  }

  private static Connection connect() throws Exception {
    return new org.postgresql.Driver().connect(cluster.jdbcUrl(), props());
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
    try (PostgresJournal p = handle(lease);
        Connection locker = connect();
        Connection watcher = connect()) {
      // k2's row exists (a lease long run out) and another session holds it locked.
      try (Statement s = locker.createStatement()) {
        s.execute(
            "insert into edlink_idem_leases (key, holder, expires_at)"
                + " values ('k2', -1, now() - interval '1 hour')");
      }
      locker.setAutoCommit(false);
      int lockerPid;
      try (Statement s = locker.createStatement();
          ResultSet r = s.executeQuery("select pg_backend_pid()")) {
        r.next();
        lockerPid = r.getInt(1);
      }
      try (Statement s = locker.createStatement()) {
        s.executeQuery("select * from edlink_idem_leases where key = 'k2' for update").close();
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

      try (PostgresJournal q = handle(lease)) {
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
}
