package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The summary cache is derived: stale, missing, damaged or outgrown, listing still says what the
 * files say.
 */
class SummaryCacheTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");

  @TempDir Path tmp;
  private Path dir;
  private Path cache;

  @BeforeEach
  void journalSome() throws Exception {
    dir = tmp.resolve("j");
    cache = dir.resolve("summary.tsv");
    try (FileJournal journal = FileJournal.open(dir)) {
      for (int i = 0; i < 20; i++) {
        CompactionTest.write(
            journal, "key-" + i, "{\"n\":" + i + "}", T0.plusSeconds(i), i % 4 != 0);
      }
    }
  }

  /** What listing must say: the summaries of the entries as the files have them. */
  private List<EntrySummary> truth() throws Exception {
    try (FileJournal journal = FileJournal.open(dir)) {
      return journal.entries().stream().map(EntrySummary::of).toList();
    }
  }

  private List<EntrySummary> listed() throws Exception {
    try (FileJournal journal = FileJournal.open(dir)) {
      return journal.summaries();
    }
  }

  /**
   * Makes every entry directory look untouched for an hour, so that the cache records it as
   * verified.
   */
  private void settleDirectories() throws Exception {
    FileTime hourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    for (String d : Catalog.entryDirectories(dir.resolve("entries"))) {
      Files.setLastModifiedTime(dir.resolve("entries").resolve(d), hourAgo);
    }
    listed();
  }

  @Test
  void aMissingCacheIsRebuiltFromTheFiles() throws Exception {
    List<EntrySummary> expected = truth();
    Files.delete(cache);
    assertEquals(expected, listed());
    assertTrue(Files.exists(cache));
    assertEquals(expected, listed());
  }

  @Test
  void aDamagedCacheIsReadAroundAndRewritten() throws Exception {
    settleDirectories();
    List<EntrySummary> expected = truth();
    byte[] bytes = Files.readAllBytes(cache);
    bytes[bytes.length / 2] ^= 0x20; // a flipped bit somewhere in the middle
    Files.write(cache, bytes);
    assertEquals(expected, listed());
    assertEquals(0, SummaryCache.load(cache).damaged, "rewritten whole");
    Files.write(
        cache,
        "E\ttorn line with no end".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    assertEquals(expected, listed());
    assertEquals(0, SummaryCache.load(cache).damaged);
  }

  @Test
  void aCacheThatIsNotACacheAtAllIsRebuilt() throws Exception {
    List<EntrySummary> expected = truth();
    Files.writeString(cache, "hello\n\n\u0000\u0000\u0000");
    assertEquals(expected, listed());
  }

  @Test
  void aPendingLineIsCheckedAgainstItsFile() throws Exception {
    // A crash after forcing the outcome and before its cache line: the file moved on, the cache did
    // not.
    Path file = JournalFiles.fileOf(dir, "key-0");
    Files.write(
        file,
        RecordCodec.encode(
            RecordCodec.outcome(
                "key-0",
                new Outcome(
                    EntryState.SUCCEEDED,
                    T0.plusSeconds(9),
                    new RecordedResponse(200, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
                    "replay"))),
        StandardOpenOption.APPEND);
    List<EntrySummary> expected = truth();
    assertEquals(EntryState.SUCCEEDED, expected.get(0).state());
    assertEquals(expected, listed());
    SummaryCache.Line healed = SummaryCache.load(cache).entries.get("key-0");
    assertEquals(EntryState.SUCCEEDED, healed.summary().state(), "the cache learned it");
  }

  @Test
  void aFileTheCacheNeverHeardOfIsFoundByItsDirectorysMtime() throws Exception {
    settleDirectories();
    SummaryCache.Snapshot before = SummaryCache.load(cache);
    assertFalse(before.dirs.isEmpty(), "settled directories are recorded as verified");
    // A crash (or a power cut) after a key's file was created and before its cache line was
    // written.
    byte[] content =
        RecordCodec.encodeEntry(
            new Entry(
                "lost-line",
                T0,
                CompactionTest.request("{}"),
                CompactionTest.request("{}").fingerprint(),
                List.of(),
                null));
    Path file = JournalFiles.fileOf(dir, "lost-line");
    Files.createDirectories(file.getParent());
    Files.write(file, content);
    List<EntrySummary> all = listed();
    assertTrue(all.stream().anyMatch(s -> s.key().equals("lost-line")), "found and added");
    assertEquals(truth(), all);
  }

  @Test
  void aRecentlyChangedDirectoryIsNotRecordedAsVerified() throws Exception {
    listed(); // every directory was written to just now
    SummaryCache.Snapshot s = SummaryCache.load(cache);
    assertTrue(
        s.dirs.isEmpty(),
        "a change within the same clock tick could hide behind an unchanged mtime: " + s.dirs);
  }

  @Test
  void aFileDeletedByHandLeavesTheListing() throws Exception {
    settleDirectories();
    Files.delete(JournalFiles.fileOf(dir, "key-5"));
    List<EntrySummary> all = listed();
    assertFalse(all.stream().anyMatch(s -> s.key().equals("key-5")));
    assertEquals(truth(), all);
  }

  @Test
  void aPendingLineWithoutAFileIsDropped() throws Exception {
    // A crash after the cache line and before the file was created (or the disk refused it).
    SummaryCache.Line ghost =
        SummaryCache.Line.of(
            new Entry(
                "ghost",
                T0,
                CompactionTest.request("{}"),
                CompactionTest.request("{}").fingerprint(),
                List.of(),
                null),
            200,
            0);
    SummaryCache.append(cache, List.of(SummaryCache.entryLine(ghost)));
    assertFalse(listed().stream().anyMatch(s -> s.key().equals("ghost")));
  }

  @Test
  void aFileWithNoReadableEntryIsReportedEveryTimeUntilItHasOne() throws Exception {
    settleDirectories();
    // A begin record torn by a crash: nothing was sent, but the file is there and says so.
    Path file = JournalFiles.fileOf(dir, "torn-begin");
    Files.createDirectories(file.getParent());
    byte[] begin =
        RecordCodec.encode(RecordCodec.begin("torn-begin", T0, CompactionTest.request("{}")));
    Files.write(file, java.util.Arrays.copyOf(begin, begin.length / 2));
    for (int i = 0; i < 2; i++) {
      try (FileJournal journal = FileJournal.open(dir)) {
        assertEquals(20, journal.summaries().size());
        assertEquals(1, journal.problems().size(), "read " + i);
        assertTrue(journal.problems().get(0).reason().contains("torn"));
      }
    }
    try (FileJournal journal = FileJournal.open(dir)) {
      CompactionTest.write(
          journal, "torn-begin", "{}", T0, true); // posted again: journaled after the torn line
      assertEquals(
          EntryState.SUCCEEDED,
          journal.summaries().stream()
              .filter(s -> s.key().equals("torn-begin"))
              .findFirst()
              .orElseThrow()
              .state());
      assertEquals(
          1, journal.problems().size(), "the torn line is still there, and still reported");
    }
  }

  @Test
  void aCacheOfMostlySupersededLinesIsCompacted() throws Exception {
    List<String> lines = Files.readAllLines(cache);
    StringBuilder repeated = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      lines.forEach(l -> repeated.append(l).append('\n'));
    }
    Files.writeString(cache, repeated);
    long big = Files.size(cache);
    assertEquals(truth(), listed());
    assertTrue(Files.size(cache) < big / 10, "rewritten: " + Files.size(cache) + " of " + big);
    assertEquals(truth(), listed());
  }

  @Test
  void aWriteWithTheCacheUnwritableStillJournals() throws Exception {
    Files.delete(cache);
    Files.createDirectory(cache); // nothing can be appended to a directory
    try (FileJournal journal = FileJournal.open(dir)) {
      CompactionTest.write(journal, "no-cache", "{}", T0, true);
      assertEquals(EntryState.SUCCEEDED, journal.find("no-cache").orElseThrow().state());
      assertEquals(21, journal.summaries().size(), "listing reads the files instead");
    }
    assertNotEquals(0, JournalFiles.entryFiles(dir).size());
  }
}
