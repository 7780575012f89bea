package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileJournalTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");

  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("journal");
  }

  private static JournaledRequest request(String body) {
    return new JournaledRequest(
        "POST",
        "https://ed.link/api/v2/graph/classes/c1/assignments",
        Map.of("Content-Type", "application/json"),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static RecordedResponse ok(String body) {
    return new RecordedResponse(
        200,
        Map.of("Content-Type", List.of("application/json")),
        body.getBytes(StandardCharsets.UTF_8));
  }

  /** Journals a key with a failed and a successful attempt. */
  private void journalSuccess(FileJournal journal, String key, String body) throws Exception {
    try (Journal.Lease lease = journal.lease(key)) {
      lease.begin(request(body), T0);
      lease.recordAttempt(
          new Attempt(
              1,
              T0,
              Duration.ofMillis(40),
              Attempt.Result.NO_RESPONSE,
              0,
              "connection closed",
              null));
      lease.recordAttempt(
          new Attempt(
              2,
              T0.plusSeconds(1),
              Duration.ofMillis(30),
              Attempt.Result.RESPONSE,
              200,
              null,
              "req-1"));
      lease.recordOutcome(
          new Outcome(
              EntryState.SUCCEEDED, T0.plusSeconds(1), ok("{\"$data\":{\"id\":\"a1\"}}"), "post"));
    }
  }

  @Test
  void recordsFoldIntoEntries() throws Exception {
    try (FileJournal journal = FileJournal.open(dir())) {
      journalSuccess(journal, "key-1", "{\"title\":\"Essay\"}");
      try (Journal.Lease lease = journal.lease("key-2")) {
        lease.begin(request("{\"title\":\"Quiz\"}"), T0.plusSeconds(60));
      }
    }
    try (FileJournal journal = FileJournal.open(dir())) {
      List<Entry> entries = journal.entries();
      assertEquals(List.of("key-1", "key-2"), entries.stream().map(Entry::key).toList());
      Entry first = entries.get(0);
      assertEquals(EntryState.SUCCEEDED, first.state());
      assertEquals(T0, first.created());
      assertEquals(2, first.attempts().size());
      assertEquals(Attempt.Result.NO_RESPONSE, first.attempts().get(0).result());
      assertEquals("connection closed", first.attempts().get(0).error());
      assertEquals("req-1", first.attempts().get(1).requestId());
      assertEquals(200, first.outcome().response().status());
      assertEquals(
          "{\"$data\":{\"id\":\"a1\"}}",
          new String(first.outcome().response().body(), StandardCharsets.UTF_8));
      assertEquals(request("{\"title\":\"Essay\"}").fingerprint(), first.fingerprint());
      assertArrayEquals(
          "{\"title\":\"Essay\"}".getBytes(StandardCharsets.UTF_8), first.request().body());
      Entry second = entries.get(1);
      assertEquals(EntryState.PENDING, second.state());
      assertNull(second.outcome());
      assertTrue(journal.problems().isEmpty());
    }
  }

  @Test
  void beginCallsBackJustBeforeItWritesAndAFailingCallbackLeavesNothing() throws Exception {
    Path file = JournalFiles.fileOf(dir(), "cb-1");
    try (FileJournal journal = FileJournal.open(dir());
        Journal.Lease lease = journal.lease("cb-1")) {
      assertThrows(
          IllegalStateException.class,
          () ->
              lease.begin(
                  request("{}"),
                  T0,
                  () -> {
                    throw new IllegalStateException("interrupted");
                  }));
      assertFalse(Files.exists(file) && Files.size(file) > 0, "nothing was written");
      boolean[] beforeTheRecord = new boolean[1];
      lease.begin(
          request("{}"),
          T0,
          () -> {
            try {
              beforeTheRecord[0] = !Files.exists(file) || Files.size(file) == 0;
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
      assertTrue(beforeTheRecord[0], "called before the begin record was written");
    }
    try (FileJournal journal = FileJournal.open(dir())) {
      assertEquals(EntryState.PENDING, journal.find("cb-1").orElseThrow().state());
    }
  }

  @Test
  void aBeginWhoseRecordIsWrittenDoesNotFailOnItsCacheLine() throws Exception {
    // Another process's change, cut off after its commit with a plan that cannot be read, met by
    // the cache line's hold after the begin record is written: the begin must not fail then, for
    // a failed begin's request is not sent, and its record would be left for a replay to send.
    Path txn = dir().resolve("txn");
    try (FileJournal journal = FileJournal.open(dir());
        Journal.Lease lease = journal.lease("late-1")) {
      lease.begin(
          request("{}"),
          T0,
          () -> {
            try {
              Files.createDirectories(txn);
              Files.writeString(txn.resolve("commit"), "garbage\n");
            } catch (IOException io) {
              throw new UncheckedIOException(io);
            }
          });
    }
    Files.delete(txn.resolve("commit"));
    Files.delete(txn);
    try (FileJournal journal = FileJournal.open(dir())) {
      assertEquals(EntryState.PENDING, journal.find("late-1").orElseThrow().state());
    }
  }

  @Test
  void anInterruptedThreadsJournalCallLosesNoKeysLease() throws Exception {
    // A blocking FileChannel.lock on an interrupted thread closes the lock file's channel, and
    // with it every lock this process holds on the file: the keys' leases too (Ctrl-C in the
    // shell, a stopping batch's workers). The gate must never be taken that way.
    // The second journal is closed last: closing its descriptor of the lock file would drop this
    // process's locks as well.
    try (FileJournal second = FileJournal.open(dir());
        FileJournal journal = FileJournal.open(dir());
        Journal.Lease lease = journal.lease("held-1")) {
      Thread.currentThread().interrupt();
      try {
        journal.find("other-1");
      } catch (JournalException e) {
        // Refusing to read while interrupted would be fine; losing the lease is not.
      } finally {
        Thread.interrupted();
      }
      assertThrows(KeyInFlightException.class, () -> second.lease("held-1"));
      lease.begin(request("{}"), T0);
    }
    try (FileJournal journal = FileJournal.open(dir())) {
      assertEquals(EntryState.PENDING, journal.find("held-1").orElseThrow().state());
    }
  }

  @Test
  void bodiesThatAreNotUtf8RoundTripExactly() throws Exception {
    byte[] binary = {(byte) 0xff, 0, 1, (byte) 0xc3, '\n', '"'};
    try (FileJournal journal = FileJournal.open(dir());
        Journal.Lease lease = journal.lease("bin")) {
      lease.begin(new JournaledRequest("POST", "https://ed.link/x", Map.of(), binary), T0);
    }
    try (FileJournal journal = FileJournal.open(dir())) {
      assertArrayEquals(binary, journal.find("bin").orElseThrow().request().body());
    }
    assertTrue(Files.readString(JournalFiles.fileOf(dir(), "bin")).contains("\"body_base64\""));
  }

  @Test
  void eachRecordIsOneJsonLineWithVersionAndChecksum() throws Exception {
    try (FileJournal journal = FileJournal.open(dir())) {
      journalSuccess(journal, "key-1", "{}");
    }
    List<String> lines = Files.readAllLines(JournalFiles.fileOf(dir(), "key-1"));
    assertEquals(4, lines.size());
    for (String line : lines) {
      assertTrue(line.startsWith("{\"v\":2,\"type\":\""), line);
      assertTrue(line.matches(".*,\"crc\":\"[0-9a-f]{8}\"}$"), line);
    }
  }

  @Test
  void aTornTailIsReportedAndTheRecordsBeforeItKept() throws Exception {
    try (FileJournal journal = FileJournal.open(dir())) {
      journalSuccess(journal, "key-1", "{}");
    }
    Path log = JournalFiles.fileOf(dir(), "key-1");
    byte[] whole = Files.readAllBytes(log);
    // Every cut inside the last record (the outcome) must leave the three records before it; the
    // record without only its newline is whole (aRecordMissingOnlyItsNewlineIsWhole...).
    int lastStart = lastLineStart(whole);
    for (int cut = lastStart + 1; cut < whole.length - 1; cut++) {
      Files.write(log, java.util.Arrays.copyOf(whole, cut));
      try (FileJournal journal = FileJournal.open(dir())) {
        Entry entry = journal.find("key-1").orElseThrow();
        assertEquals(EntryState.PENDING, entry.state(), "cut at " + cut);
        assertEquals(2, entry.attempts().size());
        assertEquals(1, journal.problems().size(), "cut at " + cut);
        assertTrue(
            journal.problems().get(0).reason().contains("torn"),
            journal.problems().get(0).toString());
      }
    }
  }

  @Test
  void aRecordMissingOnlyItsNewlineIsWholeBeforeAndAfterTheNextWrite() throws Exception {
    try (FileJournal journal = FileJournal.open(dir());
        Journal.Lease lease = journal.lease("key-1")) {
      lease.begin(request("{\"title\":\"A\"}"), T0);
    }
    Path log = JournalFiles.fileOf(dir(), "key-1");
    byte[] whole = Files.readAllBytes(log);
    Files.write(
        log, java.util.Arrays.copyOf(whole, whole.length - 1)); // a crash before the last byte
    try (FileJournal journal = FileJournal.open(dir())) {
      try (Journal.Lease lease = journal.lease("key-1")) {
        // Read as whole, so a later post of another request under this key is refused, not
        // journaled behind a begin that the next write's newline would bring back to life.
        Entry e = lease.entry().orElseThrow();
        assertEquals(request("{\"title\":\"A\"}").fingerprint(), e.fingerprint());
        lease.recordAttempt(
            new Attempt(1, T0, Duration.ofMillis(30), Attempt.Result.RESPONSE, 200, null, "req-1"));
        lease.recordOutcome(new Outcome(EntryState.SUCCEEDED, T0, ok("{}"), "post"));
      }
      assertTrue(journal.problems().isEmpty(), journal.problems().toString());
    }
    try (FileJournal journal = FileJournal.open(dir())) {
      Entry e = journal.find("key-1").orElseThrow();
      assertEquals(EntryState.SUCCEEDED, e.state());
      assertEquals(1, e.attempts().size());
      assertTrue(journal.problems().isEmpty(), journal.problems().toString());
    }
    assertEquals(3, Files.readAllLines(log).size());
  }

  @Test
  void anAppendAfterATornTailStaysReadable() throws Exception {
    try (FileJournal journal = FileJournal.open(dir())) {
      journalSuccess(journal, "key-1", "{}");
    }
    Path log = JournalFiles.fileOf(dir(), "key-1");
    byte[] whole = Files.readAllBytes(log);
    Files.write(log, java.util.Arrays.copyOf(whole, whole.length - 10));
    try (FileJournal journal = FileJournal.open(dir())) {
      journalSuccess(journal, "key-2", "{}");
      // The same key's file, torn by a crash, takes the next record on a line of its own.
      try (Journal.Lease lease = journal.lease("key-1")) {
        lease.entry();
        lease.recordAttempt(
            new Attempt(
                3,
                T0.plusSeconds(9),
                Duration.ofMillis(30),
                Attempt.Result.RESPONSE,
                200,
                null,
                "req-3"));
        lease.recordOutcome(
            new Outcome(EntryState.SUCCEEDED, T0.plusSeconds(9), ok("{}"), "replay"));
      }
    }
    try (FileJournal journal = FileJournal.open(dir())) {
      assertEquals(EntryState.SUCCEEDED, journal.find("key-2").orElseThrow().state());
      assertTrue(journal.problems().isEmpty());
      Entry first = journal.find("key-1").orElseThrow();
      assertEquals(EntryState.SUCCEEDED, first.state());
      assertEquals("replay", first.outcome().via());
      assertEquals(3, first.attempts().size());
      assertEquals(1, journal.problems().size(), "the torn line is still reported");
      assertEquals(4, journal.problems().get(0).line());
    }
  }

  @Test
  void aCorruptRecordIsSkippedWithoutTakingItsNeighboursDown() throws Exception {
    try (FileJournal journal = FileJournal.open(dir())) {
      journalSuccess(journal, "key-1", "{\"title\":\"a\"}");
      journalSuccess(journal, "key-2", "{\"title\":\"b\"}");
    }
    Path log = JournalFiles.fileOf(dir(), "key-1");
    List<String> lines = Files.readAllLines(log);
    // A hand edit of key-1's second attempt: valid JSON, wrong checksum.
    lines.set(2, lines.get(2).replace("\"status\":200", "\"status\":201"));
    lines.add(3, "garbage that is not json");
    Files.write(log, lines);
    try (FileJournal journal = FileJournal.open(dir())) {
      Entry first = journal.find("key-1").orElseThrow();
      assertEquals(1, first.attempts().size());
      assertEquals(EntryState.SUCCEEDED, first.state());
      assertEquals(2, journal.problems().size());
      assertTrue(
          journal.problems().get(0).reason().contains("checksum"),
          journal.problems().get(0).toString());
      assertEquals(3, journal.problems().get(0).line());
      assertEquals(log.toString(), journal.problems().get(0).file());
      assertEquals(EntryState.SUCCEEDED, journal.find("key-2").orElseThrow().state());
      assertEquals(List.of(), journal.problems(), "key-2's file is sound");
      assertEquals(2, journal.entries().size());
      assertEquals(2, journal.problems().size());
      List<EntrySummary> summaries = journal.summaries();
      assertEquals(
          1,
          summaries.stream()
              .filter(x -> x.key().equals("key-1"))
              .findFirst()
              .orElseThrow()
              .attempts());
      assertEquals(2, journal.problems().size(), "listing reports them too");
    }
  }

  @Test
  void aRecordFromAnotherFormatVersionIsReportedNotFatal() throws Exception {
    Files.createDirectories(dir());
    Files.writeString(
        dir().resolve("journal.jsonl"), "{\"v\":99,\"type\":\"begin\",\"crc\":\"00000000\"}\n");
    try (FileJournal journal = FileJournal.open(dir())) {
      assertTrue(journal.entries().isEmpty());
      assertEquals(1, journal.problems().size());
    }
  }

  @Test
  void aRecordWithAGoodChecksumButNoUsableVersionIsSkipped() throws Exception {
    try (FileJournal journal = FileJournal.open(dir())) {
      journalSuccess(journal, "key-1", "{}");
    }
    com.google.gson.JsonObject odd = new com.google.gson.JsonObject();
    odd.add("v", com.google.gson.JsonNull.INSTANCE);
    odd.addProperty("type", "begin");
    Files.write(
        JournalFiles.fileOf(dir(), "key-1"), RecordCodec.encode(odd), StandardOpenOption.APPEND);
    try (FileJournal journal = FileJournal.open(dir())) {
      assertEquals(EntryState.SUCCEEDED, journal.find("key-1").orElseThrow().state());
      assertEquals(1, journal.problems().size());
      assertTrue(
          journal.problems().get(0).reason().contains("format version"),
          journal.problems().toString());
    }
  }

  @Test
  void anExistingJournalDirectoryIsClosedToOthersOnFirstWrite() throws Exception {
    Files.createDirectories(dir());
    Files.setPosixFilePermissions(dir(), PosixFilePermissions.fromString("rwxr-xr-x"));
    try (FileJournal journal = FileJournal.open(dir())) {
      journalSuccess(journal, "key-1", "{}");
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir())));
  }

  @Test
  void aKeyIsLeasedByOneHolderAtATime() throws Exception {
    try (FileJournal journal = FileJournal.open(dir());
        FileJournal other = FileJournal.open(dir())) {
      try (Journal.Lease lease = journal.lease("busy")) {
        assertThrows(KeyInFlightException.class, () -> journal.lease("busy"));
        assertThrows(KeyInFlightException.class, () -> other.lease("busy"));
        other.lease("another-key").close();
        assertEquals("busy", lease.key());
      }
      other.lease("busy").close();
    }
  }

  @Test
  void theDirectoryIsPrivateAndTheFilesTooAndNoTokenIsWritten() throws Exception {
    try (FileJournal journal = FileJournal.open(dir())) {
      journalSuccess(journal, "key-1", "{}");
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir())));
    try (var files = Files.walk(dir())) {
      for (Path f : files.toList()) {
        if (Files.isDirectory(f)) {
          assertEquals(
              "rwx------",
              PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
              f.toString());
          continue;
        }
        assertEquals(
            "rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
            f.toString());
        assertFalse(
            Files.readString(f, StandardCharsets.ISO_8859_1)
                .toLowerCase()
                .contains("authorization"));
      }
    }
  }

  @Test
  void aJournalPathThatIsAFileCannotBeOpened() throws Exception {
    Path file = tmp.resolve("plain-file");
    Files.writeString(file, "x");
    assertThrows(JournalException.class, () -> FileJournal.open(file));
  }

  @Test
  void aFailedBeginLeavesNothingBehind() throws Exception {
    Files.createDirectories(dir());
    Files.writeString(
        dir().resolve("entries"), ""); // a file where the records' directory should be
    try (FileJournal journal = FileJournal.open(dir());
        Journal.Lease lease = journal.lease("k")) {
      assertThrows(JournalException.class, () -> lease.begin(request("{}"), T0));
    }
    try (FileJournal journal = FileJournal.open(dir())) {
      assertThrows(JournalException.class, journal::summaries, "and nothing half-written is read");
    }
  }

  @Test
  void windowRulesCountFromTheFirstAttempt() {
    Window w = new Window(T0);
    assertEquals(T0.plus(Duration.ofDays(30)), w.end());
    assertTrue(
        w.allowsReplay(T0.plus(Duration.ofDays(30)).minus(Duration.ofHours(1)).minusMillis(1)));
    assertFalse(w.allowsReplay(T0.plus(Duration.ofDays(30)).minus(Duration.ofHours(1))));
    assertFalse(w.hasEnded(T0.plus(Duration.ofDays(30)).minusMillis(1)));
    assertTrue(w.hasEnded(T0.plus(Duration.ofDays(30))));
  }

  private static int lastLineStart(byte[] bytes) {
    int i = bytes.length - 2;
    while (i >= 0 && bytes[i] != '\n') {
      i--;
    }
    return i + 1;
  }
}
