package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Selection;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A read of keys stopped part-way by its consumer (a key that could not be handed on) must leave
 * the journal's pooled connection fit for the next call: every later read answers its own query.
 */
class PostgresStoppedReadTest {
  private static PostgresCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(Files.createTempDirectory("stopped-read"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void readsAfterAKeysReadStoppedPartWayAnswerTheirOwnQueries() throws Exception {
    cluster.dropJournal();
    Properties props = new Properties();
    props.setProperty("user", cluster.superuser());
    try (PostgresJournal journal =
        PostgresJournal.open(cluster.jdbcUrl(), props, "pg", Duration.ofSeconds(30), () -> {})) {
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
}
