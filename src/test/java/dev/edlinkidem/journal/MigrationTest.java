package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A format 1 journal (the fixture was written by format 1's code) moves into format 2 on its first
 * write.
 */
class MigrationTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static final List<String> OLD_KEYS =
      List.of("v1-succeeded-0001", "v1-pending-0002", "v1-failed-0003");

  @TempDir Path tmp;

  private static void postNew(FileJournal journal, String key) throws Exception {
    try (Journal.Lease lease = journal.lease(key)) {
      assertFalse(lease.entry().isPresent());
      lease.begin(CompactionTest.request("{\"new\":true}"), T0);
    }
  }

  @Test
  void theFirstWriteMovesEveryEntryAndKeepsTheOldLog() throws Exception {
    Path dir = Version1Test.version1Journal(tmp.resolve("j"));
    byte[] original = Files.readAllBytes(dir.resolve("journal.jsonl"));
    Files.setPosixFilePermissions(
        dir.resolve("journal.jsonl"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    List<Entry> before;
    try (FileJournal journal = FileJournal.open(dir)) {
      before = journal.entries();
      assertEquals(OLD_KEYS, before.stream().map(Entry::key).toList());
      journal.summaries();
      journal.find("v1-pending-0002");
      assertTrue(Files.isRegularFile(dir.resolve("journal.jsonl")), "reading moves nothing");
      postNew(journal, "v2-new");
    }
    assertArrayEquals(
        original, Files.readAllBytes(dir.resolve("journal.jsonl.v1-migrated")), "kept as it was");
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve("journal.jsonl.v1-migrated"))),
        "and closed to others");
    assertTrue(Files.isDirectory(dir.resolve("journal.jsonl")), "and format 1 is kept out");
    for (String key : OLD_KEYS) {
      assertTrue(Files.isRegularFile(JournalFiles.fileOf(dir, key)), key);
    }
    try (FileJournal journal = FileJournal.open(dir)) {
      List<Entry> after = journal.entries();
      assertEquals(
          List.of("v1-succeeded-0001", "v1-pending-0002", "v1-failed-0003", "v2-new"),
          after.stream().map(Entry::key).toList());
      for (int i = 0; i < before.size(); i++) {
        assertSameEntry(before.get(i), after.get(i));
      }
      assertEquals(after.stream().map(EntrySummary::of).toList(), journal.summaries());
      assertTrue(journal.problems().isEmpty(), journal.problems().toString());
    }
  }

  static void assertSameEntry(Entry expected, Entry actual) {
    assertEquals(expected.key(), actual.key());
    assertEquals(expected.created(), actual.created());
    assertEquals(expected.fingerprint(), actual.fingerprint());
    assertEquals(expected.request().url(), actual.request().url());
    assertEquals(expected.request().headers(), actual.request().headers());
    assertArrayEquals(expected.request().body(), actual.request().body());
    assertEquals(expected.attempts(), actual.attempts());
    assertEquals(expected.state(), actual.state());
    if (expected.outcome() != null) {
      assertEquals(expected.outcome().at(), actual.outcome().at());
      assertEquals(expected.outcome().via(), actual.outcome().via());
      assertEquals(expected.outcome().response().status(), actual.outcome().response().status());
      assertEquals(expected.outcome().response().headers(), actual.outcome().response().headers());
      assertArrayEquals(expected.outcome().response().body(), actual.outcome().response().body());
    }
  }

  @Test
  void aPendingEntryOfFormat1CanBeFinishedAfterTheMove() throws Exception {
    Path dir = Version1Test.version1Journal(tmp.resolve("j"));
    try (FileJournal journal = FileJournal.open(dir);
        Journal.Lease lease = journal.lease("v1-pending-0002")) {
      Entry pending = lease.entry().orElseThrow();
      assertEquals(1, pending.attempts().size());
      lease.recordAttempt(
          new Attempt(2, T0, Duration.ofMillis(30), Attempt.Result.RESPONSE, 200, null, "r"));
      lease.recordOutcome(
          new Outcome(
              EntryState.SUCCEEDED,
              T0,
              new RecordedResponse(200, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
              "replay"));
    }
    try (FileJournal journal = FileJournal.open(dir)) {
      Entry done = journal.find("v1-pending-0002").orElseThrow();
      assertEquals(EntryState.SUCCEEDED, done.state());
      assertEquals(2, done.attempts().size());
      assertEquals(EntryState.SUCCEEDED, journal.summaries().get(1).state());
    }
  }

  @Test
  void unreadableLinesOfFormat1AreKeptAside() throws Exception {
    Path dir = Version1Test.version1Journal(tmp.resolve("j"));
    List<String> lines = Files.readAllLines(dir.resolve("journal.jsonl"));
    lines.set(1, lines.get(1).replace("212", "213")); // a hand edit: the checksum no longer matches
    Files.write(dir.resolve("journal.jsonl"), lines);
    Files.writeString(
        dir.resolve("journal.jsonl"), "{\"v\":1,\"type\":\"att", StandardOpenOption.APPEND); // torn
    try (FileJournal journal = FileJournal.open(dir)) {
      assertEquals(3, journal.summaries().size());
      assertEquals(2, journal.problems().size());
      postNew(journal, "v2-new");
      assertTrue(
          journal.summaries().size() == 4 && journal.problems().isEmpty(),
          journal.problems().toString());
    }
    assertEquals(
        lines.get(1) + "\n{\"v\":1,\"type\":\"att\n",
        Files.readString(dir.resolve("unreadable.jsonl")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"staged", "committed", "half-applied"})
  void aMoveStoppedAtAnyStepIsWholeOrNotAtAll(String step) throws Exception {
    Path dir = Version1Test.version1Journal(tmp.resolve("j"));
    try (FileJournal journal = FileJournal.open(dir, CrashTest.crashAt(step))) {
      assertThrows(CrashTest.Crash.class, () -> postNew(journal, "v2-new"));
    }
    try (FileJournal journal = FileJournal.open(dir)) {
      assertEquals(
          OLD_KEYS,
          journal.entries().stream().map(Entry::key).toList(),
          "nothing lost, nothing twice");
      assertEquals(3, journal.summaries().size());
      assertTrue(journal.problems().isEmpty(), journal.problems().toString());
      assertEquals(!step.equals("staged"), Files.exists(dir.resolve("journal.jsonl.v1-migrated")));
      assertFalse(
          journal.find("v2-new").isPresent(),
          "the begin came after the move, so it was never written");
      postNew(journal, "v2-new");
      assertEquals(4, journal.entries().size());
    }
    assertFalse(Files.exists(dir.resolve("txn")));
  }

  @Test
  void aDryRunReadsFormat1WithoutMovingIt() throws Exception {
    Path dir = Version1Test.version1Journal(tmp.resolve("j"));
    long size = Files.size(dir.resolve("journal.jsonl"));
    try (FileJournal journal = FileJournal.open(dir)) {
      Compaction dry = journal.remove(List.of("v1-failed-0003"), true);
      assertEquals(List.of("v1-failed-0003"), dry.changed());
      assertEquals(size, dry.bytesBefore());
      assertTrue(Files.isRegularFile(dir.resolve("journal.jsonl")), "a dry run writes nothing");
      assertFalse(Files.exists(dir.resolve("entries")));
      Compaction done = journal.remove(List.of("v1-failed-0003"), false);
      assertEquals(dry.bytesAfter(), done.bytesAfter());
      assertEquals(JournalFiles.recordBytes(dir), done.bytesAfter());
      assertEquals(
          List.of("v1-succeeded-0001", "v1-pending-0002"),
          journal.entries().stream().map(Entry::key).toList());
    }
    assertTrue(Files.exists(dir.resolve("journal.jsonl.v1-migrated")));
  }

  @Test
  void aFormat1LogWrittenBesideFormat2IsFoldedIn() throws Exception {
    // An older edlink-idem ran on a format 2 journal whose guard had been removed by hand.
    Path dir = tmp.resolve("j");
    try (FileJournal journal = FileJournal.open(dir)) {
      CompactionTest.write(journal, "both", "{}", T0, false); // pending here
      postNew(journal, "v2-only");
    }
    Files.delete(dir.resolve("journal.jsonl/README"));
    Files.delete(dir.resolve("journal.jsonl"));
    Files.writeString(dir.resolve("journal.jsonl.v1-migrated"), "an earlier migration's log\n");
    StringBuilder v1 = new StringBuilder();
    for (com.google.gson.JsonObject o :
        List.of(
            RecordCodec.begin("both", T0, CompactionTest.request("{}")),
            RecordCodec.attempt(
                "both",
                new Attempt(
                    7, T0.plusSeconds(5), Duration.ZERO, Attempt.Result.RESPONSE, 200, null, "x")),
            RecordCodec.outcome(
                "both",
                new Outcome(
                    EntryState.SUCCEEDED,
                    T0.plusSeconds(5),
                    new RecordedResponse(200, Map.of(), new byte[0]),
                    "post")),
            RecordCodec.begin(
                "v1-only", T0.minusSeconds(60), CompactionTest.request("{\"old\":1}")))) {
      o.addProperty("v", 1);
      v1.append(new String(RecordCodec.encode(o), StandardCharsets.UTF_8));
    }
    Files.writeString(dir.resolve("journal.jsonl"), v1);
    try (FileJournal journal = FileJournal.open(dir)) {
      assertEquals(
          List.of("both", "v1-only", "v2-only"),
          journal.entries().stream().map(Entry::key).toList());
      assertEquals(
          EntryState.SUCCEEDED,
          journal.find("both").orElseThrow().state(),
          "read folded before the move");
      postNew(journal, "after");
      Entry both = journal.find("both").orElseThrow();
      assertEquals(EntryState.SUCCEEDED, both.state());
      assertEquals(2, both.attempts().size(), "this journal's attempt and the old log's");
      assertEquals(
          List.of("both", "v1-only", "v2-only", "after"),
          journal.summaries().stream().map(EntrySummary::key).toList());
    }
    assertEquals(
        "an earlier migration's log\n", Files.readString(dir.resolve("journal.jsonl.v1-migrated")));
    assertEquals(
        v1.toString(),
        Files.readString(dir.resolve("journal.jsonl.v1-migrated.2")),
        "never overwritten");
  }
}
