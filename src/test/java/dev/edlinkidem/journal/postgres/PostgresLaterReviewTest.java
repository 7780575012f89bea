package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.KeyInFlightException;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Review of 4695d24..280316a (lazy renewer, one-round-trip settings, skip-locked fallback). */
class PostgresLaterReviewTest {
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("laterreview");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void dropTheTables() throws Exception {
    cluster.psql("alter role " + cluster.passwordUser() + " connection limit -1");
    cluster.dropJournal();
  }

  private static Properties passwordUser() {
    Properties props = new Properties();
    props.setProperty("user", cluster.passwordUser());
    props.setProperty("password", cluster.password());
    return props;
  }

  /**
   * The session's three settings, now sent as one multi-statement string, are in force on every
   * connection of the journal's pool (checked on the idle connections after concurrent calls).
   */
  @Test
  void everyPooledConnectionHasTheThreeSettings() throws Exception {
    cluster.psql(
        "alter database "
            + cluster.database()
            + " set lock_timeout = '17s';"
            + " alter database "
            + cluster.database()
            + " set synchronous_commit = off;"
            + " alter database "
            + cluster.database()
            + " set idle_in_transaction_session_timeout = '5min'");
    try (PostgresJournal j = cluster.journal(Duration.ofSeconds(60))) {
      // Several threads at once, so that the pool makes more than its first connection.
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int n = t;
        Thread th =
            new Thread(
                () -> {
                  try {
                    for (int i = 0; i < 20; i++) {
                      j.lease("s-" + n + "-" + i).close();
                      j.summaries();
                    }
                  } catch (Exception e) {
                    throw new RuntimeException(e);
                  }
                });
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) {
        th.join();
      }
      Field f = PostgresJournal.class.getDeclaredField("idle");
      f.setAccessible(true);
      @SuppressWarnings("unchecked")
      Deque<Connection> idle = (Deque<Connection>) f.get(j);
      List<Connection> all;
      synchronized (idle) {
        all = new ArrayList<>(idle);
      }
      assertFalse(all.isEmpty());
      for (Connection c : all) {
        try (Statement s = c.createStatement();
            ResultSet r =
                s.executeQuery(
                    "select current_setting('synchronous_commit'),"
                        + " current_setting('lock_timeout'),"
                        + " current_setting('idle_in_transaction_session_timeout')")) {
          r.next();
          assertEquals("on", r.getString(1));
          assertEquals("2s", r.getString(2));
          assertEquals("30s", r.getString(3));
        }
      }
    } finally {
      cluster.psql("alter database " + cluster.database() + " reset all");
    }
  }

  /**
   * 4695d24 makes the renewer's connection only when it first has a lease to renew. Before, it was
   * made when the journal opened: a server (or a role) with no connection to spare refused the
   * command before anything was sent. Now the command starts, takes a lease, sends, and the renewer
   * then cannot connect: every renewal fails, the lease runs out while its holder is still at work,
   * and another process takes the key (the holder's outcome can then not be written: its entry
   * stays pending). A fleet of runners sharing max_connections is exactly where this happens.
   */
  @Test
  void aLeaseIsKeptWhenTheServerHasNoConnectionToSpareAfterOpening() throws Exception {
    Duration lease = Duration.ofSeconds(3); // renewed every second
    try (PostgresJournal holder =
        PostgresJournal.open(
            cluster.jdbcUrl(),
            passwordUser(),
            cluster.url(cluster.passwordUser()),
            lease,
            () -> {})) {
      Journal.Lease held = holder.lease("busy-key");
      // The role (as a fleet's runners share max_connections) has now no connection to spare:
      // other runners took them after this one opened its journal.
      String count =
          cluster
              .psql(
                  "select count(*) from pg_stat_activity where usename = '"
                      + cluster.passwordUser()
                      + "'")
              .strip();
      cluster.psql("alter role " + cluster.passwordUser() + " connection limit " + count);
      Thread.sleep(lease.multipliedBy(2).toMillis());
      try (PostgresJournal other = cluster.journal(lease)) {
        assertThrows(
            KeyInFlightException.class,
            () -> other.lease("busy-key").close(),
            "the key's holder is alive and still holds its lease, yet another process took it");
      } finally {
        cluster.psql("alter role " + cluster.passwordUser() + " connection limit -1");
        held.close();
      }
    }
  }

  /**
   * Pre-existing, the root of TrainingReviewTest's leak: the tool refuses a ~/.pgpass open to
   * others ("it was not read", as libpq ignores it) and then opens the journal with no password;
   * the driver then reads a .pgpass of its own (the JVM's user.home, PGPASSFILE of the real
   * environment), with no check of its mode, and logs in with it.
   */
  @Test
  void aPgpassTheToolRefusedIsNotUsedByTheDriver() throws Exception {
    java.nio.file.Path home = java.nio.file.Files.createTempDirectory("laterreview-home");
    java.nio.file.Path pgpass = home.resolve(".pgpass");
    java.nio.file.Files.writeString(
        pgpass, "*:*:*:" + cluster.passwordUser() + ":" + cluster.password() + "\n");
    java.nio.file.Files.setPosixFilePermissions(
        pgpass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    PostgresTarget target = PostgresTarget.parse(cluster.url(cluster.passwordUser()), "test");
    List<String> warnings = new ArrayList<>();
    PasswordSource.Found found =
        PasswordSource.find(
            target, java.util.Map.of("HOME", home.toString()), home, null, warnings::add);
    assertEquals(null, found);
    System.out.println("the tool said: " + warnings);
    String oldHome = System.getProperty("user.home");
    System.setProperty("user.home", home.toString());
    try {
      assertThrows(
          dev.edlinkidem.journal.JournalException.class,
          () ->
              PostgresJournal.open(
                      target, cluster.passwordUser(), null, true, Duration.ofSeconds(60))
                  .close(),
          "logged in with the password of a .pgpass the tool said it did not read");
    } finally {
      System.setProperty("user.home", oldHome);
    }
  }
}
