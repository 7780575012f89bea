package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of c04d9ec (KeyResolver through keysStartingWith) and 20a61c1 (Window.hasEnded through
 * startsEndedBy): behaviour that changed from the commit before them. Each test fails on 20a61c1.
 */
class PrefixAndWindowReviewTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");

  @TempDir Path tmp;

  /**
   * A whole key shorter than a prefix may be ("abc" is a key as good as any) whose records are
   * damaged but whose summary stands (a finished line of the summary cache): before c04d9ec show
   * and replay said its records are damaged; now they say no entry has the key, which is untrue.
   */
  @Test
  void aShortKeyWhoseRecordsAreDamagedIsSaidToBeDamagedNotMissing() throws Exception {
    try (FileJournal journal = FileJournal.open(tmp)) {
      CompactionTest.write(journal, "abc", "{}", T0, true);
      assertTrue(journal.summaries().stream().anyMatch(s -> s.key().equals("abc")));
    }
    Path file = new Layout(tmp).entryFile(Layout.hash("abc"));
    byte[] bytes = Files.readAllBytes(file);
    bytes[20] ^= 0x01; // inside the begin record
    Files.write(file, bytes);
    try (FileJournal journal = FileJournal.open(tmp)) {
      assertTrue(journal.find("abc").isEmpty(), "precondition: its records cannot be read");
      assertTrue(
          journal.summaries().stream().anyMatch(s -> s.key().equals("abc")),
          "precondition: its summary stands");
      String message =
          assertThrows(JournalException.class, () -> KeyResolver.entry(journal, "abc"))
              .getMessage();
      assertTrue(
          message.startsWith("the entry of abc cannot be read: its records are damaged: ")
              && message.contains("checksum mismatch"),
          message);
    }
  }

  /**
   * A window that started at Instant.MIN (a record can say so: records are parsed with
   * Instant.parse, and a merged or hand-made journal may carry one) ended long ago: before 20a61c1
   * hasEnded said so; now Starts.contains excludes its own lower bound, Instant.MIN.
   */
  @Test
  void aWindowThatStartedAtTheEarliestInstantHasEnded() {
    assertTrue(new Window(Instant.MIN).hasEnded(T0));
    assertTrue(Window.startsEndedBy(T0).contains(Instant.MIN));
  }

  /** An entry whose window started at Instant.MIN is pruned, as it was before 20a61c1. */
  @Test
  void anEntryFromTheEarliestInstantIsAmongThoseWhoseWindowHasEnded() throws Exception {
    try (FileJournal journal = FileJournal.open(tmp)) {
      CompactionTest.write(journal, "ancient-1", "{}", Instant.MIN, true);
      CompactionTest.write(journal, "recent-1", "{}", T0, true);
      Instant now = T0.plus(Window.LENGTH).plusSeconds(1);
      assertEquals(
          java.util.List.of("ancient-1", "recent-1"),
          journal
              .summaries(
                  Selection.all(Selection.Order.OLDEST_FIRST).createdIn(Window.startsEndedBy(now)))
              .stream()
              .map(EntrySummary::key)
              .toList());
    }
  }

  /**
   * EDLINK_IDEM_NOW may be any ISO instant; before 20a61c1 an open window was simply not ended at
   * the earliest one, now startsEndedBy(now) subtracts 30 days from it and throws.
   */
  @Test
  void hasEndedAtTheEarliestInstantDoesNotThrow() {
    assertFalse(new Window(T0).hasEnded(Instant.MIN));
  }
}
