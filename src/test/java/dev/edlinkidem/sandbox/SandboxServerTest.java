package dev.edlinkidem.sandbox;

import static dev.edlinkidem.sandbox.SandboxClient.ASSIGNMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.edlinkidem.sandbox.SandboxClient.Answer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

// Alone: two tests bound how long the sandbox takes by the wall clock (requests served at once,
// a prompt close), which tests running beside them on the same cores would stretch.
@Isolated
class SandboxServerTest extends SandboxServerCase {

  @Test
  void baseUrlNamesTheBoundPort() {
    assertTrue(
        server.baseUrl().toString().matches("http://127\\.0\\.0\\.1:\\d+"),
        server.baseUrl().toString());
    assertNotEquals(0, server.baseUrl().getPort());
  }

  @Test
  void createsAnAssignmentWithServerFields() throws Exception {
    Answer answer = client.post(ASSIGNMENTS, ASSIGNMENT);

    assertEquals(200, answer.status());
    assertEquals("application/json", answer.headers().firstValue("Content-Type").orElse(""));
    JsonObject data = answer.data();
    assertEquals("Essay", data.get("title").getAsString());
    assertEquals("points", data.get("grading_type").getAsString());
    assertEquals(CLASS_ID, data.get("class_id").getAsString());
    assertEquals("open", data.get("state").getAsString());
    UUID.fromString(data.get("id").getAsString());
    UUID.fromString(answer.body().get("$request").getAsString());
    assertTrue(data.has("created_date") && data.has("updated_date"));
    assertEquals(1, client.stats().getAsJsonObject("records").get(ASSIGNMENTS).getAsInt());
  }

  @Test
  void userApiAssignmentsKeepAGivenState() throws Exception {
    String body = ASSIGNMENT.replace("}", ",\"state\":\"draft\"}");

    String userToken = client.userTokens().get("access_token").getAsString();
    Answer answer =
        client.send(
            "POST",
            "/api/v2/my/classes/9d41e6b2-7a3c-4f05-b8e1-2c6d0f9a4b73/assignments",
            body,
            userToken);

    assertEquals(200, answer.status());
    assertEquals("draft", answer.data().get("state").getAsString());
    assertEquals(
        "9d41e6b2-7a3c-4f05-b8e1-2c6d0f9a4b73", answer.data().get("class_id").getAsString());
  }

  @Test
  void refusesAnAssignmentWithoutRequiredFields() throws Exception {
    Answer answer = client.post(ASSIGNMENTS, "{\"title\":\"Essay\",\"description\":\"x\"}");

    assertEquals(400, answer.status());
    assertEquals("MISSING_REQUIRED_FIELD", answer.errorCode());
    String message =
        answer
            .body()
            .getAsJsonArray("$errors")
            .get(0)
            .getAsJsonObject()
            .get("message")
            .getAsString();
    assertTrue(message.contains("due_date") && message.contains("grading_type"), message);
    assertFalse(message.contains("title"), message);
    assertEquals(0, client.stats().get("creates").getAsInt());
  }

  @Test
  void refusesABodyThatIsNotAJsonObject() throws Exception {
    assertEquals("BAD_REQUEST", client.post("/api/v2/graph/people", "{\"name\": ").errorCode());
    assertEquals("BAD_REQUEST", client.post("/api/v2/graph/people", "[1, 2]").errorCode());
    assertEquals(0, client.stats().get("creates").getAsInt());
  }

  @Test
  void createsGenericRecordsAndPagesThroughThem() throws Exception {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Answer answer = client.post("/api/v2/graph/people", "{\"name\":\"p" + i + "\"}");
      assertEquals(200, answer.status());
      assertEquals("p" + i, answer.data().get("name").getAsString());
      assertTrue(answer.data().has("created_date"));
      created.add(answer.data().get("id").getAsString());
    }

    List<String> listed = new ArrayList<>();
    Answer page = client.get("/api/v2/graph/people?$first=2");
    int pages = 1;
    while (true) {
      assertEquals(200, page.status());
      page.list().forEach(r -> listed.add(r.getAsJsonObject().get("id").getAsString()));
      if (!page.body().has("$next")) {
        break;
      }
      String next = page.body().get("$next").getAsString();
      assertTrue(next.startsWith(server.baseUrl() + "/api/v2/graph/people?"), next);
      page = client.follow(next);
      pages++;
    }
    assertEquals(created, listed);
    assertEquals(3, pages);
  }

  @Test
  void listsWholeCollectionsByDefaultAndFindsOneRecord() throws Exception {
    String id =
        client.post("/api/v2/graph/people", "{\"name\":\"a\"}").data().get("id").getAsString();
    client.post("/api/v2/graph/people", "");

    Answer all = client.get("/api/v2/graph/people");
    Answer one = client.get("/api/v2/graph/people/" + id);

    assertEquals(2, all.list().size());
    assertFalse(all.body().has("$next"));
    assertEquals("a", one.data().get("name").getAsString());
  }

  @Test
  void anAssignmentsCollectionListsEvenWhenEmpty() throws Exception {
    Answer answer =
        client.get("/api/v2/graph/classes/e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a4b/assignments");

    assertEquals(200, answer.status());
    assertEquals(0, answer.list().size());
  }

  @Test
  void aCollectionNeverWrittenToListsEmptyAndAnUnknownIdIsNotFound() throws Exception {
    // As Edlink answers: a collection is a list, empty until written; an id that is not there is
    // NOT_FOUND.
    Answer empty = client.get("/api/v2/graph/classes/c7/assignments-elsewhere");
    assertEquals(200, empty.status());
    assertEquals(0, empty.list().size());
    String unknown = "/api/v2/graph/people/0b8d1c6e-7f1a-4c4e-9a55-2d3f6a1b9c00";
    assertEquals(404, client.get(unknown).status());
    assertEquals("NOT_FOUND", client.get(unknown).errorCode());
    assertEquals(404, client.send("GET", "/elsewhere", null, null).status());
  }

  @Test
  void badPagingIsRefused() throws Exception {
    client.post("/api/v2/graph/people", "{}");

    assertEquals("INVALID_PAGE_SIZE", client.get("/api/v2/graph/people?$first=0").errorCode());
    assertEquals("INVALID_PAGE_SIZE", client.get("/api/v2/graph/people?$first=ten").errorCode());
    assertEquals("INVALID_CURSOR", client.get("/api/v2/graph/people?$cursor=abc").errorCode());
  }

  @Test
  void anAssignmentsClassIdMustBeAUuid() throws Exception {
    Answer answer = client.post("/api/v2/graph/classes/c1/assignments", ASSIGNMENT);

    assertEquals(400, answer.status());
    assertEquals("INVALID_UUID", answer.errorCode());
    assertEquals(0, client.stats().get("creates").getAsInt());
    assertEquals("INVALID_UUID", client.get("/api/v2/graph/classes/c1/assignments").errorCode());
  }

  @Test
  void deleteRemovesARecordAndAnswers200() throws Exception {
    String id = client.post(ASSIGNMENTS, ASSIGNMENT).data().get("id").getAsString();

    Answer deleted = client.send("DELETE", ASSIGNMENTS + "/" + id, null, SandboxClient.TOKEN);

    assertEquals(200, deleted.status());
    UUID.fromString(deleted.body().get("$request").getAsString());
    assertEquals(404, client.get(ASSIGNMENTS + "/" + id).status());
    assertEquals(0, client.get(ASSIGNMENTS).list().size());
    assertEquals(
        "NOT_FOUND",
        client.send("DELETE", ASSIGNMENTS + "/" + id, null, SandboxClient.TOKEN).errorCode());
  }

  @Test
  void patchUpdatesARecord() throws Exception {
    String id = client.post(ASSIGNMENTS, ASSIGNMENT).data().get("id").getAsString();

    Answer answer =
        client.send(
            "PATCH",
            ASSIGNMENTS + "/" + id,
            "{\"title\":\"Poem\",\"id\":\"other\"}",
            SandboxClient.TOKEN);

    assertEquals(200, answer.status());
    assertEquals("Poem", answer.data().get("title").getAsString());
    assertEquals(id, answer.data().get("id").getAsString());
    assertEquals("Poem", client.get(ASSIGNMENTS + "/" + id).data().get("title").getAsString());
    assertEquals(
        404,
        client
            .send("PATCH", ASSIGNMENTS + "/" + UUID.randomUUID(), "{}", SandboxClient.TOKEN)
            .status());
    assertEquals(
        "INVALID_UUID",
        client.send("PATCH", ASSIGNMENTS + "/nope", "{}", SandboxClient.TOKEN).errorCode());
  }

  @Test
  void aRepeatedKeyGetsTheFirstResponseAndCreatesNothing() throws Exception {
    Answer first = client.post(ASSIGNMENTS + "?$idempotency=abc123", ASSIGNMENT);
    Answer repeat =
        client.post(ASSIGNMENTS + "?$idempotency=abc123", ASSIGNMENT.replace("Essay", "Other"));

    assertEquals(200, repeat.status());
    assertEquals(first.data(), repeat.data());
    assertEquals(first.body().get("$request"), repeat.body().get("$request"));
    assertEquals("IDEMPOTENCY_KEY_REPEATED", repeat.warningCode());
    assertNull(first.warningCode());
    JsonObject stats = client.stats();
    assertEquals(1, stats.get("creates").getAsInt());
    assertEquals(1, stats.get("replays").getAsInt());
    assertEquals(1, stats.get("idempotency_keys").getAsInt());
    assertEquals(1, stats.getAsJsonObject("records").get(ASSIGNMENTS).getAsInt());
  }

  @Test
  void aRepeatedKeyRepeatsAValidationError() throws Exception {
    Answer first = client.post(ASSIGNMENTS + "?$idempotency=bad1", "{}");
    Answer repeat = client.post(ASSIGNMENTS + "?$idempotency=bad1", ASSIGNMENT);

    assertEquals(400, first.status());
    assertEquals(400, repeat.status());
    assertEquals("MISSING_REQUIRED_FIELD", repeat.errorCode());
    assertEquals("IDEMPOTENCY_KEY_REPEATED", repeat.warningCode());
    assertEquals(0, client.stats().get("creates").getAsInt());
  }

  @Test
  void aPercentEncodedKeyIsTheSameKey() throws Exception {
    Answer first = client.post(ASSIGNMENTS + "?%24idempotency=enc-1", ASSIGNMENT);
    Answer repeat = client.post(ASSIGNMENTS + "?$idempotency=enc-1", ASSIGNMENT);

    assertEquals(first.data(), repeat.data());
    assertEquals("IDEMPOTENCY_KEY_REPEATED", repeat.warningCode());
  }

  @Test
  void differentKeysCreateDifferentRecords() throws Exception {
    Answer a = client.post(ASSIGNMENTS + "?$idempotency=k-a", ASSIGNMENT);
    Answer b = client.post(ASSIGNMENTS + "?$idempotency=k-b", ASSIGNMENT);

    assertNotEquals(a.data().get("id"), b.data().get("id"));
    assertEquals(2, client.stats().get("creates").getAsInt());
  }

  @Test
  void aKeyOver255CharactersIsRefused() throws Exception {
    Answer tooLong = client.post(ASSIGNMENTS + "?$idempotency=" + "k".repeat(256), ASSIGNMENT);
    Answer longest = client.post(ASSIGNMENTS + "?$idempotency=" + "k".repeat(255), ASSIGNMENT);

    assertEquals(400, tooLong.status());
    assertEquals("IDEMPOTENCY_KEY_TOO_LONG", tooLong.errorCode());
    assertEquals(200, longest.status());
    assertEquals(1, client.stats().get("creates").getAsInt());
  }

  @Test
  void aKeyOnGetOrPatchIsIgnoredWithAWarning() throws Exception {
    String id = client.post(ASSIGNMENTS, ASSIGNMENT).data().get("id").getAsString();

    Answer get = client.get(ASSIGNMENTS + "?$idempotency=g1");
    Answer getAgain = client.get(ASSIGNMENTS + "?$idempotency=g1");
    Answer patch =
        client.send(
            "PATCH",
            ASSIGNMENTS + "/" + id + "?$idempotency=g1",
            "{\"title\":\"x\"}",
            SandboxClient.TOKEN);

    assertEquals(200, get.status());
    assertEquals(1, get.list().size());
    assertEquals("IDEMPOTENCY_KEY_IGNORED", get.warningCode());
    assertEquals("IDEMPOTENCY_KEY_IGNORED", getAgain.warningCode());
    assertEquals(200, patch.status());
    assertEquals("IDEMPOTENCY_KEY_IGNORED", patch.warningCode());
    assertEquals(0, client.stats().get("replays").getAsInt());
  }

  @Test
  void theSameKeyWhileTheFirstIsInFlightGets409() throws Exception {
    server.setFaults(new Faults(0, 0, 0, 0, Duration.ofMillis(800)));

    CompletableFuture<Answer> first =
        client.postAsync(ASSIGNMENTS + "?$idempotency=slow", ASSIGNMENT);
    SandboxClient.await(
        "the first request holds its key", () -> server.stats().get("in_progress").getAsInt() == 1);
    Answer second = client.post(ASSIGNMENTS + "?$idempotency=slow", ASSIGNMENT);

    assertEquals(409, second.status());
    assertEquals("IDEMPOTENCY_KEY_IN_PROGRESS", second.errorCode());
    Answer firstAnswer = first.get();
    assertEquals(200, firstAnswer.status());
    assertNull(firstAnswer.warningCode());
    server.setFaults(Faults.NONE);
    Answer third = client.post(ASSIGNMENTS + "?$idempotency=slow", ASSIGNMENT);
    assertEquals("IDEMPOTENCY_KEY_REPEATED", third.warningCode());
    assertEquals(firstAnswer.data(), third.data());
    JsonObject stats = client.stats();
    assertEquals(1, stats.get("creates").getAsInt());
    assertEquals(1, stats.get("conflicts").getAsInt());
  }

  @Test
  void requestsAreHandledConcurrently() throws Exception {
    server.setFaults(new Faults(0, 0, 0, 0, Duration.ofMillis(500)));
    long start = System.nanoTime();

    List<CompletableFuture<Answer>> answers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      answers.add(client.postAsync("/api/v2/graph/people?$idempotency=c" + i, "{}"));
    }
    for (CompletableFuture<Answer> answer : answers) {
      assertEquals(200, answer.get().status());
    }

    // One after the other they would take 3 s.
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 2500);
  }

  @Test
  void aMissingTokenIsRefused() throws Exception {
    Answer answer = client.send("POST", ASSIGNMENTS, ASSIGNMENT, null);

    assertEquals(400, answer.status());
    assertEquals("INVALID_TOKEN", answer.errorCode());
    UUID.fromString(answer.body().get("$request").getAsString());
    JsonObject stats = client.stats();
    assertEquals(0, stats.get("creates").getAsInt());
    assertEquals(1, stats.get("requests").getAsInt());
  }

  @Test
  void aRequiredTokenRefusesOthers() throws Exception {
    try (SandboxServer strict =
        SandboxServer.start("127.0.0.1", 0, "s3cret", Faults.NONE, 1, logLines::add)) {
      SandboxClient strictClient = new SandboxClient(strict.baseUrl());

      Answer wrong = strictClient.send("POST", ASSIGNMENTS, ASSIGNMENT, "other");
      Answer right = strictClient.send("POST", ASSIGNMENTS, ASSIGNMENT, "s3cret");

      assertEquals(400, wrong.status());
      assertEquals("INVALID_TOKEN", wrong.errorCode());
      assertEquals(200, right.status());
      assertEquals(200, strictClient.send("GET", "/__sandbox/stats", null, null).status());
    }
    assertTrue(
        logLines.stream().noneMatch(line -> line.contains("s3cret") || line.contains("other")),
        logLines.toString());
  }

  @Test
  void statsCountWhatHappened() throws Exception {
    client.post(ASSIGNMENTS + "?$idempotency=s1", ASSIGNMENT);
    client.post(ASSIGNMENTS + "?$idempotency=s1", ASSIGNMENT);
    client.post("/api/v2/graph/people", "{}");
    client.get("/api/v2/graph/people");

    JsonObject stats = client.stats();

    assertEquals(server.stats(), stats);
    assertEquals(4, stats.get("requests").getAsInt());
    assertEquals(2, stats.get("creates").getAsInt());
    assertEquals(1, stats.get("replays").getAsInt());
    assertEquals(0, stats.get("drops").getAsInt());
    assertEquals(0, stats.get("errors").getAsInt());
    assertEquals(0, stats.get("throttles").getAsInt());
    assertEquals(1, stats.get("idempotency_keys").getAsInt());
    JsonObject records = stats.getAsJsonObject("records");
    assertEquals(2, records.size());
    assertEquals(1, records.get("/api/v2/graph/people").getAsInt());
  }

  @Test
  void resetForgetsEverythingButTheFaults() throws Exception {
    Faults slow = new Faults(0, 0, 0, 0, Duration.ofMillis(1));
    server.setFaults(slow);
    client.post(ASSIGNMENTS + "?$idempotency=r1", ASSIGNMENT);

    Answer reset = client.send("POST", "/__sandbox/reset", null, null);

    assertEquals(200, reset.status());
    assertEquals(0, reset.body().get("requests").getAsInt());
    assertEquals(0, reset.body().getAsJsonObject("records").size());
    assertEquals(slow, server.faults());
    assertEquals(0, client.get("/api/v2/graph/requests").list().size());
    Answer again = client.post(ASSIGNMENTS + "?$idempotency=r1", ASSIGNMENT);
    assertNull(again.warningCode(), "the key was forgotten");
    assertEquals(1, client.stats().get("creates").getAsInt());
  }

  @Test
  void theFaultsEndpointChangesOnlyTheGivenFaults() throws Exception {
    server.setFaults(new Faults(0.1, 0, 0, 0, Duration.ZERO));

    Answer changed =
        client.send(
            "POST",
            "/__sandbox/faults",
            "{\"error_rate\":0.25,\"latency\":\"20ms\",\"drop-before-commit\":0.5}",
            null);

    assertEquals(200, changed.status());
    assertEquals(new Faults(0.1, 0.5, 0.25, 0, Duration.ofMillis(20)), server.faults());
    assertEquals(0.25, changed.body().get("error-rate").getAsDouble());
    assertEquals("20ms", changed.body().get("latency").getAsString());
    assertEquals(changed.body(), client.send("GET", "/__sandbox/faults", null, null).body());
  }

  @Test
  void theFaultsEndpointRefusesNonsense() throws Exception {
    for (String body :
        List.of(
            "not json",
            "[]",
            "{\"error-rate\":1.5}",
            "{\"error-rate\":\"half\"}",
            "{\"eror-rate\":0.1}",
            "{\"latency\":\"soon\"}")) {
      Answer answer = client.send("POST", "/__sandbox/faults", body, null);
      assertEquals(400, answer.status(), body);
      assertEquals("BAD_REQUEST", answer.errorCode(), body);
    }
    assertEquals(Faults.NONE, server.faults());
  }

  @Test
  void controlEndpointsAreNeverFaultedNorCounted() throws Exception {
    server.setFaults(new Faults(1, 1, 1, 1, Duration.ZERO));

    for (int i = 0; i < 3; i++) {
      assertEquals(200, client.send("GET", "/__sandbox/stats", null, null).status());
    }

    assertEquals(0, client.stats().get("requests").getAsInt());
    assertEquals(404, client.send("GET", "/__sandbox/nothing", null, null).status());
    assertEquals(405, client.send("GET", "/__sandbox/reset", null, null).status());
  }

  @Test
  void anApiRequestsLogLineIsOutBeforeItsAnswer() throws Exception {
    // Tests change faults on a request's log line; the next request must not overtake it.
    List<String> lines = new CopyOnWriteArrayList<>();
    try (SandboxServer slow =
        SandboxServer.start(
            "127.0.0.1",
            0,
            null,
            Faults.NONE,
            1,
            line -> {
              try {
                Thread.sleep(300);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              lines.add(line);
            })) {
      new SandboxClient(slow.baseUrl()).post(ASSIGNMENTS + "?$idempotency=first", ASSIGNMENT);
      assertEquals(1, lines.size(), "the line came before the answer: " + lines);
    }
  }

  @Test
  void logsOneLinePerRequestWithoutTheToken() throws Exception {
    client.post(ASSIGNMENTS + "?$idempotency=abc123", ASSIGNMENT);
    client.post(ASSIGNMENTS + "?$idempotency=abc123", ASSIGNMENT);
    client.post(ASSIGNMENTS, "{}");
    client.send("GET", "/__sandbox/stats", null, null);

    SandboxClient.await("four log lines", () -> logLines.size() == 4);
    String pattern = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ ";
    assertTrue(
        logLines.get(0).matches(pattern + "POST " + ASSIGNMENTS + " key=abc123 -> 200 created"),
        logLines.get(0));
    assertTrue(logLines.get(1).endsWith("key=abc123 -> 200 repeated"), logLines.get(1));
    assertTrue(
        logLines.get(2).endsWith(ASSIGNMENTS + " -> 400 MISSING_REQUIRED_FIELD"), logLines.get(2));
    assertTrue(logLines.get(3).endsWith("GET /__sandbox/stats -> 200"), logLines.get(3));
    assertTrue(logLines.stream().noneMatch(line -> line.contains(SandboxClient.TOKEN)));
  }

  @Test
  void closeStopsPromptlyEvenWithRequestsInFlight() throws Exception {
    server.setFaults(new Faults(0, 0, 0, 0, Duration.ofSeconds(30)));
    CompletableFuture<Answer> stuck = client.postAsync("/api/v2/graph/people", "{}");
    SandboxClient.await(
        "the request arrived", () -> server.stats().get("requests").getAsInt() == 1);
    long start = System.nanoTime();

    server.close();

    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 3000);
    assertTrue(
        stuck.handle((answer, failure) -> failure != null).get(),
        "the request in flight was dropped");
    assertEquals(0, server.stats().get("creates").getAsInt());
  }

  @Test
  void recordIdsAreUnique() throws Exception {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      ids.add(client.post("/api/v2/graph/people", "{}").data().get("id").getAsString());
    }
    JsonArray listed = client.get("/api/v2/graph/people").list();

    assertEquals(20, ids.size());
    assertEquals(20, listed.size());
  }
}
