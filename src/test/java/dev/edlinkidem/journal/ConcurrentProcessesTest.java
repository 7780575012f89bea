package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several processes, and several threads of one, write and read one journal at once without losing
 * a record.
 */
class ConcurrentProcessesTest {
  private static final int PER_WORKER = 40;

  @TempDir Path tmp;

  @Test
  void processesJournalingAndAPruneAtTheSameTimeLoseNothing() throws Exception {
    Path dir = tmp.resolve("j");
    List<String> old = new ArrayList<>();
    try (FileJournal journal = FileJournal.open(dir)) {
      for (int i = 0; i < 30; i++) {
        CompactionTest.write(
            journal, "old-" + i, "{}", Instant.parse("2026-09-01T00:00:00Z"), true);
        old.add("old-" + i);
      }
    }
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    List<Process> workers = new ArrayList<>();
    for (String prefix : List.of("w1-", "w2-", "w3-")) {
      workers.add(
          new ProcessBuilder(
                  javaCommand,
                  "-cp",
                  System.getProperty("java.class.path"),
                  JournalWorker.class.getName(),
                  dir.toString(),
                  prefix,
                  Integer.toString(PER_WORKER))
              .redirectErrorStream(true)
              .start());
    }
    // Meanwhile this process prunes the old entries, lists, and journals keys of its own from two
    // threads.
    try (FileJournal journal = FileJournal.open(dir)) {
      Thread second =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < PER_WORKER; i++) {
                    CompactionTest.write(journal, "t2-" + i, "{}", Instant.now(), true);
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      second.start();
      for (int i = 0; i < 10; i++) {
        journal.summaries();
        journal.remove(old.subList(i * 3, i * 3 + 3), false);
        CompactionTest.write(journal, "t1-" + i, "{}", Instant.now(), false);
      }
      second.join();
    }
    for (Process p : workers) {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "a worker hung");
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), output);
    }
    try (FileJournal journal = FileJournal.open(dir)) {
      List<Entry> entries = journal.entries();
      assertTrue(journal.problems().isEmpty(), journal.problems().toString());
      Set<String> keys = new HashSet<>();
      entries.forEach(e -> keys.add(e.key()));
      assertEquals(
          3 * PER_WORKER + PER_WORKER + 10, keys.size(), "every key once, no old one left");
      assertTrue(keys.stream().noneMatch(k -> k.startsWith("old-")));
      for (Entry e : entries) {
        boolean finished =
            !e.key().startsWith("t1-")
                && !(e.key().startsWith("w") && Integer.parseInt(e.key().substring(3)) % 5 == 0);
        assertEquals(finished ? EntryState.SUCCEEDED : EntryState.PENDING, e.state(), e.key());
        assertEquals(finished ? 2 : 1, e.attempts().size(), e.key());
      }
      assertEquals(
          entries.stream().map(EntrySummary::of).collect(java.util.stream.Collectors.toSet()),
          new HashSet<>(journal.summaries()),
          "the cache agrees with the files");
    }
    assertFalse(Files.exists(dir.resolve("txn")));
  }
}
