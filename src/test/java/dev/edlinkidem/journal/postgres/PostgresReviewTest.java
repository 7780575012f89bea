package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Adversarial review of the PostgreSQL journal: each test fails on the code as it stands. */
class PostgresReviewTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("review");
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

  private static PostgresJournal handle(Duration lease, Runnable partWay) throws Exception {
    return cluster.journal(cluster.jdbcUrl(), lease, partWay);
  }

  private static JournaledRequest request(String body) {
    return new JournaledRequest(
        "POST",
        "https://ed.link/api/v2/graph/classes/c1/assignments",
        Map.of(),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static Entry succeeded(String key, String body) {
    JournaledRequest r = request(body);
    return new Entry(
        key,
        T0,
        r,
        r.fingerprint(),
        List.of(new Attempt(1, T0, Duration.ofMillis(30), Attempt.Result.RESPONSE, 201, null, "r")),
        new Outcome(
            EntryState.SUCCEEDED,
            T0,
            new RecordedResponse(201, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
            "post"));
  }

  /**
   * A merge paused inside its transaction past its lease (SIGSTOP stops the renewer too; simulated
   * by expiring the rows) must not commit over the key's new holder: append() re-checks its lease
   * under the row's lock, change() (merge, remove) never does.
   */
  @Test
  void aMergePausedPastItsLeaseDoesNotCommitOverTheNewHolder() throws Exception {
    try (PostgresJournal q = handle(Duration.ofSeconds(30), () -> {})) {
      AtomicBoolean once = new AtomicBoolean();
      AtomicReference<Journal.Lease> qLease = new AtomicReference<>();
      AtomicBoolean qSawEntry = new AtomicBoolean();
      Runnable pause =
          () -> {
            if (once.getAndSet(true)) {
              return;
            }
            try {
              try {
                // The merge holds its keys' lease rows locked: expiring them must wait, and it
                // gives up after a second here.
                cluster.psql(
                    "set lock_timeout = '1s'; update edlink_idem_leases set expires_at = now() -"
                        + " interval '1 second'");
              } catch (IllegalStateException lockedByTheMerge) {
                // as it should be
              }
              qLease.set(q.lease("k-1")); // the next process takes the key, as it may
              qSawEntry.set(q.find("k-1").isPresent());
            } catch (KeyInFlightException e) {
              // what would be right while the merge's transaction is open
            } catch (Exception e) {
              throw new RuntimeException(e);
            }
          };
      Entry theirs = succeeded("k-1", "{\"t\":1}");
      try (PostgresJournal m = handle(Duration.ofSeconds(30), pause)) {
        try {
          m.merge(List.of(theirs, succeeded("k-2", "{\"t\":2}")), false);
        } catch (JournalException e) {
          // a fenced merge refusing is fine
        }
      }
      if (qLease.get() != null) {
        // The new holder saw no entry (NEW), so it journals its own request under k-1 and sends.
        assertFalse(qSawEntry.get());
        try (Journal.Lease l = qLease.get()) {
          l.begin(request("{\"other\":1}"), T0.plusSeconds(60), () -> {});
        }
        System.err.println("k-1 after both: " + q.find("k-1") + " problems " + q.problems());
      }
      assertEquals(
          null,
          qLease.get(),
          "a second holder took k-1 while the merge's uncommitted write of it was open, and the"
              + " merge then committed anyway");
    }
  }

  /**
   * The file journal refuses a begin over a key whose file holds a damaged record ("may be this
   * key's earlier request"); the PostgreSQL journal appends the begin and the key is sent as new.
   */
  @Test
  void aBeginOverADamagedRecordOfTheSameKeyIsRefused() throws Exception {
    try (PostgresJournal j = handle(Duration.ofSeconds(30), () -> {})) {
      cluster.psql(
          "insert into edlink_idem_records (key, record) values"
              + " ('k-d', convert_to('{\"k\":\"k-d\",\"damaged\":true}' || chr(10), 'UTF8'))");
      try (Journal.Lease lease = j.lease("k-d")) {
        assertTrue(lease.entry().isEmpty());
        assertThrows(
            JournalException.class,
            () -> lease.begin(request("{}"), T0, () -> {}),
            "begin went ahead over a damaged record of the same key");
      }
    }
  }

  /** problems() is only what the last fold saw: summaries() (list, expiring) never reports. */
  @Test
  void summariesReportUnreadableRecords() throws Exception {
    try (PostgresJournal j = handle(Duration.ofSeconds(30), () -> {})) {
      try (Journal.Lease l = j.lease("k-ok")) {
        l.begin(request("{}"), T0, () -> {});
      }
      cluster.psql(
          "insert into edlink_idem_records (key, record) values"
              + " ('k-bad', convert_to('not json' || chr(10), 'UTF8'))");
      j.entries();
      assertEquals(1, j.problems().size());
      j.find("k-ok");
      assertEquals(1, j.problems().size(), "a find of another key forgot the problem");
    }
  }

  /** A renewals connection lost once is never made again: the holder, alive, loses its keys. */
  @Test
  void aLiveHolderKeepsItsLeaseWhenItsRenewalConnectionDropsOnce() throws Exception {
    try (PostgresJournal a = handle(Duration.ofSeconds(3), () -> {})) {
      Journal.Lease held = a.lease("k-r");
      held.begin(request("{}"), T0, () -> {});
      Thread.sleep(1500); // a renewal has run
      System.err.println(
          "killed: "
              + cluster.psql(
                  "select pg_terminate_backend(pid) from pg_stat_activity where"
                      + " position('set expires_at' in query) > 0 and pid <> pg_backend_pid()"));
      Thread.sleep(5000);

      try (PostgresJournal b = handle(Duration.ofSeconds(3), () -> {})) {
        assertThrows(
            KeyInFlightException.class,
            () -> b.lease("k-r"),
            "another process took k-r while its holder was alive and working");
      }
      held.close();
    }
  }

  /** A journal closed with a lease open leaves the key taken until the lease runs out. */
  @Test
  void closingTheJournalGivesBackItsLeases() throws Exception {
    PostgresJournal a = handle(Duration.ofSeconds(30), () -> {});
    Journal.Lease l = a.lease("k-c");
    a.close();
    l.close();
    try (PostgresJournal b = handle(Duration.ofSeconds(30), () -> {})) {
      b.lease("k-c").close();
    }
  }

  /**
   * A remove takes its keys' leases many at a time: a key whose lease row another process's open
   * transaction has locked is skipped as in flight, and the others are removed all the same.
   */
  @Test
  void aRemoveSkipsAKeyLockedByAnotherTransactionAndRemovesTheRest() throws Exception {
    try (PostgresJournal a = handle(Duration.ofSeconds(30), () -> {})) {
      for (String key : List.of("k-1", "k-2", "k-3")) {
        try (Journal.Lease l = a.lease(key)) {
          l.begin(request("{\"k\":\"" + key + "\"}"), T0);
        }
      }
      try (java.sql.Connection other = cluster.connect()) {
        other.setAutoCommit(false);
        try (java.sql.Statement st = other.createStatement()) {
          st.execute(
              "insert into edlink_idem_leases (key, holder, expires_at) values ('k-2',"
                  + " nextval('edlink_idem_holders'), now() - interval '1 second')");
        }
        var removed = a.remove(List.of("k-1", "k-2", "k-3"), false);
        other.rollback();
        assertEquals(List.of("k-1", "k-3"), removed.changed(), removed.toString());
        assertEquals(1, removed.skipped().size(), removed.toString());
        assertEquals("k-2", removed.skipped().get(0).key());
      }
      assertEquals(List.of("k-2"), a.summaries().stream().map(s -> s.key()).toList());
      // Its leases were given back: another process takes the keys at once.
      try (PostgresJournal b = handle(Duration.ofSeconds(30), () -> {})) {
        b.lease("k-1").close();
        b.lease("k-2").close();
      }
    }
  }

  /**
   * The final write gives the key back with it: another process may take the finished key at once,
   * before its holder closes the lease; until then, after a begin and an attempt, it may not.
   */
  @Test
  void theFinalWriteGivesTheLeaseBackAndNothingBeforeIt() throws Exception {
    try (PostgresJournal a = handle(Duration.ofSeconds(30), () -> {});
        PostgresJournal b = handle(Duration.ofSeconds(30), () -> {})) {
      Journal.Lease held = a.lease("k-f");
      held.begin(request("{\"f\":1}"), T0);
      held.recordAttempt(
          new Attempt(1, T0, Duration.ofMillis(30), Attempt.Result.NO_RESPONSE, 0, "reset", null));
      assertThrows(KeyInFlightException.class, () -> b.lease("k-f"), "taken while in flight");
      held.recordFinal(
          new Attempt(2, T0, Duration.ofMillis(30), Attempt.Result.RESPONSE, 201, null, "r"),
          new Outcome(
              EntryState.SUCCEEDED,
              T0,
              new RecordedResponse(201, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
              "post"));
      try (Journal.Lease next = b.lease("k-f")) {
        assertEquals(EntryState.SUCCEEDED, next.entry().orElseThrow().state());
      }
      held.close();
      assertEquals("", cluster.psql("select key from edlink_idem_leases").strip(), "no lease left");
    }
  }
}
