package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyHasRecordsException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
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
 * Calls of many threads that come together run as one group (GroupedCalls in the PostgreSQL
 * journal), and each still hears its own outcome: a lease lost, a key that has records, a record
 * the database refuses, a key in flight; a group waits for no key locked elsewhere, re-checks a row
 * taken over while it waited, and ends when the journal is closed.
 *
 * <p>The first call is held inside the database (a trigger waits for an advisory lock this test
 * holds) while the others queue behind it; let go, it ends, and they run as one group.
 */
class PostgresGroupedWritesTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static final long HOLD = 4243;
  private static PostgresCluster cluster;

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private PostgresJournal journal;
  private Connection test;
  private Connection other;

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
    journal = cluster.journal(Duration.ofMinutes(5));
    test = cluster.connect();
    other = cluster.connect();
    // held-first waits, inside its insert (of a record or a lease row), for the lock this test
    // holds; a record of refused-key is refused.
    cluster.psql(
        "create or replace function edlink_idem_test_group() returns trigger language plpgsql as"
            + " $$ begin"
            + " if new.key = 'held-first' then"
            + " perform set_config('lock_timeout', '0', true);"
            + " perform pg_advisory_xact_lock("
            + HOLD
            + "); end if;"
            + " if new.key = 'refused-key' and tg_table_name = 'edlink_idem_records' then"
            + " raise exception 'disk full (the test)'; end if;"
            + " return new; end $$; create trigger"
            + " edlink_idem_test_group before insert on edlink_idem_records for each row execute"
            + " function edlink_idem_test_group(); create trigger edlink_idem_test_group before"
            + " insert on edlink_idem_leases for each row execute function"
            + " edlink_idem_test_group()");
  }

  @AfterEach
  void close() throws Exception {
    threads.shutdownNow();
    for (Connection c : new Connection[] {test, other}) {
      if (c != null) {
        c.close();
      }
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

  private void sqlOther(String statement) throws Exception {
    try (Statement s = other.createStatement()) {
      s.execute(statement);
    }
  }

  private int count(String query) throws Exception {
    try (Statement s = test.createStatement();
        ResultSet r = s.executeQuery(query)) {
      r.next();
      return r.getInt(1);
    }
  }

  private boolean heldInTheDatabase() throws Exception {
    return count("select count(*) from pg_stat_activity where wait_event = 'advisory'") == 1;
  }

  private int waitingOnRowLocks() throws Exception {
    return count(
        "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
            + " and wait_event in ('transactionid', 'tuple')");
  }

  private static void waitFor(Check condition) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.get()) {
      assertTrue(System.nanoTime() < end, "timed out waiting");
      Thread.sleep(5);
    }
  }

  private interface Check {
    boolean get() throws Exception;
  }

  private interface Call {
    Object run() throws Exception;
  }

  /**
   * Runs {@code first} (which must block on the advisory lock inside the database), then queues
   * {@code rest} behind it so that they form one group, and returns the futures; the advisory lock
   * is still held.
   */
  private List<Future<Object>> queue(Call first, List<Call> rest) throws Exception {
    sql("select pg_advisory_lock(" + HOLD + ")");
    List<Future<Object>> out = new ArrayList<>();
    out.add(threads.submit(() -> safely(first)));
    waitFor(this::heldInTheDatabase);
    for (Call c : rest) {
      out.add(threads.submit(() -> safely(c)));
      int queued = out.size() - 1;
      waitFor(() -> journal.callsWaiting() == queued);
    }
    return out;
  }

  private static Object safely(Call c) {
    try {
      return c.run();
    } catch (Exception e) {
      return e;
    }
  }

  private void letGo() throws Exception {
    sql("select pg_advisory_unlock(" + HOLD + ")");
  }

  /**
   * Read Committed re-check of the lateral 'for update' in APPEND: another process takes a key's
   * row over while a group of begins waits for it. The group must see the new holder and not write
   * that key's begin.
   */
  @Test
  void aTakeoverCommittedWhileAGroupWaitsForTheRowIsSeen() throws Exception {
    Journal.Lease first = journal.lease("held-first");
    Journal.Lease a = journal.lease("a");
    Journal.Lease lost = journal.lease("lost");
    List<Future<Object>> came =
        queue(
            () -> first.begin(request("f"), T0).key(),
            List.of(
                () -> a.begin(request("a"), T0).key(), () -> lost.begin(request("l"), T0).key()));
    other.setAutoCommit(false);
    sqlOther("update edlink_idem_leases set holder = -7 where key = 'lost'");
    letGo();
    waitFor(() -> waitingOnRowLocks() >= 1);
    other.commit();
    assertEquals("held-first", came.get(0).get(20, TimeUnit.SECONDS));
    assertEquals("a", came.get(1).get(20, TimeUnit.SECONDS));
    JournalException e =
        assertInstanceOf(JournalException.class, came.get(2).get(20, TimeUnit.SECONDS));
    assertTrue(e.getMessage().contains("passed to another process"), e.getMessage());
    assertEquals(0, count("select count(*) from edlink_idem_records where key = 'lost'"));
  }

  /**
   * The pipelined HELD read sees what a writer holding the row committed while TAKE_LEASES waited
   * for it.
   */
  @Test
  void aLeaseTakenAfterWaitingReadsWhatTheWriterCommitted() throws Exception {
    sql(
        "insert into edlink_idem_leases (key, holder, expires_at)"
            + " values ('k', -1, now() - interval '1 minute')");
    other.setAutoCommit(false);
    sqlOther("select 1 from edlink_idem_leases where key = 'k' for update");
    sqlOther(
        "insert into edlink_idem_records (key, record)"
            + " values ('k', convert_to('{}' || chr(10), 'UTF8'))");
    Future<Object> taken = threads.submit(() -> safely(() -> journal.lease("k")));
    waitFor(() -> waitingOnRowLocks() >= 1);
    other.commit();
    Journal.Lease l = assertInstanceOf(Journal.Lease.class, taken.get(20, TimeUnit.SECONDS));
    assertFalse(l.blank(), "the record committed while the take waited was not read");
  }

  /**
   * Keys whose lease rows another process's open transaction holds (a remove, a merge, a prune over
   * many keys) are each a key in flight after lock_timeout (2 s). Before d626e63 each worker waited
   * its own 2 s, in parallel, and a free key was taken at once. Now a group with n such keys waits
   * 2 s, then takes them one at a time, 2 s each, and every call of the group (the free keys too),
   * and every lease asked for meanwhile, waits for all of it.
   */
  @Test
  void keysLockedElsewhereStallTheFreeKeysOfTheirGroup() throws Exception {
    int locked = 5;
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < locked; i++) {
      values.append(i == 0 ? "" : ",").append("('x" + i + "', -1, now() + interval '1 hour')");
    }
    sql("insert into edlink_idem_leases (key, holder, expires_at) values " + values);
    other.setAutoCommit(false);
    sqlOther("select 1 from edlink_idem_leases where key like 'x%' for update");
    List<Call> rest = new ArrayList<>();
    rest.add(() -> journal.lease("free"));
    for (int i = 0; i < locked; i++) {
      String key = "x" + i;
      rest.add(
          () -> {
            try {
              return journal.lease(key);
            } catch (KeyInFlightException e) {
              return e;
            }
          });
    }
    List<Future<Object>> came = queue(() -> journal.lease("held-first"), rest);
    long start = System.nanoTime();
    letGo();
    Object free = came.get(1).get(60, TimeUnit.SECONDS);
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertInstanceOf(Journal.Lease.class, free);
    for (int i = 0; i < locked; i++) {
      assertInstanceOf(KeyInFlightException.class, came.get(2 + i).get(60, TimeUnit.SECONDS));
    }
    other.rollback();
    // Each locked key waiting out the 2 s lock timeout in turn would take 2 s a key or more.
    assertTrue(
        tookMillis < locked * 2_000,
        "a free key's lease took "
            + tookMillis
            + " ms, behind "
            + locked
            + " keys locked elsewhere");
  }

  /** close() while a group runs and calls wait: every call ends, none hangs. */
  @Test
  void closeWhileCallsWaitEndsThemAll() throws Exception {
    Journal.Lease first = journal.lease("held-first");
    Journal.Lease a = journal.lease("a");
    List<Future<Object>> came =
        queue(
            () -> first.begin(request("f"), T0).key(),
            List.of(() -> a.begin(request("a"), T0).key()));
    Future<Object> closing =
        threads.submit(
            () -> {
              journal.close();
              return "closed";
            });
    Thread.sleep(300);
    letGo();
    assertEquals("closed", closing.get(20, TimeUnit.SECONDS));
    came.get(0).get(20, TimeUnit.SECONDS);
    Object second = came.get(1).get(20, TimeUnit.SECONDS);
    if (second instanceof String) {
      assertEquals(1, count("select count(*) from edlink_idem_records where key = 'a'"));
    } else {
      assertEquals(0, count("select count(*) from edlink_idem_records where key = 'a'"));
    }
  }

  private Map<String, Journal.Lease> leases(String... keys) throws Exception {
    Map<String, Journal.Lease> leases = new LinkedHashMap<>();
    for (String key : keys) {
      leases.put(key, journal.lease(key));
    }
    return leases;
  }

  /**
   * Begins {@code leases} together: the first held in the database until the rest wait behind it.
   * What each came to, by key: its entry's key, or what it threw.
   */
  private Map<String, Object> beginTogether(Map<String, Journal.Lease> leases) throws Exception {
    List<Call> calls = new ArrayList<>();
    for (Map.Entry<String, Journal.Lease> e : leases.entrySet()) {
      calls.add(() -> e.getValue().begin(request(e.getKey()), T0).key());
    }
    List<Future<Object>> came = queue(calls.get(0), calls.subList(1, calls.size()));
    letGo();
    Map<String, Object> out = new LinkedHashMap<>();
    int i = 0;
    for (String key : leases.keySet()) {
      out.put(key, came.get(i++).get(20, TimeUnit.SECONDS));
    }
    return out;
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
        new long[] {2, 4}, journal.writeGroups(), "the three after the first were one group");
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
    List<Call> rest = new ArrayList<>();
    for (String key : List.of("free", "in-flight", "has-records")) {
      rest.add(() -> journal.lease(key));
    }
    List<Future<Object>> taken = queue(() -> journal.lease("held-first"), rest);
    letGo();
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
    assertFalse(hasRecords.blank(), "its record was read with its lease");
    assertEquals(
        "free\nhas-records\nheld-first\nin-flight",
        cluster.psql("select key from edlink_idem_leases order by key").strip());
    assertEquals(
        "-1",
        cluster.psql("select holder from edlink_idem_leases where key = 'in-flight'").strip());
  }

  @Test
  void aWriteTheDatabaseRefusesFailsAloneAndTheRestOfItsGroupIsWritten() throws Exception {
    Map<String, Object> came = beginTogether(leases("held-first", "refused-key", "written"));

    assertEquals("held-first", came.get("held-first"));
    assertEquals("written", came.get("written"));
    JournalException refused = assertInstanceOf(JournalException.class, came.get("refused-key"));
    assertTrue(
        refused.getMessage().startsWith("cannot write key refused-key")
            && refused.getMessage().contains("disk full (the test)"),
        refused.getMessage());
    assertArrayEquals(new long[] {2, 3}, journal.writeGroups());
    assertArrayEquals(
        new long[] {2, 2},
        journal.forcesShared(),
        "the group's statement failed; written was then committed alone");
    assertEquals(
        "held-first\nwritten",
        cluster.psql("select distinct key from edlink_idem_records order by key").strip());
  }

  private static Outcome succeeded() {
    return new Outcome(
        EntryState.SUCCEEDED,
        T0,
        new RecordedResponse(201, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
        "batch");
  }

  /**
   * A batch's outcomes need not wait for the disk and begins must: a group that holds a begin
   * commits waiting for the disk, outcomes and all; a group of outcomes alone does not wait.
   */
  @Test
  void aGroupWithABeginWaitsForTheDiskAndOneOfOutcomesAloneDoesNot() throws Exception {
    journal.leaveOutcomesUnforced();
    Map<String, Journal.Lease> begun = leases("begun-1", "begun-2", "begun-3");
    for (Map.Entry<String, Journal.Lease> e : begun.entrySet()) {
      e.getValue().begin(request(e.getKey()), T0);
    }
    Journal.Lease later = journal.lease("begun-later");
    assertArrayEquals(new long[] {3, 3}, journal.forcesShared(), "three begins, each alone");

    // An outcome and a begin queued together behind a held begin: one group, which waits.
    Journal.Lease held = journal.lease("held-first");
    List<Future<Object>> mixed =
        queue(
            () -> held.begin(request("held-first"), T0).key(),
            List.of(
                () -> {
                  begun.get("begun-1").recordOutcome(succeeded());
                  return "outcome";
                },
                () -> later.begin(request("begun-later"), T0).key()));
    letGo();
    for (Future<Object> f : mixed) {
      assertFalse(f.get(20, TimeUnit.SECONDS) instanceof Exception, String.valueOf(f.get()));
    }
    assertArrayEquals(new long[] {5, 6}, journal.writeGroups(), "held-first's, then the two");
    assertArrayEquals(
        new long[] {5, 6}, journal.forcesShared(), "the outcome was committed with the begin");

    // Two outcomes queued together behind a held begin: one group, which does not wait.
    Journal.Lease heldAgain = journal.lease("held-first-again");
    cluster.psql(
        "create or replace function edlink_idem_test_group() returns trigger language plpgsql as"
            + " $$ begin if new.key = 'held-first-again' then"
            + " perform set_config('lock_timeout', '0', true);"
            + " perform pg_advisory_xact_lock("
            + HOLD
            + "); end if; return new; end $$");
    List<Future<Object>> outcomes =
        queue(
            () -> heldAgain.begin(request("held-first-again"), T0).key(),
            List.of(
                () -> {
                  begun.get("begun-2").recordOutcome(succeeded());
                  return "outcome";
                },
                () -> {
                  begun.get("begun-3").recordOutcome(succeeded());
                  return "outcome";
                }));
    letGo();
    for (Future<Object> f : outcomes) {
      assertFalse(f.get(20, TimeUnit.SECONDS) instanceof Exception, String.valueOf(f.get()));
    }
    assertArrayEquals(new long[] {7, 9}, journal.writeGroups(), "held-first-again's, the two");
    assertArrayEquals(
        new long[] {6, 7}, journal.forcesShared(), "only held-first-again's commit waited");
  }
}
