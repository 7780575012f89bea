package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way one record can be damaged on disk, tried one byte at a time: a write cut at each byte
 * of a key's last record (a crash, a full disk), and each byte of a record flipped. The damaged
 * record is reported and skipped; every other record, of that key and of the others, is read as
 * before, and the journal goes on taking records.
 */
class DamagedRecordTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static final String KEY = "key-1";
  private static final String BODY = "{\"title\":\"Essai é\"}";
  // Multi-byte characters, so that some cuts fall inside a character.
  private static final String ANSWER = "{\"$data\":{\"id\":\"a1\",\"title\":\"Essai é ✓\"}}";

  @TempDir Path tmp;

  private static JournaledRequest request(String body) {
    return new JournaledRequest(
        "POST",
        "https://ed.link/api/v2/graph/classes/c1/assignments",
        Map.of("Content-Type", "application/json"),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static Attempt attempt(int n, Attempt.Result result, int status) {
    return new Attempt(
        n,
        T0.plusSeconds(n),
        Duration.ofMillis(30),
        result,
        status,
        result == Attempt.Result.RESPONSE ? null : "connection closed",
        result == Attempt.Result.RESPONSE ? "req-" + n : null);
  }

  private static Outcome succeeded(String via) {
    return new Outcome(
        EntryState.SUCCEEDED,
        T0.plusSeconds(9),
        new RecordedResponse(
            200,
            Map.of("Content-Type", List.of("application/json")),
            ANSWER.getBytes(StandardCharsets.UTF_8)),
        via);
  }

  /**
   * A journal of three keys: KEY between two others, with a begin and two attempts, and finished
   * when asked.
   */
  private Path journal(String name, boolean finished) throws Exception {
    Path dir = tmp.resolve(name);
    try (FileJournal journal = FileJournal.open(dir)) {
      CompactionTest.write(journal, "key-0", "{\"i\":0}", T0, true);
      try (Journal.Lease lease = journal.lease(KEY)) {
        lease.begin(request(BODY), T0);
        lease.recordAttempt(attempt(1, Attempt.Result.NO_RESPONSE, 0));
        lease.recordAttempt(attempt(2, Attempt.Result.RESPONSE, 503));
        if (finished) {
          lease.recordAttempt(attempt(3, Attempt.Result.RESPONSE, 200));
          lease.recordOutcome(succeeded("post"));
        }
      }
      CompactionTest.write(journal, "key-2", "{\"i\":2}", T0, true);
      // Every line of the cache written, as it is after any command that read the journal.
      journal.summaries();
    }
    return dir;
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Files.copy(
            f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  /** The other keys were not touched by the damage to KEY's file. */
  private static void othersIntact(FileJournal journal) throws Exception {
    for (String other : List.of("key-0", "key-2")) {
      Entry e = journal.find(other).orElseThrow(() -> new AssertionError(other + " lost"));
      assertEquals(EntryState.SUCCEEDED, e.state(), other);
      assertEquals(2, e.attempts().size(), other);
    }
  }

  @Test
  void aWriteCutAtAnyByteOfTheLastRecordLosesThatRecordOnlyAndTheNextOneStandsAlone()
      throws Exception {
    // The last record (attempt 3 and the outcome, written as one append) as the writer would have
    // written it, cut at each byte onto the journal as it was before that append.
    Path before = journal("before", false);
    Path after = journal("after", true);
    Path file = JournalFiles.fileOf(before, KEY);
    byte[] head = Files.readAllBytes(file);
    byte[] whole = Files.readAllBytes(JournalFiles.fileOf(after, KEY));
    assertArrayEquals(
        head, Arrays.copyOf(whole, head.length), "the two journals agree up to the append");
    int lastStart = lastLineStart(whole);
    assertTrue(lastStart > head.length, "attempt 3 and the outcome come after the head");
    byte[] cache = Files.readAllBytes(new Layout(before).cache());

    int cuts = 0;
    // Up to the last byte: the record without only its newline is whole (FileJournalTest).
    for (int cut = lastStart + 1; cut < whole.length - 1; cut++) {
      String at = "cut at byte " + cut + " of " + whole.length;
      Path dir = tmp.resolve("cut-" + cut);
      copy(before, dir);
      Path cutFile = JournalFiles.fileOf(dir, KEY);
      Files.write(cutFile, Arrays.copyOfRange(whole, head.length, cut), StandardOpenOption.APPEND);
      assertArrayEquals(
          cache, Files.readAllBytes(new Layout(dir).cache()), "the crash left the cache as it was");

      try (FileJournal journal = FileJournal.open(dir)) {
        List<EntrySummary> listed = journal.summaries();
        assertEquals(
            List.of("key-0", KEY, "key-2"), listed.stream().map(EntrySummary::key).toList(), at);
        assertEquals(
            3,
            listed.get(1).attempts(),
            at + ": listing counts attempt 3, the record before the torn one");
        Entry e = journal.find(KEY).orElseThrow();
        assertEquals(EntryState.PENDING, e.state(), at);
        assertEquals(3, e.attempts().size(), at);
        assertEquals(200, e.attempts().get(2).status(), at);
        assertArrayEquals(BODY.getBytes(StandardCharsets.UTF_8), e.request().body(), at);
        assertEquals(request(BODY).fingerprint(), e.fingerprint(), at);
        assertEquals(1, journal.problems().size(), at + ": " + journal.problems());
        Problem torn = journal.problems().get(0);
        assertTrue(torn.reason().contains("torn"), at + ": " + torn);
        assertEquals(cutFile.toString(), torn.file(), at);
        assertEquals(5, torn.line(), at);
        assertEquals(lastStart, torn.offset(), at);
        othersIntact(journal);
        assertEquals(3, journal.entries().size(), at);

        // A replay finishes the key: its records go on lines of their own, after the torn one.
        try (Journal.Lease lease = journal.lease(KEY)) {
          assertEquals(EntryState.PENDING, lease.entry().orElseThrow().state(), at);
          lease.recordAttempt(attempt(4, Attempt.Result.RESPONSE, 200));
          lease.recordOutcome(succeeded("replay"));
        }
      }
      try (FileJournal journal = FileJournal.open(dir)) {
        Entry e = journal.find(KEY).orElseThrow();
        assertEquals(EntryState.SUCCEEDED, e.state(), at);
        assertEquals("replay", e.outcome().via(), at);
        assertEquals(ANSWER, new String(e.outcome().response().body(), StandardCharsets.UTF_8), at);
        assertEquals(4, e.attempts().size(), at);
        assertEquals(
            List.of(5),
            journal.problems().stream().map(Problem::line).toList(),
            at + ": still the torn line only");
        othersIntact(journal);
        assertEquals(
            EntryState.SUCCEEDED,
            journal.summaries().stream()
                .filter(s -> s.key().equals(KEY))
                .findFirst()
                .orElseThrow()
                .state(),
            at);
      }
      List<String> lines = Files.readAllLines(cutFile, StandardCharsets.ISO_8859_1);
      assertEquals(
          7, lines.size(), at + ": begin, 3 attempts, the torn line, attempt 4, the outcome");
      cuts++;
    }
    assertEquals(whole.length - lastStart - 2, cuts);
  }

  @Test
  void aFlippedBitAnywhereInARecordSkipsThatRecordOnly() throws Exception {
    Path clean = journal("clean", true);
    byte[] whole = Files.readAllBytes(JournalFiles.fileOf(clean, KEY));
    // Line 2, attempt 1: its key, its number, its error text, its checksum, its braces.
    int start = indexOf(whole, (byte) '\n', 0) + 1;
    int end = indexOf(whole, (byte) '\n', start);
    for (int at = start; at < end; at++) {
      for (int bit : new int[] {0x01, 0x80}) {
        String where =
            "byte " + (at - start) + " of line 2 xor " + bit + " ('" + (char) whole[at] + "')";
        Path dir = tmp.resolve("flip-" + at + "-" + bit);
        copy(clean, dir);
        byte[] damaged = whole.clone();
        damaged[at] ^= (byte) bit;
        Files.write(JournalFiles.fileOf(dir, KEY), damaged);
        try (FileJournal journal = FileJournal.open(dir)) {
          Entry e =
              journal
                  .find(KEY)
                  .orElseThrow(() -> new AssertionError(where + ": the entry is lost"));
          assertEquals(EntryState.SUCCEEDED, e.state(), where);
          assertEquals(List.of(2, 3), e.attempts().stream().map(Attempt::number).toList(), where);
          assertEquals(
              ANSWER, new String(e.outcome().response().body(), StandardCharsets.UTF_8), where);
          assertEquals(request(BODY).fingerprint(), e.fingerprint(), where);
          assertEquals(1, journal.problems().size(), where + ": " + journal.problems());
          assertEquals(2, journal.problems().get(0).line(), where);
          othersIntact(journal);
          assertEquals(3, journal.entries().size(), where);
          assertEquals(1, journal.problems().size(), where + ": " + journal.problems());
        }
      }
    }
  }

  @Test
  void aFlippedBitInABeginRecordIsReportedAndTheOtherKeysAreRead() throws Exception {
    Path clean = journal("clean", true);
    byte[] whole = Files.readAllBytes(JournalFiles.fileOf(clean, KEY));
    String first = new String(whole, 0, indexOf(whole, (byte) '\n', 0), StandardCharsets.UTF_8);
    // Inside the key, the body, the fingerprint and the checksum.
    for (String mark : List.of("\"key\":\"key-", "Essai", "\"fingerprint\":\"", "\"crc\":\"")) {
      int at =
          first.getBytes(StandardCharsets.UTF_8).length
              - first
                  .substring(first.indexOf(mark) + mark.length())
                  .getBytes(StandardCharsets.UTF_8)
                  .length;
      Path dir = tmp.resolve("begin-" + at);
      copy(clean, dir);
      byte[] damaged = whole.clone();
      damaged[at] ^= 0x01;
      Files.write(JournalFiles.fileOf(dir, KEY), damaged);
      try (FileJournal journal = FileJournal.open(dir)) {
        List<Entry> entries = journal.entries();
        assertEquals(
            List.of("key-0", "key-2"),
            entries.stream().map(Entry::key).toList(),
            mark + ": a key whose request is unreadable is not guessed at: " + journal.problems());
        assertTrue(
            journal.problems().stream().anyMatch(p -> p.line() == 1 && p.file().endsWith(".jsonl")),
            mark + ": " + journal.problems());
        othersIntact(journal);
      }
      try (FileJournal journal = FileJournal.open(dir)) {
        List<EntrySummary> listed = journal.summaries();
        assertEquals(
            List.of("key-0", "key-2"),
            listed.stream().map(EntrySummary::key).toList(),
            mark + ": the cache learned from the read: " + listed + " " + journal.problems());
        assertTrue(!journal.problems().isEmpty(), mark + ": listing reports it too");
      }
    }
  }

  private static int lastLineStart(byte[] bytes) {
    int i = bytes.length - 2;
    while (i >= 0 && bytes[i] != '\n') {
      i--;
    }
    return i + 1;
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
