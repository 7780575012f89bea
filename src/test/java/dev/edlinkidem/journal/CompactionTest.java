package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Removing and merging entries: all or nothing, nothing in flight touched, nothing unreadable lost.
 */
class CompactionTest {
  private static final Instant T0 = Instant.parse("2026-10-01T08:00:00Z");

  @TempDir Path tmp;

  static JournaledRequest request(String body) {
    return new JournaledRequest(
        "POST",
        "https://ed.link/api/v2/graph/classes/c1/assignments",
        Map.of(),
        body.getBytes(StandardCharsets.UTF_8));
  }

  static void write(Journal journal, String key, String body, Instant at, boolean finish)
      throws Exception {
    try (Journal.Lease lease = journal.lease(key)) {
      lease.begin(request(body), at);
      lease.recordAttempt(
          new Attempt(1, at, Duration.ofMillis(5), Attempt.Result.NO_RESPONSE, 0, "closed", null));
      if (finish) {
        lease.recordAttempt(
            new Attempt(
                2,
                at.plusSeconds(1),
                Duration.ofMillis(5),
                Attempt.Result.RESPONSE,
                200,
                null,
                "r"));
        lease.recordOutcome(
            new Outcome(
                EntryState.SUCCEEDED,
                at.plusSeconds(1),
                new RecordedResponse(200, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
                "post"));
      }
    }
  }

  @Test
  void removeDropsOnlyTheNamedEntriesAndReportsTheBytes() throws Exception {
    Path dir = tmp.resolve("j");
    try (FileJournal journal = FileJournal.open(dir)) {
      write(journal, "old-1", "{\"a\":1}", T0, true);
      write(journal, "keep-1", "{\"a\":2}", T0.plusSeconds(60), false);
      long before = JournalFiles.recordBytes(dir);
      byte[] records = JournalFiles.records(dir);
      Compaction dry = journal.remove(List.of("old-1", "absent"), true);
      assertEquals(List.of("old-1"), dry.changed());
      assertArrayEquals(records, JournalFiles.records(dir), "a dry run changes nothing");
      Compaction done = journal.remove(List.of("old-1"), false);
      assertEquals(List.of("old-1"), done.changed());
      assertEquals(before, done.bytesBefore());
      assertEquals(JournalFiles.recordBytes(dir), done.bytesAfter());
      assertTrue(done.bytesAfter() < done.bytesBefore());
      assertEquals(dry.bytesAfter(), done.bytesAfter());
      assertEquals(List.of("keep-1"), journal.entries().stream().map(Entry::key).toList());
      // Appends after the rewrite land in the new log, from this process and from another.
      write(journal, "after-1", "{}", T0, true);
    }
    try (FileJournal journal = FileJournal.open(dir)) {
      assertEquals(
          List.of("keep-1", "after-1"), journal.entries().stream().map(Entry::key).toList());
      assertEquals(1, journal.find("keep-1").orElseThrow().attempts().size());
      assertTrue(journal.problems().isEmpty());
    }
  }

  @Test
  void anotherProcessesAppendAfterACompactionIsNotLost() throws Exception {
    Path dir = tmp.resolve("j");
    try (FileJournal a = FileJournal.open(dir);
        FileJournal b = FileJournal.open(dir)) {
      write(a, "x-1", "{}", T0, true);
      write(b, "x-2", "{}", T0, true); // b now has the log open
      a.remove(List.of("x-1"), false);
      write(b, "x-3", "{}", T0, true); // must go to the new log, not the unlinked old one
      assertEquals(List.of("x-2", "x-3"), a.entries().stream().map(Entry::key).toList());
    }
  }

  @Test
  void aKeyInFlightIsSkippedAndKept() throws Exception {
    try (FileJournal journal = FileJournal.open(tmp.resolve("j"));
        FileJournal other = FileJournal.open(tmp.resolve("j"))) {
      write(journal, "busy-1", "{}", T0, false);
      try (Journal.Lease held = other.lease("busy-1")) {
        Compaction c = journal.remove(List.of("busy-1"), false);
        assertTrue(c.changed().isEmpty());
        assertEquals("busy-1", c.skipped().get(0).key());
        assertEquals(held.key(), journal.find("busy-1").orElseThrow().key());
      }
    }
  }

  @Test
  void unreadableLinesAreKeptAsideNotLost() throws Exception {
    Path dir = tmp.resolve("j");
    try (FileJournal journal = FileJournal.open(dir)) {
      write(journal, "a-1", "{}", T0, true);
    }
    Files.writeString(
        JournalFiles.fileOf(dir, "a-1"),
        "this line is damaged\n",
        java.nio.file.StandardOpenOption.APPEND);
    try (FileJournal journal = FileJournal.open(dir)) {
      write(journal, "b-1", "{}", T0, true);
      journal.remove(List.of("a-1"), false);
      assertEquals(List.of("b-1"), journal.entries().stream().map(Entry::key).toList());
      assertTrue(
          journal.problems().isEmpty(), "the damaged line left the log: " + journal.problems());
    }
    assertEquals("this line is damaged\n", Files.readString(dir.resolve("unreadable.jsonl")));
  }

  @Test
  void mergeAddsFoldsAndRefusesAsPromised() throws Exception {
    Path ours = tmp.resolve("ours");
    Path theirs = tmp.resolve("theirs");
    try (FileJournal a = FileJournal.open(ours);
        FileJournal b = FileJournal.open(theirs)) {
      write(a, "same-1", "{\"t\":1}", T0, false); // pending here
      write(b, "same-1", "{\"t\":1}", T0.plusSeconds(5), true); // succeeded there
      write(a, "clash-1", "{\"t\":1}", T0, true);
      write(b, "clash-1", "{\"t\":2}", T0, true); // same key, another request
      write(b, "new-1", "{\"t\":3}", T0, true);
      List<Entry> incoming = b.entries();
      byte[] before = JournalFiles.records(ours);
      Compaction dry = a.merge(incoming, true);
      assertArrayEquals(before, JournalFiles.records(ours));
      Compaction c = a.merge(incoming, false);
      assertEquals(dry.changed(), c.changed());
      assertEquals(List.of("same-1", "new-1"), c.changed());
      assertEquals(1, c.skipped().size());
      assertEquals("clash-1", c.skipped().get(0).key());
      Entry folded = a.find("same-1").orElseThrow();
      assertEquals(EntryState.SUCCEEDED, folded.state());
      assertEquals(3, folded.attempts().size(), "one attempt here and two there");
      assertEquals(
          List.of(1, 2, 3),
          folded.attempts().stream().map(Attempt::number).toList(),
          "numbered in time order");
      assertEquals(T0, folded.created(), "the window starts at the earliest first attempt");
      assertEquals(
          "{\"t\":1}",
          new String(a.find("clash-1").orElseThrow().request().body(), StandardCharsets.UTF_8));
      assertEquals(List.of(), a.merge(incoming, false).changed(), "merging again changes nothing");
    }
  }
}
