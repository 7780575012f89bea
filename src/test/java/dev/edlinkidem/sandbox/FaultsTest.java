package dev.edlinkidem.sandbox;

import static dev.edlinkidem.sandbox.SandboxClient.ASSIGNMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.sandbox.SandboxClient.Answer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultsTest extends SandboxServerCase {
  @Override
  long seed() {
    return 7;
  }

  @Test
  void dropAfterCommitDoesTheWorkButSendsNoAnswer() throws Exception {
    server.setFaults(new Faults(1, 0, 0, 0, Duration.ZERO));

    assertThrows(
        IOException.class, () -> client.post(ASSIGNMENTS + "?$idempotency=lost1", ASSIGNMENT));

    JsonObject stats = client.stats();
    assertEquals(1, stats.get("drops").getAsInt());
    assertEquals(1, stats.get("creates").getAsInt());
    assertEquals(1, stats.getAsJsonObject("records").get(ASSIGNMENTS).getAsInt());
    server.setFaults(Faults.NONE);
    Answer repeat = client.post(ASSIGNMENTS + "?$idempotency=lost1", ASSIGNMENT);
    assertEquals(200, repeat.status());
    assertEquals("IDEMPOTENCY_KEY_REPEATED", repeat.warningCode());
    String storedId =
        client.get(ASSIGNMENTS).list().get(0).getAsJsonObject().get("id").getAsString();
    assertEquals(storedId, repeat.data().get("id").getAsString());
    assertEquals(1, client.stats().get("creates").getAsInt());
    SandboxClient.await("the log lines", () -> logLines.size() >= 2);
    assertTrue(
        logLines.get(0).endsWith("key=lost1 -> 200 created, dropped after commit"),
        logLines.get(0));
  }

  @Test
  void aReplayCanBeDroppedTooButCreatesNothing() throws Exception {
    client.post(ASSIGNMENTS + "?$idempotency=twice", ASSIGNMENT);
    server.setFaults(new Faults(1, 0, 0, 0, Duration.ZERO));

    assertThrows(
        IOException.class, () -> client.post(ASSIGNMENTS + "?$idempotency=twice", ASSIGNMENT));

    JsonObject stats = client.stats();
    assertEquals(1, stats.get("creates").getAsInt());
    assertEquals(1, stats.get("replays").getAsInt());
    assertEquals(1, stats.get("drops").getAsInt());
  }

  @Test
  void dropBeforeCommitDoesNothing() throws Exception {
    server.setFaults(new Faults(0, 1, 0, 0, Duration.ZERO));

    assertThrows(
        IOException.class, () -> client.post(ASSIGNMENTS + "?$idempotency=early", ASSIGNMENT));

    JsonObject stats = client.stats();
    assertEquals(1, stats.get("drops").getAsInt());
    assertEquals(0, stats.get("creates").getAsInt());
    assertEquals(0, stats.get("idempotency_keys").getAsInt());
    server.setFaults(Faults.NONE);
    Answer retry = client.post(ASSIGNMENTS + "?$idempotency=early", ASSIGNMENT);
    assertEquals(200, retry.status());
    assertNull(retry.warningCode(), "the key was never stored");
  }

  @Test
  void errorRateAnswers503AndDoesNothing() throws Exception {
    server.setFaults(new Faults(0, 0, 1, 0, Duration.ZERO));

    Answer answer = client.post(ASSIGNMENTS + "?$idempotency=e1", ASSIGNMENT);

    assertEquals(503, answer.status());
    assertEquals("SERVICE_UNAVAILABLE", answer.errorCode());
    JsonObject stats = client.stats();
    assertEquals(1, stats.get("errors").getAsInt());
    assertEquals(0, stats.get("creates").getAsInt());
    assertEquals(0, stats.get("idempotency_keys").getAsInt());
    assertEquals(0, server.stats().get("in_progress").getAsInt());
  }

  @Test
  void internalErrorRateAnswers400InternalAndDoesNothing() throws Exception {
    server.setFaults(new Faults(0, 0, 0, 0, Duration.ZERO, 1, 0, 0));

    Answer answer = client.post(ASSIGNMENTS + "?$idempotency=i1", ASSIGNMENT);

    assertEquals(400, answer.status());
    assertEquals("INTERNAL", answer.errorCode());
    assertEquals(0, client.stats().get("creates").getAsInt());
    assertEquals(0, client.stats().get("idempotency_keys").getAsInt(), "the key is free again");
  }

  @Test
  void internalAfterCommitDoesTheWorkAndTheKeyKeepsTheInternalAnswer() throws Exception {
    server.setFaults(new Faults(0, 0, 0, 0, Duration.ZERO, 0, 1, 0));
    Answer first = client.post(ASSIGNMENTS + "?$idempotency=i2", ASSIGNMENT);
    server.setFaults(Faults.NONE);
    Answer again = client.post(ASSIGNMENTS + "?$idempotency=i2", ASSIGNMENT);

    assertEquals("INTERNAL", first.errorCode());
    assertEquals("INTERNAL", again.errorCode(), "the first answer, for the key's 30 days");
    assertEquals("IDEMPOTENCY_KEY_REPEATED", again.warningCode());
    assertEquals(1, client.stats().get("creates").getAsInt());
  }

  @Test
  void theInternalFaultsAreSetByNameToo() {
    Faults f =
        FaultsJson.update(
            Faults.NONE,
            JsonParser.parseString("{\"internal-error-rate\": 0.5, \"internal_after_commit\": 1}")
                .getAsJsonObject());
    assertEquals(0.5, f.internalErrorRate());
    assertEquals(1.0, f.internalAfterCommit());
    assertEquals(0.5, FaultsJson.write(f).get("internal-error-rate").getAsDouble());
  }

  @Test
  void throttleRateAnswers429WithRetryAfter() throws Exception {
    server.setFaults(new Faults(0, 0, 0, 1, Duration.ZERO));

    Answer answer = client.post(ASSIGNMENTS + "?$idempotency=t1", ASSIGNMENT);

    assertEquals(429, answer.status());
    assertEquals("TOO_MANY_REQUESTS", answer.errorCode());
    assertEquals("1", answer.headers().firstValue("Retry-After").orElse(null));
    JsonObject stats = client.stats();
    assertEquals(1, stats.get("throttles").getAsInt());
    assertEquals(0, stats.get("creates").getAsInt());
  }

  @Test
  void aRateLimitSetThroughTheControlEndpointRefusesPastItWithTheRetryAfterItImplies()
      throws Exception {
    server.setFaults(
        FaultsJson.update(
            Faults.NONE, JsonParser.parseString("{\"rate-limit\": \"3/s\"}").getAsJsonObject()));
    assertEquals(3.0, FaultsJson.write(server.faults()).get("rate-limit").getAsDouble());
    List<Integer> statuses = new ArrayList<>();
    Answer refused = null;
    for (int i = 0; i < 5; i++) {
      Answer a = client.post(ASSIGNMENTS + "?$idempotency=r" + i, ASSIGNMENT);
      statuses.add(a.status());
      if (a.status() == 429) {
        refused = a;
      }
    }
    // Five at once against a bucket of three, refilled at 3 a second: the last ones wait.
    assertEquals(List.of(200, 200, 200), statuses.subList(0, 3), statuses.toString());
    assertTrue(refused != null, statuses.toString());
    assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
    assertTrue(
        refused.body().toString().contains("--rate-limit of 3/s"), refused.body().toString());
    JsonObject stats = client.stats();
    assertEquals(
        stats.get("throttles").getAsInt(), statuses.stream().filter(s -> s == 429).count());
    assertEquals(stats.get("creates").getAsInt(), statuses.stream().filter(s -> s == 200).count());
  }

  @Test
  void faultedRequestsAreCountedButNotLogged() throws Exception {
    server.setFaults(new Faults(0, 0, 1, 0, Duration.ZERO));
    client.post(ASSIGNMENTS, ASSIGNMENT);
    server.setFaults(new Faults(0, 1, 0, 0, Duration.ZERO));
    assertThrows(IOException.class, () -> client.post(ASSIGNMENTS, ASSIGNMENT));
    server.setFaults(Faults.NONE);

    assertEquals(2, client.stats().get("requests").getAsInt());
    assertEquals(0, client.get("/api/v2/graph/requests").list().size());
  }

  @Test
  void latencyDelaysEachApiRequest() throws Exception {
    server.setFaults(new Faults(0, 0, 0, 0, Duration.ofMillis(300)));
    long start = System.nanoTime();

    client.post("/api/v2/graph/people", "{}");

    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 300);
  }

  @Test
  void aSeedRepeatsTheFaults() throws Exception {
    Faults mixed = new Faults(0.2, 0.2, 0.2, 0.2, Duration.ZERO);
    List<String> first = outcomes(42, mixed);
    List<String> second = outcomes(42, mixed);
    List<String> otherSeed = outcomes(43, mixed);

    assertEquals(first, second);
    assertTrue(new HashSet<>(first).size() >= 4, "a mix of outcomes: " + first);
    assertTrue(!first.equals(otherSeed), "another seed draws other faults");
  }

  @Test
  void resetRewindsTheDice() throws Exception {
    server.setFaults(new Faults(0.3, 0.3, 0.3, 0.3, Duration.ZERO));
    List<String> before = outcomesOf(server, 30);
    server.reset();
    List<String> after = outcomesOf(server, 30);

    assertEquals(before, after);
  }

  @Test
  void faultsRefuseImpossibleProbabilities() {
    assertThrows(IllegalArgumentException.class, () -> new Faults(1.5, 0, 0, 0, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new Faults(0, -0.1, 0, 0, Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class, () -> new Faults(0, 0, Double.NaN, 0, Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class, () -> new Faults(0, 0, 0, 0, Duration.ofMillis(-1)));
  }

  private static List<String> outcomes(long seed, Faults faults) throws Exception {
    try (SandboxServer s = SandboxServer.start("127.0.0.1", 0, null, faults, seed, line -> {})) {
      return outcomesOf(s, 40);
    }
  }

  /** What each of n POSTs got: a status, or "dropped". */
  private static List<String> outcomesOf(SandboxServer s, int n) throws Exception {
    SandboxClient c = new SandboxClient(s.baseUrl());
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      try {
        outcomes.add(
            Integer.toString(c.post("/api/v2/graph/people?$idempotency=seed-" + i, "{}").status()));
      } catch (IOException e) {
        outcomes.add("dropped");
      }
    }
    return outcomes;
  }
}
