package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The export format of whole entries: what list --format jsonl writes and journal merge reads back.
 */
class EntryJsonTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");

  private static Entry entry(byte[] body) {
    JournaledRequest request =
        JournaledRequest.post("https://ed.link/api/v2/graph/classes/c1/assignments", body);
    return new Entry(
        "k1",
        T0,
        request,
        request.fingerprint(),
        List.of(
            new Attempt(
                1, T0, Duration.ofMillis(30), Attempt.Result.NO_RESPONSE, 0, "closed", null),
            new Attempt(
                2,
                T0.plusSeconds(1),
                Duration.ofMillis(20),
                Attempt.Result.RESPONSE,
                200,
                null,
                "r1")),
        new Outcome(
            EntryState.SUCCEEDED,
            T0.plusSeconds(1),
            new RecordedResponse(
                200,
                Map.of("content-type", List.of("application/json")),
                "{\"$data\":{}}".getBytes(StandardCharsets.UTF_8)),
            "replay"));
  }

  @Test
  void aWholeEntryReadsBackAsItWasWritten() {
    for (byte[] body :
        List.of(
            "{\"title\":\"Essay\"}".getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xff, 0})) {
      Entry before = entry(body);
      JsonObject written = EntryJson.full(before, T0);
      Entry after = EntryJson.parse(written.toString());
      assertEquals(before.key(), after.key());
      assertEquals(before.created(), after.created());
      assertEquals(before.fingerprint(), after.fingerprint());
      assertArrayEquals(
          before.request().body(),
          after.request().body(),
          "a body that is not UTF-8 goes as base64");
      assertEquals(before.attempts(), after.attempts());
      assertEquals(before.outcome().state(), after.outcome().state());
      assertEquals(before.outcome().via(), after.outcome().via());
      assertArrayEquals(before.outcome().response().body(), after.outcome().response().body());
    }
  }

  @Test
  void anEditedOrPartialEntryIsRefusedWithWhy() {
    JsonObject o = EntryJson.full(entry("{}".getBytes(StandardCharsets.UTF_8)), T0);
    o.getAsJsonObject("request").addProperty("body", "{\"title\":\"edited\"}");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> EntryJson.parse(o.toString()))
            .getMessage()
            .contains("does not match its fingerprint"));
    JsonObject summary = EntryJson.head(EntrySummary.of(entry(new byte[0])), T0);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> EntryJson.parse(summary.toString()))
            .getMessage()
            .contains("export whole entries"));
    o.addProperty("key", "has space");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> EntryJson.parse(o.toString()))
            .getMessage()
            .startsWith("invalid key 'has space'"));
    assertEquals(
        "not JSON",
        assertThrows(IllegalArgumentException.class, () -> EntryJson.parse("{")).getMessage());
  }
}
