package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An append whose COMMIT reached the server but whose answer was lost (the connection drops right
 * after it). appendNow catches the failed commit and answers "cannot tell whether key ... was
 * written"; it must never be run again ("A commit that fails is never run again"). But using() then
 * calls c.getAutoCommit() on the dead connection, which throws; being a repeatable() work on a
 * connection that was idle, it is run a second time on a new connection: the outcome's record is
 * appended twice and the caller hears that it was written once.
 */
class PostgresAppendCommitLostTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("commitlost");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anOutcomeWhoseCommitAnswerWasLostIsNotWrittenTwice() throws Exception {
    cluster.dropJournal();
    try (CommitCuttingProxy proxy = new CommitCuttingProxy(cluster.port(), List.of(), true);
        PostgresJournal j =
            cluster.journal(
                "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + cluster.database(),
                Duration.ofMinutes(5),
                () -> {})) {
      Journal.Lease l = j.lease("k-lost");
      l.begin(
          new JournaledRequest(
              "POST",
              "https://ed.link/api/v2/graph/classes/c1/assignments",
              Map.of(),
              "{}".getBytes(StandardCharsets.UTF_8)),
          T0);
      proxy.arm("k-lost");
      String heard;
      try {
        l.recordOutcome(
            new Outcome(
                EntryState.SUCCEEDED,
                T0,
                new RecordedResponse(201, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
                "post"));
        heard = "written";
      } catch (JournalException e) {
        heard = e.getMessage();
      }
      assertTrue(proxy.cut(), "the proxy never cut the outcome's commit");
      String records =
          cluster.psql("select count(*) from edlink_idem_records where key = 'k-lost'").strip();
      assertEquals(
          "2", records, "records of k-lost (begin + outcome expected); the caller heard: " + heard);
    }
  }

  /**
   * The same for a begin: run again, it finds its own record and the caller hears that the key
   * already has records "which may be this key's earlier request", not that it cannot tell whether
   * its begin was written; the begin is committed, so the key reads as pending.
   */
  @Test
  void aBeginWhoseCommitAnswerWasLostIsNotReportedAsAnEarlierRequest() throws Exception {
    cluster.dropJournal();
    try (CommitCuttingProxy proxy = new CommitCuttingProxy(cluster.port(), List.of(), true);
        PostgresJournal j =
            cluster.journal(
                "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + cluster.database(),
                Duration.ofMinutes(5),
                () -> {})) {
      Journal.Lease l = j.lease("b-lost");
      proxy.arm("b-lost");
      String heard;
      try {
        l.begin(
            new JournaledRequest(
                "POST",
                "https://ed.link/api/v2/graph/classes/c1/assignments",
                Map.of(),
                "{}".getBytes(StandardCharsets.UTF_8)),
            T0);
        heard = "written";
      } catch (JournalException e) {
        heard = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
      assertTrue(proxy.cut(), "the proxy never cut the begin's commit");
      assertTrue(
          heard.contains("cannot tell whether key b-lost was written"),
          "the caller heard: " + heard);
    }
  }
}
