package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.Selection;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fifth review's tests, of listings read from a PostgreSQL journal: they failed when listings
 * were read by COPY (30be0ca), and pass with the cursor.
 */
class PostgresReadsReviewTest {
  private static PostgresCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(Files.createTempDirectory("reads-review"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * A read of keys stopped part-way by its consumer (a key that could not be handed on) must leave
   * the journal's pooled connection fit for the next call: every later read answers its own query.
   */
  @Test
  void readsAfterAKeysReadStoppedPartWayAnswerTheirOwnQueries() throws Exception {
    cluster.dropJournal();
    try (PostgresJournal journal = cluster.journal(Duration.ofSeconds(30))) {
      // Five entries: two pending, three succeeded.
      cluster.psql(
          "insert into edlink_idem_entries (key, first_record, created_ns, state, status,"
              + " attempts, method, url) select 'k-' || i, i, i * 1000000000::bigint,"
              + " case when i <= 2 then 'pending' else 'succeeded' end, 0, 1, 'POST',"
              + " 'https://h/p' from generate_series(1, 5) as i");
      Selection newest = Selection.all(Selection.Order.NEWEST_FIRST);
      RuntimeException stop = new IllegalStateException("a key could not be handed on");
      assertThrows(
          IllegalStateException.class,
          () ->
              journal.keys(
                  newest,
                  k -> {
                    throw stop;
                  }));
      assertEquals(List.of("k-3"), journal.keysStartingWith("k-3"), "keys starting with k-3");
      assertEquals(List.of("k-4"), journal.keysStartingWith("k-4"), "keys starting with k-4");
      List<EntrySummary> pending = journal.summaries(newest.inState(EntryState.PENDING));
      List<EntrySummary> succeeded = journal.summaries(newest.inState(EntryState.SUCCEEDED));
      List<EntrySummary> first = journal.summaries(newest.first(1));
      assertEquals(
          List.of("k-2", "k-1"), pending.stream().map(EntrySummary::key).toList(), "pending");
      assertEquals(
          List.of("k-5", "k-4", "k-3"),
          succeeded.stream().map(EntrySummary::key).toList(),
          "succeeded");
      assertEquals(List.of("k-5"), first.stream().map(EntrySummary::key).toList(), "newest");
    }
  }

  /**
   * From the seventh review: a streamed read whose commit's answer is lost, every row already
   * handed on, was read again on a new connection, and handed every row on twice (expiring listed
   * each entry twice). Each row is handed on once, then the read fails.
   */
  @Test
  void aStreamedReadWhoseCommitIsLostHandsEachRowOnOnceThenFails() throws Exception {
    cluster.dropJournal();
    try (PostgresJournal journal = cluster.journal(Duration.ofSeconds(30))) {
      cluster.psql(
          "insert into edlink_idem_entries (key, first_record, created_ns, state, status,"
              + " attempts, method, url) select 'k-' || i, i, i * 1000000000::bigint,"
              + " 'pending', 0, 1, 'POST', 'https://h/p' from generate_series(1, 5) as i");
    }
    List<String> oldest = List.of("k-1", "k-2", "k-3", "k-4", "k-5");
    for (boolean summaries : new boolean[] {true, false}) {
      try (CommitCuttingProxy proxy = new CommitCuttingProxy(cluster.port(), List.of(), true);
          PostgresJournal journal =
              cluster.journal(
                  "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/edlink",
                  Duration.ofSeconds(30),
                  () -> {})) {
        List<String> got = new ArrayList<>();
        Selection selection = Selection.all(Selection.Order.OLDEST_FIRST);
        proxy.arm("order by created_ns, key"); // the streamed read's own statement
        JournalException failed =
            assertThrows(
                JournalException.class,
                () -> {
                  if (summaries) {
                    journal.summaries(selection, s -> got.add(s.key()));
                  } else {
                    journal.keys(selection, got::add);
                  }
                });
        assertTrue(proxy.cut(), "the proxy cut the connection after the commit");
        assertEquals(oldest, got, summaries ? "summaries" : "keys");
        assertTrue(
            failed.getMessage().startsWith("cannot read the journal at "), failed.getMessage());
      }
    }
  }

  /**
   * A server whose role has a statement_timeout (as shared, managed servers often do) still lets
   * {@code list --format keys} stream a large journal to a reader slower than that timeout: each
   * round trip is short, however long the whole listing takes.
   */
  @Test
  void keysStreamToASlowReaderPastTheServersStatementTimeout() throws Exception {
    cluster.dropJournal();
    try (PostgresJournal journal = cluster.journal(Duration.ofSeconds(30))) {
      // 300,000 keys of about 130 characters: some 40 MB, more than the sockets' buffers hold.
      cluster.psql(
          "insert into edlink_idem_entries (key, first_record, created_ns, state, status,"
              + " attempts, method, url) select repeat(md5(i::text), 4) || i, i, i, 'pending',"
              + " 0, 1, 'POST', 'https://h/p' from generate_series(1, 300000) as i");
    }
    cluster.psql("alter role " + cluster.superuser() + " set statement_timeout = '1s'");
    try (PostgresJournal journal = cluster.journal(Duration.ofSeconds(30))) {
      int[] read = {0};
      // A reader (a pipe to a slow consumer) that takes 0.2 s every 10,000 keys: 6 s in all.
      journal.keys(
          Selection.all(Selection.Order.NEWEST_FIRST),
          key -> {
            if (++read[0] % 10_000 == 0) {
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          });
      assertEquals(300_000, read[0]);
    } finally {
      cluster.psql("alter role " + cluster.superuser() + " reset statement_timeout");
    }
  }
}
