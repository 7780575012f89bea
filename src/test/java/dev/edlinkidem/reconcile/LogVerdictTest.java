package dev.edlinkidem.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.edlink.RequestLog;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.request.JournaledRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the request log says of a pending entry, read by the answer rules a send uses. */
class LogVerdictTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static final JournaledRequest ESSAY =
      JournaledRequest.post(
          "https://ed.link/api/v2/graph/classes/c1/assignments",
          "{}".getBytes(StandardCharsets.UTF_8));
  private static final Entry ENTRY =
      new Entry("k1", T0, ESSAY, ESSAY.fingerprint(), List.of(), null);

  private static RequestLog.Logged logged(
      String method, String path, int status, Instant date, String output) {
    return new RequestLog.Logged("k1", date, method, path, status, "r-" + status, output);
  }

  @Test
  void aLoggedSuccessWinsOverAnEarlierFailure() {
    String path = "/api/v2/graph/classes/c1/assignments";
    LogVerdict v =
        LogVerdict.of(
                ENTRY,
                List.of(
                    logged("POST", path, 503, T0, "{}"),
                    logged("POST", path, 400, T0.plusSeconds(1), "{}"),
                    logged("POST", path, 200, T0.plusSeconds(2), "{}")))
            .orElseThrow();
    assertEquals(EntryState.SUCCEEDED, v.state());
    assertEquals(200, v.logged().status());
    assertEquals("reconcile", v.outcome(T0).via());
  }

  @Test
  void aFinalFailureSettlesButARefusedTokenOrAServerErrorDoesNot() {
    String path = "/api/v2/graph/classes/c1/assignments";
    assertEquals(
        EntryState.FAILED,
        LogVerdict.of(ENTRY, List.of(logged("POST", path, 400, T0, "{}"))).orElseThrow().state());
    assertTrue(
        LogVerdict.of(
                ENTRY,
                List.of(
                    logged("POST", path, 401, T0, "{}"),
                    logged("POST", path, 400, T0, "{\"$errors\":[{\"code\":\"EXPIRED_TOKEN\"}]}"),
                    logged("POST", path, 503, T0, "{}")))
            .isEmpty());
  }

  @Test
  void onlyAPostToTheEntrysPathNoEarlierThanTheEntryLessTheMarginIsItsRequest() {
    String path = "/api/v2/graph/classes/c1/assignments";
    assertTrue(LogVerdict.of(ENTRY, List.of(logged("GET", path, 200, T0, "{}"))).isEmpty());
    assertTrue(
        LogVerdict.of(
                ENTRY,
                List.of(logged("POST", "/api/v2/graph/classes/c2/assignments", 200, T0, "{}")))
            .isEmpty());
    assertTrue(
        LogVerdict.of(ENTRY, List.of(logged("POST", path, 200, T0.minusSeconds(3601), "{}")))
            .isEmpty());
    assertTrue(
        LogVerdict.of(ENTRY, List.of(logged("POST", path, 200, T0.minusSeconds(3600), "{}")))
            .isPresent());
    assertTrue(
        LogVerdict.of(ENTRY, List.of(logged("POST", path, 200, null, "{}"))).isPresent(),
        "undated: by key");
  }

  @Test
  void edlinkLogsThePathAsReceivedWithTheKeyInItsQuery() {
    String received = "/api/v2/graph/classes/c1/assignments?$idempotency=k1";
    assertEquals(
        EntryState.SUCCEEDED,
        LogVerdict.of(ENTRY, List.of(logged("POST", received, 200, T0, "{}")))
            .orElseThrow()
            .state());
    assertTrue(
        LogVerdict.of(
                ENTRY,
                List.of(
                    logged(
                        "POST",
                        "/api/v2/graph/classes/c2/assignments?$idempotency=k1",
                        200,
                        T0,
                        "{}")))
            .isEmpty());
  }

  @Test
  void edlinksOwnFailureInTheLogSettlesNothingButSaysItArrived() {
    String path = "/api/v2/graph/classes/c1/assignments?$idempotency=k1";
    List<RequestLog.Logged> log =
        List.of(
            logged("POST", path, 400, T0.plusSeconds(5), "{\"$errors\":[{\"code\":\"UNKNOWN\"}]}"),
            logged("POST", path, 400, T0, "{\"$errors\":[{\"code\":\"INTERNAL\"}]}"));
    assertTrue(LogVerdict.of(ENTRY, log).isEmpty(), "INTERNAL is no verdict on the request");
    assertEquals(T0, LogVerdict.undecided(ENTRY, log).orElseThrow().date(), "the earliest");
    assertTrue(
        LogVerdict.undecided(ENTRY, List.of(logged("POST", path, 401, T0, "{}"))).isPresent(),
        "a refused token settles nothing, but the request did arrive");
    assertTrue(
        LogVerdict.undecided(ENTRY, List.of(logged("GET", path, 200, T0, "{}"))).isEmpty(),
        "a GET is not the entry's request");
  }
}
