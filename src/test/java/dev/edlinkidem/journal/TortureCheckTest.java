package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.torture.FileJournalCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The crash campaign's check ({@link FileJournalCheck}) reads the journal as the tool does: a prune
 * killed after its commit has removed its entries, even while their files are still on disk, and
 * the same keys posted again after {@code prune --tombstones} are new entries, not changed ones
 * (TortureIT, seed 29349). It still sees records that are really lost or changed.
 */
class TortureCheckTest {
  private static final Instant T0 = Instant.parse("2026-10-01T08:00:00Z");
  private static final List<String> FINISHED = List.of("a-1", "a-2", "a-3");

  @TempDir Path tmp;

  private Path journal() throws Exception {
    Path dir = tmp.resolve("j");
    try (FileJournal journal = FileJournal.open(dir)) {
      for (int i = 0; i < FINISHED.size(); i++) {
        CompactionTest.write(journal, FINISHED.get(i), "{\"i\":" + i + "}", T0, true);
      }
      CompactionTest.write(journal, "p-1", "{\"p\":1}", T0, false);
    }
    return dir;
  }

  @ParameterizedTest
  @ValueSource(strings = {"committed", "half-applied"})
  void aPruneKilledAfterItsCommitAndItsKeysPostedAgainLoseNothing(String step) throws Exception {
    Path dir = journal();
    FileJournalCheck check = new FileJournalCheck(dir);
    assertEquals(List.of(), check.check());
    try (FileJournal journal = FileJournal.open(dir, CrashTest.crashAt(step))) {
      assertThrows(CrashTest.Crash.class, () -> journal.remove(FINISHED, false));
    }
    assertTrue(
        FINISHED.stream().anyMatch(k -> Files.exists(JournalFiles.fileOf(dir, k))),
        "the kill left files of removed entries on disk");
    assertEquals(List.of(), check.check(), "after the kill during the prune");
    // What the campaign's finish does: forget the tombstones, then run the batch again, which
    // journals the pruned lines anew under the same keys (and so the same file names).
    try (FileJournal journal = FileJournal.open(dir)) {
      assertEquals(
          FINISHED.size(), journal.forgetTombstones(T0.plus(Duration.ofDays(60)), false).size());
      for (int i = 0; i < FINISHED.size(); i++) {
        CompactionTest.write(
            journal, FINISHED.get(i), "{\"i\":" + i + "}", T0.plus(Duration.ofDays(31)), true);
      }
    }
    assertEquals(List.of(), check.check(), "after the finishing runs");
    assertEquals(3, check.checked());
  }

  @Test
  void recordsReallyChangedOrLostAreStillSeen() throws Exception {
    Path dir = journal();
    FileJournalCheck check = new FileJournalCheck(dir);
    assertEquals(List.of(), check.check());
    Path pending = JournalFiles.fileOf(dir, "p-1");
    Path finished = JournalFiles.fileOf(dir, "a-2");
    byte[] bytes = Files.readAllBytes(finished);
    Files.write(finished, Arrays.copyOf(bytes, bytes.length - 10));
    Files.delete(pending);
    List<String> found = check.check();
    assertEquals(3, found.size(), found.toString());
    assertTrue(
        found.stream().anyMatch(v -> v.startsWith("unreadable record after kill 1")),
        found::toString);
    assertTrue(
        found.stream().anyMatch(v -> v.startsWith("pending entry p-1 vanished")), found::toString);
    assertTrue(
        found.stream().anyMatch(v -> v.contains(finished.getFileName() + " changed or lost")),
        found::toString);
  }
}
