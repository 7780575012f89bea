package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * prune killed with SIGKILL at many moments: the journal stays readable and loses nothing it should
 * keep.
 */
class PruneCrashIT {
  private static final Instant OLD = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant NEW = Instant.parse("2026-03-01T00:00:00Z");
  private static final String NOW =
      "2026-03-05T00:00:00Z"; // OLD's windows have ended, NEW's have not

  @TempDir Path tmp;

  private static void seed(Path dir, int n) throws Exception {
    String big =
        "x".repeat(40_000); // large records make the rewrite take long enough to be interrupted
    try (FileJournal journal = FileJournal.open(dir)) {
      for (int i = 0; i < n; i++) {
        Instant at = i % 2 == 0 ? OLD : NEW;
        try (Journal.Lease lease = journal.lease("k" + i)) {
          lease.begin(
              new JournaledRequest(
                  "POST",
                  "https://ed.link/api/v2/graph/classes/c/assignments",
                  Map.of(),
                  ("{\"n\":" + i + ",\"pad\":\"" + big + "\"}").getBytes(StandardCharsets.UTF_8)),
              at);
          lease.recordAttempt(
              new Attempt(
                  1, at, Duration.ofMillis(3), Attempt.Result.RESPONSE, 200, null, "r" + i));
          if (i % 10 != 9) { // every tenth stays pending
            lease.recordOutcome(
                new Outcome(
                    EntryState.SUCCEEDED,
                    at,
                    new RecordedResponse(
                        200,
                        Map.of(),
                        ("{\"$data\":{\"pad\":\"" + big + "\"}}").getBytes(StandardCharsets.UTF_8)),
                    "post"));
          }
        }
      }
    }
  }

  @Test
  void aPruneKilledAtAnyMomentLeavesAReadableJournalWithNothingLost() throws Exception {
    String jar = System.getProperty("edlinkidem.jar", "target/edlink-idem.jar");
    int n = 200;
    Path seed = tmp.resolve("seed");
    seed(seed, n);
    Set<String> mustStay = new HashSet<>();
    for (int i = 0; i < n; i++) {
      if (i % 2 == 1 || i % 10 == 9) {
        mustStay.add("k" + i); // inside the window, or pending
      }
    }
    int killedMidway = 0;
    for (int delayMs : new int[] {0, 150, 250, 300, 350, 400, 450, 500, 600, 800}) {
      Path dir = tmp.resolve("run-" + delayMs);
      copy(seed, dir);
      ProcessBuilder pb =
          new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-jar",
              jar,
              "--journal",
              dir.toString(),
              "prune");
      pb.environment().put("EDLINK_IDEM_NOW", NOW);
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      Process p = pb.start();
      if (!p.waitFor(delayMs, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        killedMidway++;
      }
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      try (FileJournal journal = FileJournal.open(dir)) {
        List<Entry> entries = journal.entries();
        Set<String> keys = entries.stream().map(Entry::key).collect(Collectors.toSet());
        assertTrue(
            journal.problems().isEmpty(), "killed after " + delayMs + " ms: " + journal.problems());
        assertTrue(
            keys.containsAll(mustStay),
            "killed after " + delayMs + " ms: an entry that must stay is gone");
        for (Entry e : entries) {
          int i = Integer.parseInt(e.key().substring(1));
          assertEquals(i % 10 == 9 ? EntryState.PENDING : EntryState.SUCCEEDED, e.state(), e.key());
        }
        // All or nothing: either every ended, finished entry is still there or none is.
        long endedFinished = keys.stream().filter(k -> !mustStay.contains(k)).count();
        assertTrue(endedFinished == 0 || endedFinished == n / 2, "half a prune: " + endedFinished);
      }
    }
    assertTrue(killedMidway > 0, "no run was killed before it finished; the test proved nothing");
  }

  private static void copy(Path from, Path to) throws Exception {
    try (var files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }
}
