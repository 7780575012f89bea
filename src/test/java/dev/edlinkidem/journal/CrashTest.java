package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Remove and merge are all or nothing: stopped at any step as a crash would stop them, the next
 * process to open the journal finds it as it was or as the change leaves it, never in between.
 */
class CrashTest {
  private static final Instant T0 = Instant.parse("2026-10-01T08:00:00Z");
  private static final List<String> KEYS =
      List.of("a-1", "a-2", "a-3", "a-4", "a-5", "a-6", "a-7", "a-8");

  @TempDir Path tmp;

  /** What a crash looks like to the code it stops: nothing after it runs, not even clean-up. */
  static final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    Crash(String step) {
      super("crash at " + step);
    }
  }

  static Transaction.Steps crashAt(String step) {
    return reached -> {
      if (reached.equals(step)) {
        throw new Crash(step);
      }
    };
  }

  private Path journal() throws Exception {
    Path dir = tmp.resolve("j");
    try (FileJournal journal = FileJournal.open(dir)) {
      for (int i = 0; i < KEYS.size(); i++) {
        CompactionTest.write(
            journal, KEYS.get(i), "{\"i\":" + i + "}", T0.plusSeconds(i), i % 3 != 0);
      }
    }
    return dir;
  }

  private static List<String> keys(Path dir) throws Exception {
    try (FileJournal journal = FileJournal.open(dir)) {
      List<String> keys = journal.entries().stream().map(Entry::key).toList();
      assertEquals(
          keys, journal.summaries().stream().map(EntrySummary::key).toList(), "listing agrees");
      assertTrue(journal.problems().isEmpty(), journal.problems().toString());
      return keys;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"staged", "committed", "half-applied"})
  void aRemoveStoppedAtAnyStepIsWholeOrNotAtAll(String step) throws Exception {
    Path dir = journal();
    byte[] before = JournalFiles.records(dir);
    List<String> gone = List.of("a-2", "a-3", "a-5", "a-6", "a-8");
    try (FileJournal journal = FileJournal.open(dir, crashAt(step))) {
      assertThrows(Crash.class, () -> journal.remove(gone, false));
    }
    assertTrue(Files.isDirectory(dir.resolve("txn")), "the crash left its change behind");
    List<String> after = keys(dir);
    assertFalse(Files.exists(dir.resolve("txn")), "the next reader finished or discarded it");
    if (step.equals("staged")) {
      assertEquals(KEYS, after, "not committed: as it was");
      assertArrayEquals(before, JournalFiles.records(dir));
    } else {
      List<String> left = new ArrayList<>(KEYS);
      left.removeAll(gone);
      assertEquals(left, after, "committed: as the remove leaves it");
    }
    try (FileJournal journal = FileJournal.open(dir)) {
      CompactionTest.write(journal, "later", "{}", T0, true); // and it goes on working
      assertEquals(EntryState.SUCCEEDED, journal.find("later").orElseThrow().state());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"staged", "committed", "half-applied"})
  void aMergeStoppedAtAnyStepIsWholeOrNotAtAll(String step) throws Exception {
    Path dir = journal();
    Path other = tmp.resolve("other");
    List<Entry> incoming;
    try (FileJournal theirs = FileJournal.open(other)) {
      CompactionTest.write(
          theirs, "a-1", "{\"i\":0}", T0.plusSeconds(30), true); // a-1 is pending here
      for (int i = 0; i < 6; i++) {
        CompactionTest.write(theirs, "b-" + i, "{\"b\":" + i + "}", T0.plusSeconds(40 + i), true);
      }
      incoming = theirs.entries();
    }
    byte[] before = JournalFiles.records(dir);
    try (FileJournal journal = FileJournal.open(dir, crashAt(step))) {
      assertThrows(Crash.class, () -> journal.merge(incoming, false));
    }
    List<String> after = keys(dir);
    try (FileJournal journal = FileJournal.open(dir)) {
      Entry a1 = journal.find("a-1").orElseThrow();
      if (step.equals("staged")) {
        assertEquals(KEYS, after);
        assertEquals(EntryState.PENDING, a1.state());
        assertArrayEquals(before, JournalFiles.records(dir));
      } else {
        List<String> all = new ArrayList<>(KEYS);
        all.addAll(List.of("b-0", "b-1", "b-2", "b-3", "b-4", "b-5"));
        assertEquals(all, after);
        assertEquals(EntryState.SUCCEEDED, a1.state(), "folded with the other journal's answer");
        assertEquals(3, a1.attempts().size());
      }
    }
  }

  @Test
  void aChangeLeftUncommittedOnDiskIsThrownAway() throws Exception {
    Path dir = journal();
    byte[] before = JournalFiles.records(dir);
    // Staged by hand, as a crash before the commit would leave it: a new file for a-1 and a plan,
    // not renamed.
    Path txn = Files.createDirectories(dir.resolve("txn"));
    String hash = Layout.hash("a-1");
    Files.writeString(txn.resolve(hash + ".jsonl"), "not what a-1 holds\n");
    Files.writeString(
        txn.resolve("plan"), "edlink-idem change, format 2\nput " + hash + "\nend 1\n");
    assertEquals(KEYS, keys(dir));
    assertArrayEquals(before, JournalFiles.records(dir));
    assertFalse(Files.exists(txn));
  }

  @Test
  void aChangeLeftCommittedOnDiskIsFinished() throws Exception {
    Path dir = journal();
    Path txn = Files.createDirectories(dir.resolve("txn"));
    String plan =
        "edlink-idem change, format 2\ndelete "
            + Layout.hash("a-4")
            + "\ndelete "
            + Layout.hash("a-7")
            + "\nend 2\n";
    Files.writeString(txn.resolve("commit"), plan);
    try (FileJournal journal = FileJournal.open(dir)) {
      assertFalse(journal.find("a-4").isPresent(), "even a single find finishes it first");
    }
    assertEquals(List.of("a-1", "a-2", "a-3", "a-5", "a-6", "a-8"), keys(dir));
  }

  @Test
  void aDamagedCommitIsNotGuessedAt() throws Exception {
    Path dir = journal();
    Path txn = Files.createDirectories(dir.resolve("txn"));
    Files.writeString(
        txn.resolve("commit"), "edlink-idem change, format 2\ndelete " + Layout.hash("a-4") + "\n");
    try (FileJournal journal = FileJournal.open(dir)) {
      JournalException e = assertThrows(JournalException.class, journal::summaries);
      assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }
    assertTrue(Files.exists(JournalFiles.fileOf(dir, "a-4")), "nothing was done with it");
  }

  @Test
  void aFailedStagingLeavesTheJournalAsItWas() throws Exception {
    Path dir = journal();
    byte[] before = JournalFiles.records(dir);
    Transaction.Steps diskFull =
        step -> {
          if (step.equals("staged")) {
            throw new java.io.IOException("No space left on device");
          }
        };
    try (FileJournal journal = FileJournal.open(dir, diskFull)) {
      JournalException e =
          assertThrows(JournalException.class, () -> journal.remove(List.of("a-1"), false));
      assertTrue(e.getMessage().contains("it is unchanged"), e.getMessage());
    }
    assertFalse(Files.exists(dir.resolve("txn")), "a failure (unlike a crash) cleans up at once");
    assertArrayEquals(before, JournalFiles.records(dir));
    assertEquals(KEYS, keys(dir));
  }
}
