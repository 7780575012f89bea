package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.request.JournaledRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Review of d626e63 (GroupedCalls in the PostgreSQL journal). */
class PostgresGroupReviewTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static final long HOLD = 4243;
  private static PostgresCluster cluster;

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private PostgresJournal journal;
  private Connection test;
  private Connection other;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("groupreview");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Properties props() {
    Properties props = new Properties();
    props.setProperty("user", cluster.superuser());
    return props;
  }

  @BeforeEach
  void open() throws Exception {
    cluster.dropJournal();
    journal =
        PostgresJournal.open(
            cluster.jdbcUrl(),
            props(),
            cluster.url(cluster.superuser()),
            Duration.ofMinutes(5),
            () -> {});
    test = new org.postgresql.Driver().connect(cluster.jdbcUrl(), props());
    other = new org.postgresql.Driver().connect(cluster.jdbcUrl(), props());
    // held-first waits, inside its insert (of a record or a lease row), for the lock this test
    // holds.
    cluster.psql(
        "create or replace function edlink_idem_test_group() returns trigger language plpgsql as"
            + " $$ begin"
            + " if new.key = 'held-first' then"
            + " perform set_config('lock_timeout', '0', true);"
            + " perform pg_advisory_xact_lock("
            + HOLD
            + "); end if; return new; end $$; create trigger"
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
    Object f = came.get(0).get(20, TimeUnit.SECONDS);
    Object second = came.get(1).get(20, TimeUnit.SECONDS);
    System.out.println("first: " + f + "; second: " + second);
    if (second instanceof String) {
      assertEquals(1, count("select count(*) from edlink_idem_records where key = 'a'"));
    } else {
      assertEquals(0, count("select count(*) from edlink_idem_records where key = 'a'"));
    }
  }
}
