package dev.edlinkidem.sandbox;

import static dev.edlinkidem.sandbox.SandboxClient.ASSIGNMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.edlinkidem.sandbox.SandboxClient.Answer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RequestLogTest {
  private static final String ASSIGNMENTS =
      "/api/v2/graph/classes/5c2a0d7e-1f3b-4c8a-9e6d-0b4f7a2c9e15/assignments";
  private static final String LOG = "/api/v2/graph/requests";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T09:30:00Z"));
  private SandboxServer server;
  private SandboxClient client;

  @BeforeEach
  void start() throws Exception {
    server = SandboxServer.start("127.0.0.1", 0, null, Faults.NONE, 1, line -> {}, clock);
    client = new SandboxClient(server.baseUrl());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void recordsProcessedRequestsAsEdlinkDocumentsThem() throws Exception {
    Answer created = client.post(ASSIGNMENTS + "?$idempotency=log1", ASSIGNMENT);
    clock.advance(Duration.ofSeconds(1));
    Answer repeated = client.post(ASSIGNMENTS + "?$idempotency=log1", ASSIGNMENT);
    clock.advance(Duration.ofSeconds(1));
    client.post(ASSIGNMENTS, "{\"title\":\"x\"}");
    client.send("POST", ASSIGNMENTS, ASSIGNMENT, null);
    client.get(LOG);

    JsonArray log = client.get(LOG).list();

    assertEquals(3, log.size(), "token failures and log reads are not logged: " + log);
    JsonObject first = log.get(0).getAsJsonObject();
    JsonObject repeat = log.get(1).getAsJsonObject();
    JsonObject invalid = log.get(2).getAsJsonObject();
    assertEquals(400, invalid.get("status").getAsInt());
    assertTrue(invalid.get("idempotency_key").isJsonNull());
    assertEquals("x", invalid.getAsJsonObject("input").get("title").getAsString());

    assertEquals(created.body(), first.getAsJsonObject("output"));
    assertEquals("POST", first.get("method").getAsString());
    assertEquals(
        ASSIGNMENTS + "?$idempotency=log1",
        first.get("path").getAsString(),
        "the path as received, query string included");
    assertEquals(200, first.get("status").getAsInt());
    assertEquals("log1", first.get("idempotency_key").getAsString());
    assertEquals("Essay", first.getAsJsonObject("input").get("title").getAsString());
    assertEquals("2026-11-22T09:30:00Z", first.get("date").getAsString());
    assertEquals(
        created.body().get("$request").getAsString(),
        first.get("id").getAsString(),
        "the id is the answer's $request");
    assertEquals(first, client.get(LOG + "/" + first.get("id").getAsString()).data());

    assertEquals(repeated.body(), repeat.getAsJsonObject("output"));
    assertEquals("2026-11-22T09:30:01Z", repeat.get("date").getAsString());
    assertEquals(
        List.of(
            "id",
            "date",
            "start_date",
            "end_date",
            "method",
            "path",
            "status",
            "properties",
            "input",
            "output",
            "idempotency_key",
            "categories",
            "person_id",
            "integration_id",
            "developer_id",
            "district_id",
            "user_id"),
        new ArrayList<>(first.keySet()),
        "every field of Edlink's log record");
    JsonObject properties = first.getAsJsonObject("properties");
    assertEquals("127.0.0.1", properties.get("ip").getAsString());
    assertEquals("log1", properties.getAsJsonObject("query").get("$idempotency").getAsString());
    assertTrue(properties.get("user_agent").getAsString().startsWith("Java-http-client"));
    assertTrue(first.get("person_id").isJsonNull(), "an integration's request has no person");
  }

  @Test
  void firstPagesFromTheOldestAndLastFromTheNewest() throws Exception {
    for (int i = 0; i < 5; i++) {
      client.post("/api/v2/graph/people?$idempotency=p" + i, "{}");
    }
    assertEquals(List.of("p0", "p1"), keysOf(client.get(LOG + "?$first=2")));
    assertEquals(List.of("p4", "p3"), keysOf(client.get(LOG + "?$last=2")));
    assertEquals(List.of("p4"), keysOf(client.get(LOG + "?$last=1")), "the most recent");
  }

  @Test
  void filtersOnIdAsDocumented() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Answer a = client.post("/api/v2/graph/people?$idempotency=f" + i, "{}");
      ids.add(a.body().get("$request").getAsString());
    }
    assertEquals(
        List.of("f2"),
        keysOf(client.get(LOG + "?$filter=" + filter("equals", "\"" + ids.get(2) + "\""))));
    String two = "[\"" + ids.get(0) + "\",\"" + ids.get(3) + "\"]";
    assertEquals(List.of("f0", "f3"), keysOf(client.get(LOG + "?$filter=" + filter("in", two))));
    assertEquals(
        List.of("f2", "f1"),
        keysOf(client.get(LOG + "?$last=10&$filter=" + filter("not in", two))));
    // The filter holds across pages.
    Answer page = client.get(LOG + "?$first=1&$filter=" + filter("in", two));
    assertEquals(List.of("f0"), keysOf(page));
    assertEquals(List.of("f3"), keysOf(client.follow(page.body().get("$next").getAsString())));
    assertEquals(400, client.get(LOG + "?$filter=" + filter("like", "\"x\"")).status());
    assertEquals(400, client.get(LOG + "?$filter=nonsense").status());
  }

  private static String filter(String operator, String value) {
    return URLEncoder.encode(
        "{\"id\":[{\"operator\":\"" + operator + "\",\"value\":" + value + "}]}",
        StandardCharsets.UTF_8);
  }

  @Test
  void badPageSizesAndCursorsGetEdlinksCodes() throws Exception {
    client.post("/api/v2/graph/people?$idempotency=p", "{}");
    for (String query : new String[] {"?$first=0", "?$last=10001", "?$first=ten"}) {
      Answer refused = client.get(LOG + query);
      assertEquals(400, refused.status(), query);
      assertEquals("INVALID_PAGE_SIZE", refused.errorCode(), query);
    }
    assertEquals("INVALID_CURSOR", client.get(LOG + "?$first=1&$after=nope").errorCode());
    assertEquals("INVALID_CURSOR", client.get(LOG + "?$last=1&$before=nope").errorCode());
  }

  @Test
  void aDropAfterCommitIsLogged() throws Exception {
    server.setFaults(new Faults(1, 0, 0, 0, Duration.ZERO));
    try {
      client.post(ASSIGNMENTS + "?$idempotency=dropped", ASSIGNMENT);
    } catch (java.io.IOException expected) {
      // the answer is lost; the log still knows
    }
    server.setFaults(Faults.NONE);

    JsonArray log = client.get(LOG).list();

    assertEquals(1, log.size());
    assertEquals("dropped", log.get(0).getAsJsonObject().get("idempotency_key").getAsString());
    assertEquals(200, log.get(0).getAsJsonObject().get("status").getAsInt());
  }

  @Test
  void pagesWithNextLinksEitherWay() throws Exception {
    for (int i = 0; i < 5; i++) {
      client.post("/api/v2/graph/people?$idempotency=p" + i, "{}");
    }
    assertEquals(List.of("p0", "p1", "p2", "p3", "p4", "late-0"), readAll(LOG + "?$first=2", 0));
    // From the newest, a request logged between two pages neither repeats nor hides a record.
    assertEquals(List.of("late-0", "p4", "p3", "p2", "p1", "p0"), readAll(LOG + "?$last=2", 1));
  }

  /** Every page from {@code start}, logging one more request after the first page. */
  private List<String> readAll(String start, int late) throws Exception {
    List<String> keys = new ArrayList<>();
    Answer page = client.get(start);
    keys.addAll(keysOf(page));
    client.post("/api/v2/graph/people?$idempotency=late-" + late, "{}");
    while (page.body().has("$next")) {
      page = client.follow(page.body().get("$next").getAsString());
      keys.addAll(keysOf(page));
    }
    return keys;
  }

  @Test
  void forgetsEntriesAfter30Days() throws Exception {
    client.post("/api/v2/graph/people?$idempotency=old", "{}");
    clock.advance(Duration.ofDays(29));
    client.post("/api/v2/graph/people?$idempotency=newer", "{}");
    clock.advance(Duration.ofDays(1).plusSeconds(1));

    assertEquals(List.of("newer"), keysOf(client.get(LOG)));
  }

  private static List<String> keysOf(Answer page) {
    List<String> keys = new ArrayList<>();
    page.list().forEach(e -> keys.add(e.getAsJsonObject().get("idempotency_key").getAsString()));
    return keys;
  }
}
