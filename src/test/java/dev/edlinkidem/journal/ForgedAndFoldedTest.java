package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.edlinkidem.request.JournaledRequest;
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
 * What the review of issue 13 found in the journal's reading: a fingerprint trusted from the record
 * instead of derived, a fold that dropped Edlink's Date, and a Date from year 0 believed.
 */
class ForgedAndFoldedTest {
  @TempDir Path tmp;

  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");

  private static JournaledRequest request(String url) {
    return new JournaledRequest(
        "POST",
        url,
        Map.of("Accept", "application/json", "Content-Type", "application/json"),
        "{\"title\":\"legit\"}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aBeginRecordWhoseFingerprintIsNotItsRequestsIsUnreadableNotTrusted() throws Exception {
    JournaledRequest honest = request("https://ed.link/api/v2/graph/classes/c1/assignments");
    JsonObject begin = RecordCodec.begin("forged1", T0, honest);
    // The URL edited to another host, the old fingerprint left, the checksum made again.
    begin.addProperty("url", "https://evil.example/api/v2/graph/classes/c1/assignments");
    String hash = Layout.hash("forged1");
    Path file = new Layout(tmp).entryFile(hash);
    Files.createDirectories(file.getParent());
    Files.write(file, RecordCodec.encode(begin));
    try (FileJournal journal = FileJournal.open(tmp)) {
      assertTrue(journal.find("forged1").isEmpty(), "a forged request is not an entry");
      assertTrue(
          journal.problems().stream()
              .anyMatch(p -> p.toString().contains("fingerprint does not match its request")),
          journal.problems().toString());
    }
  }

  @Test
  void foldingTwoJournalsKeepsEdlinksDateAndSoTheEarlierWindow() {
    JournaledRequest r = request("https://ed.link/api/v2/graph/classes/c1/assignments");
    Attempt dated =
        new Attempt(
            1,
            T0,
            Duration.ofMillis(40),
            Attempt.Result.RESPONSE,
            503,
            null,
            null,
            T0.minus(Duration.ofDays(3)));
    Entry ours = new Entry("k1", T0, r, r.fingerprint(), List.of(dated), null);
    Entry theirs = new Entry("k1", T0, r, r.fingerprint(), List.of(), null);
    Entry folded = ours.foldedWith(theirs);
    assertEquals(ours.window().end(), folded.window().end());
    assertEquals(T0.minus(Duration.ofDays(3)), folded.attempts().get(0).edlinkDate());
  }

  @Test
  void aDateFromAnotherEraIsABrokenServersNotEdlinksClock() {
    Attempt yearZero =
        new Attempt(
            1,
            T0,
            Duration.ofMillis(40),
            Attempt.Result.RESPONSE,
            500,
            null,
            null,
            Instant.parse("0000-01-01T00:00:00Z"));
    assertNull(yearZero.clockAhead());
    Attempt twentyDays =
        new Attempt(
            1,
            T0,
            Duration.ZERO,
            Attempt.Result.RESPONSE,
            500,
            null,
            null,
            T0.minus(Duration.ofDays(20)));
    assertEquals(Duration.ofDays(20), twentyDays.clockAhead());
  }
}
