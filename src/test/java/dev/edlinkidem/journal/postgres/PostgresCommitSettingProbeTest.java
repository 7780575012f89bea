package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Journal;
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
 * Review probe for 5cd0e2f: what synchronous_commit is in effect when each write's transaction
 * commits, seen by a deferred constraint trigger (it fires at commit, in the committing
 * transaction) that logs current_setting('synchronous_commit') for each record inserted.
 */
class PostgresCommitSettingProbeTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static final long HOLD = 4244;
  private static PostgresCluster cluster;

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private PostgresJournal journal;
  private Connection test;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("probe");
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
    cluster.psql("drop table if exists probe_log");
    journal = cluster.journal(Duration.ofMinutes(5));
    test = cluster.connect();
    cluster.psql(
        "create table probe_log (key text, sc text, tx xid8);"
            + " create or replace function probe_log() returns trigger language plpgsql as"
            + " $$ begin insert into probe_log values (new.key,"
            + " current_setting('synchronous_commit'), pg_current_xact_id()); return null; end $$;"
            + " create constraint trigger probe_log after insert on edlink_idem_records"
            + " deferrable initially deferred for each row execute function probe_log();"
            + " create or replace function probe_hold() returns trigger language plpgsql as"
            + " $$ begin if new.key like 'held-%' then"
            + " perform set_config('lock_timeout', '0', true);"
            + " perform pg_advisory_xact_lock("
            + HOLD
            + "); end if;"
            + " if new.key = 'refused-key' and tg_table_name = 'edlink_idem_records' then"
            + " raise exception 'refused (the test)'; end if; return new; end $$;"
            + " create trigger probe_hold before insert on edlink_idem_records"
            + " for each row execute function probe_hold()");
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

  private static Outcome succeeded() {
    return new Outcome(
        EntryState.SUCCEEDED,
        T0,
        new RecordedResponse(201, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
        "batch");
  }

  private String settings(String key) throws Exception {
    return cluster
        .psql("select string_agg(sc, ',' order by tx) from probe_log where key = '" + key + "'")
        .strip();
  }

  private void sql(String statement) throws Exception {
    try (Statement s = test.createStatement()) {
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

  private interface Call {
    Object run() throws Exception;
  }

  private static Object safely(Call c) {
    try {
      return c.run();
    } catch (Exception e) {
      return e;
    }
  }

  private static void waitFor(java.util.concurrent.Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.call()) {
      assertTrue(System.nanoTime() < end, "timed out waiting");
      Thread.sleep(5);
    }
  }

  private List<Future<Object>> queue(Call first, List<Call> rest) throws Exception {
    sql("select pg_advisory_lock(" + HOLD + ")");
    List<Future<Object>> out = new ArrayList<>();
    out.add(threads.submit(() -> safely(first)));
    waitFor(
        () -> count("select count(*) from pg_stat_activity where wait_event = 'advisory'") == 1);
    for (Call c : rest) {
      out.add(threads.submit(() -> safely(c)));
      int queued = out.size() - 1;
      waitFor(() -> journal.callsWaiting() == queued);
    }
    sql("select pg_advisory_unlock(" + HOLD + ")");
    for (Future<Object> f : out) {
      Object got = f.get(30, TimeUnit.SECONDS);
    }
    return out;
  }

  @Test
  void loneCallsOfAPost() throws Exception {
    Journal.Lease l = journal.lease("post");
    l.begin(request("post"), T0);
    l.recordAttempt(
        new Attempt(1, T0, Duration.ofMillis(9), Attempt.Result.RESPONSE, 201, null, "r1"));
    l.recordOutcome(succeeded());
    assertEquals("on,off,on", settings("post"), "begin, attempt, outcome of a post");
    journal.leaveOutcomesUnforced();
    Journal.Lease b = journal.lease("batch");
    b.begin(request("batch"), T0);
    b.recordOutcome(succeeded());
    assertEquals("on,off", settings("batch"), "begin, outcome of a batch");
  }

  @Test
  void mixedGroupsAndFallback() throws Exception {
    journal.leaveOutcomesUnforced();
    Journal.Lease o1 = journal.lease("o1");
    Journal.Lease o2 = journal.lease("o2");
    Journal.Lease o3 = journal.lease("o3");
    o1.begin(request("o1"), T0);
    o2.begin(request("o2"), T0);
    o3.begin(request("o3"), T0);
    Journal.Lease held = journal.lease("held-first");
    Journal.Lease b1 = journal.lease("b1");
    queue(
        () -> held.begin(request("held-first"), T0).key(),
        List.of(
            () -> {
              o1.recordOutcome(succeeded());
              return "o1";
            },
            () -> b1.begin(request("b1"), T0).key()));
    assertEquals("on,on", settings("o1"), "o1's outcome shared b1's group");
    assertEquals("on", settings("b1"));
    assertEquals(
        1,
        count(
            "select count(distinct tx) from probe_log where key in ('b1') or (key = 'o1'"
                + " and tx = (select max(tx) from probe_log where key = 'o1'))"),
        "one transaction");

    // A group that fails (refused-key) is re-run key by key, each with its own flag.
    Journal.Lease held2 = journal.lease("held-second");
    Journal.Lease refused = journal.lease("refused-key");
    Journal.Lease b2 = journal.lease("b2");
    List<Future<Object>> got =
        queue(
            () -> held2.begin(request("held-second"), T0).key(),
            List.of(
                () -> {
                  o2.recordOutcome(succeeded());
                  return "o2";
                },
                () -> b2.begin(request("b2"), T0).key(),
                () -> refused.begin(request("refused-key"), T0).key(),
                () -> {
                  o3.recordOutcome(succeeded());
                  return "o3";
                }));
    assertTrue(got.get(3).get() instanceof Exception, String.valueOf(got.get(3).get()));
    assertEquals("on,off", settings("o2"));
    assertEquals("on", settings("b2"));
    assertEquals("on,off", settings("o3"));
    assertFalse(settings("b2").isEmpty());
  }

  @Test
  void aBeginRunAgainOnANewConnectionAfterTheIdleOneWasCut() throws Exception {
    Journal.Lease l = journal.lease("cut");
    String cut =
        cluster.psql(
            "select pg_terminate_backend(pid) from pg_stat_activity where backend_type = 'client"
                + " backend' and pid <> pg_backend_pid() and application_name <> 'psql'"
                + " and pid <> "
                + count("select pg_backend_pid()"));
    assertTrue(cut.contains("t"), "no idle connection of the journal was cut: " + cut);
    Thread.sleep(200);
    l.begin(request("cut"), T0);
    assertEquals("on", settings("cut"));
  }
}
