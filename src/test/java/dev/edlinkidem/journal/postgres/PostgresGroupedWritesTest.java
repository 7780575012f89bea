package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyHasRecordsException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.request.JournaledRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Writes of many leases that come together are one statement and one commit, and each still hears
 * its own outcome: a lease lost, a key that has records, a record the database refuses.
 *
 * <p>The first write is held inside the database (a trigger waits for an advisory lock this test
 * holds) while the others queue behind it; let go, it ends, and they run as one group.
 */
class PostgresGroupedWritesTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static final long HOLD = 4242;
  private static PostgresCluster cluster;

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private PostgresJournal journal;
  private Connection test;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("grouped");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void open() throws Exception {
    cluster.dropJournal();
    Properties props = new Properties();
    props.setProperty("user", cluster.superuser());
    journal =
        PostgresJournal.open(
            cluster.jdbcUrl(),
            props,
            cluster.url(cluster.superuser()),
            Duration.ofMinutes(5),
            () -> {});
    test = new org.postgresql.Driver().connect(cluster.jdbcUrl(), props);
    // held-first waits, inside its insert, for the lock this test holds; refused-key is refused.
    cluster.psql(
        "create or replace function edlink_idem_test_group() returns trigger language plpgsql as"
            + " $$ begin"
            + " if new.key = 'held-first' then"
            + " perform set_config('lock_timeout', '0', true);"
            + " perform pg_advisory_xact_lock("
            + HOLD
            + "); end if; if new.key = 'refused-key' and tg_table_name = 'edlink_idem_records' then"
            + " raise exception 'disk full (the test)'; end if; return new; end $$; create trigger"
            + " edlink_idem_test_group before insert on edlink_idem_records for each row execute"
            + " function edlink_idem_test_group(); create trigger edlink_idem_test_group before"
            + " insert on edlink_idem_leases for each row execute function"
            + " edlink_idem_test_group()");
  }

  @AfterEach
  void close() throws Exception {
    threads.shutdownNow();
    if (test != null) {
      test.close();
    }
    if (journal != null) {
      journal.close();
    }
  }

  private static JournaledRequest request(String title) {
    return new JournaledRequest(
        "POST",
        "https://ed.link/api/v2/graph/classes/c1/assignments",
        Map.of(),
        ("{\"title\":\"" + title + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private void sql(String statement) throws Exception {
    try (Statement s = test.createStatement()) {
      s.execute(statement);
    }
  }

  private boolean heldInTheDatabase() throws Exception {
    try (Statement s = test.createStatement();
        ResultSet r =
            s.executeQuery("select count(*) from pg_stat_activity where wait_event = 'advisory'")) {
      r.next();
      return r.getInt(1) == 1;
    }
  }

  private static void waitFor(BooleanSupplierWithSql condition) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.get()) {
      assertTrue(System.nanoTime() < end, "timed out waiting");
      Thread.sleep(5);
    }
  }

  private interface BooleanSupplierWithSql {
    boolean get() throws Exception;
  }

  /**
   * Begins {@code keys} under their leases: the first is held in the database until the rest wait
   * for a group, then let go. What each begin came to, by key: its entry's key, or what it threw.
   */
  private Map<String, Object> beginTogether(Map<String, Journal.Lease> leases) throws Exception {
    sql("select pg_advisory_lock(" + HOLD + ")");
    Map<String, Future<String>> begun = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(leases.keySet());
    for (String key : keys) {
      Journal.Lease lease = leases.get(key);
      begun.put(key, threads.submit(() -> lease.begin(request(key), T0).key()));
      if (begun.size() == 1) {
        waitFor(this::heldInTheDatabase);
      } else {
        int queued = begun.size() - 1;
        waitFor(() -> journal.callsWaiting() == queued);
      }
    }
    sql("select pg_advisory_unlock(" + HOLD + ")");
    Map<String, Object> came = new LinkedHashMap<>();
    for (Map.Entry<String, Future<String>> e : begun.entrySet()) {
      try {
        came.put(e.getKey(), e.getValue().get(20, TimeUnit.SECONDS));
      } catch (ExecutionException failed) {
        came.put(e.getKey(), failed.getCause());
      }
    }
    return came;
  }

  private Map<String, Journal.Lease> leases(String... keys) throws Exception {
    Map<String, Journal.Lease> leases = new LinkedHashMap<>();
    for (String key : keys) {
      leases.put(key, journal.lease(key));
    }
    return leases;
  }

  @Test
  void eachWriteOfAGroupHearsItsOwnOutcome() throws Exception {
    Map<String, Journal.Lease> leases =
        leases("held-first", "lost-lease", "written", "has-records");
    // Another process took lost-lease over; a record of has-records came after its lease was
    // taken (a writer that ignored it).
    sql("update edlink_idem_leases set holder = -1 where key = 'lost-lease'");
    sql(
        "insert into edlink_idem_records (key, record)"
            + " values ('has-records', convert_to('{}' || chr(10), 'UTF8'))");

    Map<String, Object> came = beginTogether(leases);

    assertEquals("held-first", came.get("held-first"));
    assertEquals("written", came.get("written"));
    JournalException lost = assertInstanceOf(JournalException.class, came.get("lost-lease"));
    assertTrue(lost.getMessage().contains("passed to another process"), lost.getMessage());
    assertInstanceOf(KeyHasRecordsException.class, came.get("has-records"));
    assertArrayEquals(
        new long[] {2, 4}, journal.forcedGroups(), "the three after the first were one group");
    assertArrayEquals(
        new long[] {2, 2}, journal.forcesShared(), "two commits: held-first's, then written's");
    assertEquals(
        "has-records|1\nheld-first|1\nwritten|1",
        cluster
            .psql("select key, count(*) from edlink_idem_records group by key order by key")
            .strip());
    assertEquals(
        "held-first\nwritten",
        cluster.psql("select key from edlink_idem_entries order by key").strip());
  }

  @Test
  void leasesAskedForTogetherAreTakenInOneGroupAndEachHearsItsOwn() throws Exception {
    // Another process holds in-flight, for a while yet.
    sql(
        "insert into edlink_idem_leases (key, holder, expires_at)"
            + " values ('in-flight', -1, now() + interval '1 hour')");
    sql(
        "insert into edlink_idem_records (key, record)"
            + " values ('has-records', convert_to('{}' || chr(10), 'UTF8'))");
    sql("select pg_advisory_lock(" + HOLD + ")");
    List<String> keys = List.of("held-first", "free", "in-flight", "has-records");
    List<Future<Object>> taken = new ArrayList<>();
    for (String key : keys) {
      taken.add(
          threads.submit(
              () -> {
                try {
                  return journal.lease(key);
                } catch (KeyInFlightException e) {
                  return e;
                }
              }));
      if (taken.size() == 1) {
        waitFor(this::heldInTheDatabase);
      } else {
        int queued = taken.size() - 1;
        waitFor(() -> journal.callsWaiting() == queued);
      }
    }
    sql("select pg_advisory_unlock(" + HOLD + ")");
    Journal.Lease first = (Journal.Lease) taken.get(0).get(20, TimeUnit.SECONDS);
    Journal.Lease free = (Journal.Lease) taken.get(1).get(20, TimeUnit.SECONDS);
    KeyInFlightException inFlight =
        assertInstanceOf(KeyInFlightException.class, taken.get(2).get(20, TimeUnit.SECONDS));
    Journal.Lease hasRecords = (Journal.Lease) taken.get(3).get(20, TimeUnit.SECONDS);
    assertArrayEquals(new long[] {2, 4}, journal.leaseGroups(), "the three after the first");
    assertEquals("held-first", first.key());
    assertTrue(free.blank());
    assertTrue(inFlight.getMessage().contains("in-flight"), inFlight.getMessage());
    assertEquals("has-records", hasRecords.key());
    assertTrue(!hasRecords.blank(), "its record was read with its lease");
    assertEquals(
        "free\nhas-records\nheld-first\nin-flight",
        cluster.psql("select key from edlink_idem_leases order by key").strip());
    assertEquals(
        "-1",
        cluster.psql("select holder from edlink_idem_leases where key = 'in-flight'").strip());
  }

  @Test
  void aWriteTheDatabaseRefusesFailsAloneAndTheRestOfItsGroupIsWritten() throws Exception {
    Map<String, Journal.Lease> leases = leases("held-first", "refused-key", "written");

    Map<String, Object> came = beginTogether(leases);

    assertEquals("held-first", came.get("held-first"));
    assertEquals("written", came.get("written"));
    JournalException refused = assertInstanceOf(JournalException.class, came.get("refused-key"));
    assertTrue(
        refused.getMessage().startsWith("cannot write key refused-key")
            && refused.getMessage().contains("disk full (the test)"),
        refused.getMessage());
    assertArrayEquals(new long[] {2, 3}, journal.forcedGroups());
    assertArrayEquals(
        new long[] {2, 2},
        journal.forcesShared(),
        "the group's statement failed; written was then committed alone");
    assertEquals(
        "held-first\nwritten",
        cluster.psql("select distinct key from edlink_idem_records order by key").strip());
  }
}
