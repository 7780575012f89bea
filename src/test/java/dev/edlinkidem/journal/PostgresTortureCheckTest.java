package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.journal.postgres.PostgresCluster;
import dev.edlinkidem.torture.PostgresJournalCheck;
import dev.edlinkidem.torture.PostgresWatch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash campaign's check of a PostgreSQL journal ({@link PostgresJournalCheck}): a prune, which
 * leaves tombstones, and the same keys journaled again after {@code prune --tombstones} lose
 * nothing; records really lost or changed, an entry gone without a tombstone, a pending one gone,
 * an unreadable record and a summary row that disagrees with the records are all seen.
 */
class PostgresTortureCheckTest {
  private static final Instant T0 = Instant.parse("2026-10-01T08:00:00Z");
  private static final List<String> FINISHED = List.of("a-1", "a-2", "a-3");

  @TempDir Path tmp;

  private PostgresCluster cluster;
  private PostgresWatch watch;

  @BeforeEach
  void startCluster() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(tmp);
    watch = PostgresWatch.connect(cluster.url(cluster.passwordUser()), cluster.password());
    try (Journal journal = watch.openJournal()) {
      for (int i = 0; i < FINISHED.size(); i++) {
        CompactionTest.write(journal, FINISHED.get(i), "{\"i\":" + i + "}", T0, true);
      }
      CompactionTest.write(journal, "p-1", "{\"p\":1}", T0, false);
    }
  }

  @AfterEach
  void stopCluster() throws Exception {
    if (watch != null) {
      watch.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aPruneAndTheSameKeysJournaledAgainAfterItLoseNothing() throws Exception {
    PostgresJournalCheck check = new PostgresJournalCheck(watch);
    assertEquals(List.of(), check.check());
    try (Journal journal = watch.openJournal()) {
      assertEquals(FINISHED, journal.remove(FINISHED, false).changed());
    }
    assertEquals(List.of(), check.check(), "after the prune");
    try (Journal journal = watch.openJournal()) {
      assertEquals(
          FINISHED.size(), journal.forgetTombstones(T0.plus(Duration.ofDays(60)), false).size());
      for (int i = 0; i < FINISHED.size(); i++) {
        CompactionTest.write(
            journal, FINISHED.get(i), "{\"i\":" + i + "}", T0.plus(Duration.ofDays(31)), true);
      }
      CompactionTest.write(journal, "p-2", "{\"p\":2}", T0, false);
    }
    assertEquals(List.of(), check.check(), "after the keys were journaled again");
    assertEquals(3, check.checked());
    assertTrue(check.recordsChecked() > 0);
  }

  @Test
  void recordsReallyChangedOrLostAreStillSeen() throws Exception {
    PostgresJournalCheck check = new PostgresJournalCheck(watch);
    assertEquals(List.of(), check.check());
    cluster.psql(
        "delete from edlink_idem_records where id = (select max(id) from edlink_idem_records"
            + " where key = 'a-2');"
            + " delete from edlink_idem_records where key in ('p-1', 'a-3');"
            + " delete from edlink_idem_entries where key in ('p-1', 'a-3');"
            + " update edlink_idem_records set record = overlay(record placing 'X' from 20)"
            + " where id = (select max(id) from edlink_idem_records where key = 'a-1')");
    List<String> found = check.check();
    assertEquals(6, found.size(), found.toString());
    assertTrue(
        found.stream().anyMatch(v -> v.startsWith("unreadable record after kill 1")),
        found::toString);
    assertTrue(
        found.stream().anyMatch(v -> v.startsWith("the summary rows disagree")), found::toString);
    assertTrue(found.contains("pending entry p-1 vanished after kill 1"), found::toString);
    assertTrue(
        found.contains("entry a-3 vanished without a tombstone after kill 1"), found::toString);
    assertTrue(found.contains("records of a-2 changed or lost after kill 1"), found::toString);
    assertTrue(found.contains("records of a-1 changed or lost after kill 1"), found::toString);
  }
}
