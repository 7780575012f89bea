package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal written by version 1 of the format (the fixture was made by that code) stays readable.
 */
class Version1Test {
  @TempDir Path tmp;

  /** Copies the fixture into a fresh journal directory. */
  static Path version1Journal(Path dir) throws Exception {
    Files.createDirectories(dir);
    try (InputStream in = Version1Test.class.getResourceAsStream("v1/journal.jsonl")) {
      Files.write(dir.resolve("journal.jsonl"), in.readAllBytes());
    }
    return dir;
  }

  @Test
  void everyEntryOfAVersion1JournalIsRead() throws Exception {
    try (FileJournal journal = FileJournal.open(version1Journal(tmp.resolve("j")))) {
      List<Entry> entries = journal.entries();
      assertEquals(
          List.of("v1-succeeded-0001", "v1-pending-0002", "v1-failed-0003"),
          entries.stream().map(Entry::key).toList());
      Entry ok = entries.get(0);
      assertEquals(EntryState.SUCCEEDED, ok.state());
      assertEquals(Instant.parse("2026-10-01T08:00:00.123456Z"), ok.created());
      assertEquals(2, ok.attempts().size());
      assertEquals(
          "{\"$data\":{\"id\":\"a1\"}}",
          new String(ok.outcome().response().body(), StandardCharsets.UTF_8));
      assertArrayEquals(new byte[] {(byte) 0xff, 0, 1, '\n'}, entries.get(1).request().body());
      assertEquals(EntryState.PENDING, entries.get(1).state());
      assertEquals(EntryState.FAILED, entries.get(2).state());
      assertEquals("replay", entries.get(2).outcome().via());
      assertEquals(EntryState.PENDING, journal.find("v1-pending-0002").orElseThrow().state());
      assertEquals(3, journal.summaries().size());
      assertTrue(journal.problems().isEmpty(), journal.problems().toString());
    }
  }
}
