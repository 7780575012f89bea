package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** reconcile against a request log that says exactly what the test needs it to say. */
class ReconcileLogTest {
  private static final String PATH =
      "/api/v2/graph/classes/5c2a0d7e-1f3b-4c8a-9e6d-0b4f7a2c9e15/assignments";

  @TempDir Path tmp;

  private HttpServer server;
  private final AtomicReference<String> log = new AtomicReference<>("[]");

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          if (exchange.getRequestMethod().equals("POST")) {
            exchange.close(); // every POST loses its answer
            return;
          }
          byte[] body =
              ("{\"$data\":" + log.get() + ",\"$request\":\"r\"}").getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private Cli cli() {
    return new Cli()
        .env("EDLINK_TOKEN", "t")
        .env("EDLINK_IDEM_JOURNAL", tmp.resolve("j").toString())
        .env("EDLINK_BASE_URL", "http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static String record(
      String key, String method, String path, int status, String output, Instant date) {
    return "{\"id\":\"l-"
        + status
        + "\",\"date\":\""
        + date
        + "\",\"method\":\""
        + method
        + "\",\"path\":\""
        + path
        + "\",\"status\":"
        + status
        + ",\"idempotency_key\":\""
        + key
        + "\",\"input\":null,\"output\":"
        + output
        + "}";
  }

  private EntryState state(String key) throws Exception {
    try (FileJournal journal = FileJournal.open(tmp.resolve("j"))) {
      return journal.find(key).orElseThrow().state();
    }
  }

  @Test
  void onlyAPostToTheSamePathCountsAndRefusedTokensLeaveItPending() throws Exception {
    assertEquals(
        6,
        cli()
            .run("post", PATH, "-d", "{\"title\":\"t\"}", "-k", "lost-key-1", "--retries", "0")
            .code());
    Instant later = Instant.now().plusSeconds(5);
    log.set(
        "["
            + String.join(
                ",",
                record("lost-key-1", "GET", PATH, 200, "{\"$data\":[]}", later),
                record(
                    "lost-key-1",
                    "POST",
                    "/api/v2/graph/classes/OTHER/assignments",
                    200,
                    "{\"$data\":{}}",
                    later),
                record(
                    "lost-key-1",
                    "POST",
                    PATH,
                    401,
                    "{\"$errors\":[{\"code\":\"INVALID_TOKEN\",\"message\":\"no\"}]}",
                    later),
                record(
                    "lost-key-1",
                    "POST",
                    PATH,
                    400,
                    "{\"$errors\":[{\"code\":\"EXPIRED_TOKEN\",\"message\":\"old\"}]}",
                    later))
            + "]");
    Cli.Result r = cli().run("reconcile", "lost-key-1");
    assertEquals(0, r.code(), r.toString());
    // The refused tokens show that it arrived, not what became of it: pending, and said so.
    assertTrue(r.out().contains("lost-key-1\tpending\t401\tEdlink received it on "), r.out());
    assertTrue(r.out().contains("which does not settle it"), r.out());
    assertFalse(r.out().contains("not in Edlink's request log"), r.out());
    assertEquals(EntryState.PENDING, state("lost-key-1"));

    log.set(
        "[" + record("lost-key-1", "POST", PATH, 200, "{\"$data\":{\"id\":\"a1\"}}", later) + "]");
    Cli.Result found = cli().run("reconcile", "lost-key-1");
    assertTrue(found.out().contains("lost-key-1\tsucceeded\t200"), found.out());
    assertEquals(EntryState.SUCCEEDED, state("lost-key-1"));
  }

  @Test
  void pagesAreCountedOnATerminalOnly() throws Exception {
    assertEquals(
        6, cli().run("post", PATH, "-d", "{}", "-k", "counted-key", "--retries", "0").code());
    Cli.Result onTerminal =
        cli()
            .terminal(new dev.edlinkidem.cli.Invocation.Terminal(false, false, true))
            .run("reconcile", "counted-key");
    assertTrue(
        onTerminal
            .err()
            .contains(
                "\redlink-idem: reading the request log: page 1, 0 requests, 0 of 1 key found"),
        onTerminal.err());
    assertTrue(
        onTerminal.err().endsWith("skipped\n"), "the count's line is ended before the summary");
    Cli.Result narrow =
        cli()
            .terminal(new dev.edlinkidem.cli.Invocation.Terminal(false, false, true))
            .env("COLUMNS", "40")
            .run("reconcile", "counted-key");
    assertTrue(
        narrow.err().contains("\redlink-idem: reading the request log: p\u001b[K"),
        "cut to fit: " + narrow.err());
    Cli.Result dumb =
        cli()
            .terminal(new dev.edlinkidem.cli.Invocation.Terminal(false, false, true))
            .env("TERM", "dumb")
            .run("reconcile", "counted-key");
    assertFalse(dumb.err().contains("reading the request log"), dumb.err());
    Cli.Result inCi = cli().run("reconcile", "counted-key");
    assertFalse(inCi.err().contains("reading the request log"), inCi.err());
  }

  @Test
  void aLoggedRequestFromBeforeTheEntryIsNotItsAnswer() throws Exception {
    assertEquals(
        6, cli().run("post", PATH, "-d", "{}", "-k", "reused-key", "--retries", "0").code());
    log.set(
        "["
            + record("reused-key", "POST", PATH, 200, "{}", Instant.now().minusSeconds(3 * 3600))
            + "]");
    Cli.Result r = cli().run("reconcile", "reused-key");
    assertTrue(r.out().contains("reused-key\tpending"), r.out());
  }

  @Test
  void aNextPageThatPointsBackIsNotFollowedForever() throws Exception {
    assertEquals(6, cli().run("post", PATH, "-d", "{}", "-k", "loop-key", "--retries", "0").code());
    server.removeContext("/");
    String self =
        "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2/graph/requests?$last=1000";
    server.createContext(
        "/",
        exchange -> {
          byte[] body =
              ("{\"$data\":[],\"$next\":\"" + self + "\"}").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    Cli.Result r = cli().run("reconcile", "loop-key");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("loop-key\tpending"), r.out());
  }

  @Test
  void aLogPagedAsEdlinkPagesItIsReadNewestFirstAndItsPathsCarryTheirQuery() throws Exception {
    assertEquals(
        6, cli().run("post", PATH, "-d", "{}", "-k", "recent-key", "--retries", "0").code());
    // 3,000 older requests, then the lost one, its path as received: query and key included.
    List<String> oldestFirst = new ArrayList<>();
    Instant longAgo = Instant.now().minus(Duration.ofDays(20));
    for (int i = 0; i < 3000; i++) {
      oldestFirst.add(
          record("other-" + i, "POST", PATH, 200, "{}", longAgo.plusSeconds(i))
              .replace("\"l-200\"", "\"old-" + i + "\""));
    }
    oldestFirst.add(
        record(
            "recent-key",
            "POST",
            PATH + "?$idempotency=recent-key",
            200,
            "{\"$data\":{\"id\":\"a1\"}}",
            Instant.now().plusSeconds(5)));
    List<String> asked =
        serve(
            200,
            query -> {
              Map<String, String> q = new HashMap<>();
              for (String pair : query.split("&")) {
                q.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
              }
              // $first pages forward from the oldest, $last back from the newest.
              boolean fromNewest = q.containsKey("$last");
              int n = Integer.parseInt(fromNewest ? q.get("$last") : q.get("$first"));
              int end = fromNewest ? oldestFirst.size() : Math.min(n, oldestFirst.size());
              int start = fromNewest ? Math.max(0, end - n) : 0;
              String page = "[" + String.join(",", oldestFirst.subList(start, end)) + "]";
              return "{\"$data\":" + page + "}";
            });
    Cli.Result r = cli().run("reconcile", "recent-key");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("recent-key\tsucceeded\t200"), r.out());
    assertEquals(EntryState.SUCCEEDED, state("recent-key"));
    assertEquals(List.of("$last=1000"), asked, "one page, from the newest");
  }

  @Test
  void aLaterRefusalOnTheFirstPageDoesNotHideTheSuccessOnTheNext() throws Exception {
    assertEquals(
        6, cli().run("post", PATH, "-d", "{}", "-k", "twice-key", "--retries", "0").code());
    Instant first = Instant.now().plusSeconds(5);
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    String refusal =
        record(
            "twice-key",
            "POST",
            PATH + "?$idempotency=twice-key",
            400,
            "{\"$errors\":[{\"code\":\"EXPIRED_TOKEN\"}]}",
            first.plusSeconds(60));
    String success =
        record(
            "twice-key",
            "POST",
            PATH + "?$idempotency=twice-key",
            200,
            "{\"$data\":{\"id\":\"a1\"}}",
            first);
    List<String> asked =
        serve(
            200,
            query ->
                query.contains("$before")
                    ? "{\"$data\":[" + success + "]}"
                    : "{\"$data\":["
                        + refusal
                        + "],\"$next\":\""
                        + base
                        + "/api/v2/graph/requests?$last=1000&$before=l-400\"}");
    Cli.Result r = cli().run("reconcile", "twice-key");
    assertEquals(0, r.code(), r.toString());
    assertEquals(EntryState.SUCCEEDED, state("twice-key"), r.toString());
    assertEquals(List.of("$last=1000", "$last=1000&$before=l-400"), asked);
  }

  /** Serves every log read with {@code body}, counting the reads. */
  private List<String> serve(int status, String body) {
    return serve(status, query -> body);
  }

  /** Serves each log read with what {@code bodyFor} makes of its query; returns the queries. */
  private List<String> serve(int status, Function<String, String> bodyFor) {
    List<String> asked = new ArrayList<>();
    server.removeContext("/");
    server.createContext(
        "/",
        exchange -> {
          String query = exchange.getRequestURI().getRawQuery();
          asked.add(query);
          byte[] bytes = bodyFor.apply(query).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    return asked;
  }

  @Test
  void aRefusedPageSizeIsAnErrorToReportNotTryLater() throws Exception {
    assertEquals(6, cli().run("post", PATH, "-d", "{}", "-k", "size-key", "--retries", "0").code());
    serve(400, "{\"$errors\":[{\"code\":\"INVALID_PAGE_SIZE\",\"message\":\"m\"}]}");
    Cli.Result r = cli().run("reconcile", "size-key");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("refused how edlink-idem reads its request log"), r.err());
    assertFalse(r.err().contains("try again later"), r.err());
    assertEquals(EntryState.PENDING, state("size-key"));
  }

  @Test
  void aRefusedCursorIsAnErrorToReportNotTryLater() throws Exception {
    assertEquals(
        6, cli().run("post", PATH, "-d", "{}", "-k", "cursor-key", "--retries", "0").code());
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    String other = record("other-key", "POST", PATH, 200, "{}", Instant.now().plusSeconds(30));
    List<String> asked = new ArrayList<>();
    server.removeContext("/");
    server.createContext(
        "/",
        exchange -> {
          String query = exchange.getRequestURI().getRawQuery();
          asked.add(query);
          boolean second = query.contains("$before");
          byte[] bytes =
              (second
                      ? "{\"$errors\":[{\"code\":\"INVALID_CURSOR\",\"message\":\"gone\"}]}"
                      : "{\"$data\":["
                          + other
                          + "],\"$next\":\""
                          + base
                          + "/api/v2/graph/requests?$last=1000&$before=l-200\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(second ? 400 : 200, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });

    Cli.Result r = cli().run("reconcile", "cursor-key");

    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("INVALID_CURSOR"), r.err());
    assertTrue(r.err().contains("refused how edlink-idem reads its request log"), r.err());
    assertFalse(r.err().contains("try again later"), r.err());
    assertEquals(EntryState.PENDING, state("cursor-key"));
    assertEquals(2, asked.size(), asked.toString());
  }

  @Test
  void anEntryOlderThanTheLogIsLookedForOnlyAsFarBackAsTheLogGoes() throws Exception {
    assertEquals(6, cli().run("post", PATH, "-d", "{}", "-k", "old-key", "--retries", "0").code());
    Instant created;
    try (FileJournal journal = FileJournal.open(tmp.resolve("j"))) {
      created = journal.find("old-key").orElseThrow().created();
    }
    Instant now = created.plus(Duration.ofDays(40));
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    // One record 31 days old, and a next page: past the log's 30 days there is nothing to read.
    List<String> asked =
        serve(
            200,
            "{\"$data\":["
                + record("other", "POST", PATH, 200, "{}", now.minus(Duration.ofDays(31)))
                + "],\"$next\":\""
                + base
                + "/api/v2/graph/requests?$last=1000&$before=l-200\"}");
    Cli.Result r = cli().env("EDLINK_IDEM_NOW", now.toString()).run("reconcile", "old-key");
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("$last=1000"), asked, "one page");
    assertTrue(r.out().contains("whether Edlink received it is not known"), r.out());
  }
}
