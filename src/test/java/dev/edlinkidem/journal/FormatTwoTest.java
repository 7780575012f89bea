package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Format 2's layout: one file per key, a summary cache that agrees with the files, the guard
 * against format 1.
 */
class FormatTwoTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00.123456789Z");

  @TempDir Path tmp;

  static JournaledRequest request(String url, byte[] body) {
    return new JournaledRequest("POST", url, Map.of("Accept", "application/json"), body);
  }

  static RecordedResponse response(int status, String body) {
    return new RecordedResponse(
        status,
        Map.of("Content-Type", List.of("application/json")),
        body.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Journals four kinds of entry, including keys and URLs with the characters a tab-separated cache
   * must escape.
   */
  static void journalFourKinds(Journal journal) throws Exception {
    try (Journal.Lease l = journal.lease("ok-1")) {
      l.begin(
          request(
              "https://ed.link/api/v2/graph/classes/c1/assignments",
              "{\"t\":1}".getBytes(StandardCharsets.UTF_8)),
          T0);
      l.recordAttempt(
          new Attempt(1, T0, Duration.ofMillis(9), Attempt.Result.RESPONSE, 201, null, "r1"));
      l.recordOutcome(
          new Outcome(
              EntryState.SUCCEEDED, T0.plusMillis(10), response(201, "{\"$data\":{}}"), "post"));
    }
    try (Journal.Lease l = journal.lease("odd\tkey\\with\nbreaks-ü")) {
      l.begin(
          request("https://ed.link/x?a=1\tb", new byte[] {(byte) 0xff, 0, '\t', '\n'}),
          T0.plusSeconds(1));
      l.recordAttempt(
          new Attempt(
              1,
              T0.plusSeconds(1),
              Duration.ofMillis(5000),
              Attempt.Result.TIMEOUT,
              0,
              "timed out",
              null));
    }
    try (Journal.Lease l = journal.lease("failed-1")) {
      l.begin(
          request(
              "https://ed.link/api/v2/graph/classes/c2/assignments",
              "{}".getBytes(StandardCharsets.UTF_8)),
          T0.plusSeconds(2));
      l.recordAttempt(
          new Attempt(
              1,
              T0.plusSeconds(2),
              Duration.ofMillis(7),
              Attempt.Result.RESPONSE,
              422,
              null,
              "r2"));
      l.recordOutcome(
          new Outcome(
              EntryState.FAILED, T0.plusSeconds(3), response(422, "{\"$errors\":[]}"), "replay"));
    }
    try (Journal.Lease l = journal.lease("begun-only")) {
      l.begin(request("https://ed.link/y", new byte[0]), T0.plusSeconds(3));
    }
  }

  @Test
  void eachKeyHasAFileOfItsOwnAndTheCacheAgreesWithTheFiles() throws Exception {
    Path dir = tmp.resolve("j");
    try (FileJournal journal = FileJournal.open(dir)) {
      journalFourKinds(journal);
    }
    List<String> keys = List.of("ok-1", "odd\tkey\\with\nbreaks-ü", "failed-1", "begun-only");
    for (String key : keys) {
      Path file = JournalFiles.fileOf(dir, key);
      assertTrue(Files.isRegularFile(file), key);
      assertEquals(Layout.hash(key).substring(0, 2), file.getParent().getFileName().toString());
      for (String line : Files.readAllLines(file)) {
        assertTrue(line.startsWith("{\"v\":2,"), line);
      }
    }
    assertEquals(4, JournalFiles.entryFiles(dir).size());
    assertTrue(Files.isRegularFile(dir.resolve("summary.tsv")));
    assertTrue(
        Files.isDirectory(dir.resolve("journal.jsonl")),
        "format 1's place is taken, so old versions stop");
    assertTrue(Files.isRegularFile(dir.resolve("journal.jsonl/README")));

    try (FileJournal journal = FileJournal.open(dir)) {
      List<Entry> entries = journal.entries();
      assertEquals(
          keys, entries.stream().map(Entry::key).toList(), "in the order they were journaled");
      List<EntrySummary> summaries = journal.summaries();
      assertEquals(
          entries.stream().map(EntrySummary::of).toList(),
          summaries,
          "the cache says what the files say");
      assertTrue(journal.problems().isEmpty(), journal.problems().toString());
      Entry odd = journal.find("odd\tkey\\with\nbreaks-ü").orElseThrow();
      assertArrayEquals(new byte[] {(byte) 0xff, 0, '\t', '\n'}, odd.request().body());
      assertEquals("https://ed.link/x?a=1\tb", odd.request().url());
      assertEquals(
          T0, journal.find("ok-1").orElseThrow().created(), "instants keep their nanoseconds");
      assertEquals(EntryState.PENDING, journal.find("begun-only").orElseThrow().state());
      assertFalse(journal.find("never-journaled").isPresent());
    }
  }

  @Test
  void aMissingJournalIsEmptyAndNothingIsCreatedByReading() throws Exception {
    Path dir = tmp.resolve("none");
    try (FileJournal journal = FileJournal.open(dir)) {
      assertTrue(journal.entries().isEmpty());
      assertTrue(journal.summaries().isEmpty());
      assertFalse(journal.find("k").isPresent());
    }
    assertFalse(Files.exists(dir));
  }

  @Test
  void aRecordOfAnotherKeyInAKeysFileIsReportedAndSkipped() throws Exception {
    Path dir = tmp.resolve("j");
    try (FileJournal journal = FileJournal.open(dir)) {
      journalFourKinds(journal);
    }
    // A hand copy of another key's begin into ok-1's file: readable, but not ok-1's.
    byte[] stray =
        Files.readAllLines(JournalFiles.fileOf(dir, "failed-1"))
            .get(0)
            .concat("\n")
            .getBytes(StandardCharsets.UTF_8);
    Files.write(JournalFiles.fileOf(dir, "ok-1"), stray, java.nio.file.StandardOpenOption.APPEND);
    try (FileJournal journal = FileJournal.open(dir)) {
      Entry ok = journal.find("ok-1").orElseThrow();
      assertEquals(EntryState.SUCCEEDED, ok.state());
      assertEquals(1, journal.problems().size());
      assertTrue(
          journal.problems().get(0).reason().contains("another key"),
          journal.problems().toString());
    }
  }

  @Test
  void aRecordOfAFutureVersionInAKeysFileIsReportedNotFatal() throws Exception {
    Path dir = tmp.resolve("j");
    try (FileJournal journal = FileJournal.open(dir)) {
      journalFourKinds(journal);
    }
    com.google.gson.JsonObject future =
        RecordCodec.attempt(
            "ok-1", new Attempt(2, T0, Duration.ZERO, Attempt.Result.RESPONSE, 200, null, null));
    future.addProperty("v", 3);
    Files.write(
        JournalFiles.fileOf(dir, "ok-1"),
        RecordCodec.encode(future),
        java.nio.file.StandardOpenOption.APPEND);
    try (FileJournal journal = FileJournal.open(dir)) {
      assertEquals(1, journal.find("ok-1").orElseThrow().attempts().size());
      assertTrue(
          journal.problems().get(0).reason().contains("format version 3"),
          journal.problems().toString());
    }
  }
}
