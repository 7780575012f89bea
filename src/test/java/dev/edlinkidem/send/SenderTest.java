package dev.edlinkidem.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edlinkidem.edlink.Bearer;
import dev.edlinkidem.edlink.EdlinkClient;
import dev.edlinkidem.edlink.RetryPolicy;
import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.time.ManualTime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retry loop against a server that answers from a script, without sleeping. */
class SenderTest {
  /** One scripted answer: a status with headers, or -1 to close the connection unanswered. */
  record Reply(int status, Map<String, String> headers, String body) {
    static Reply of(int status, String body) {
      return new Reply(status, Map.of(), body);
    }

    static Reply drop() {
      return new Reply(-1, Map.of(), "");
    }
  }

  /** A reply that sends its headers and then stalls before the body. */
  static final int STALL = -2;

  @TempDir Path tmp;

  private HttpServer server;
  private final Deque<Reply> script = new ArrayDeque<>();
  private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
  private final ManualTime time = new ManualTime();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          seen.add(
              exchange.getRequestURI()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization")
                  + " "
                  + new String(body, StandardCharsets.UTF_8));
          Reply reply = script.poll();
          if (reply != null && reply.status() == STALL) {
            exchange.sendResponseHeaders(200, 100); // promise 100 bytes, send none
            exchange.getResponseBody().flush();
            try {
              Thread.sleep(3_000);
            } catch (InterruptedException ignored) {
              // the server is stopping
            }
            exchange.close();
            return;
          }
          if (reply == null || reply.status() < 0) {
            exchange.close(); // no headers sent: the connection is closed unanswered
            return;
          }
          reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
          byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
          exchange.getResponseBody().write(out);
          exchange.close();
        });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private int sends;

  private Delivery send(int retries, Reply... replies) throws Exception {
    return send(Bearer.fixed("tok"), "/api/v2/graph/classes/c1/assignments", retries, replies);
  }

  private Delivery send(Bearer bearer, String path, int retries, Reply... replies)
      throws Exception {
    sends++;
    script.clear();
    script.addAll(List.of(replies));
    RetryPolicy policy = RetryPolicy.of(retries, Duration.ofSeconds(5), Duration.ofMinutes(10));
    EdlinkClient client =
        new EdlinkClient(Network.DIRECT.client(Duration.ofSeconds(5), true), bearer, "test");
    Sender sender = new Sender(client, policy, time, new Random(7), (a, w) -> {});
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + path;
    try (FileJournal journal = FileJournal.open(tmp.resolve("j" + sends));
        Journal.Lease lease = journal.lease("K1")) {
      Entry entry =
          lease.begin(
              new JournaledRequest(
                  "POST",
                  url,
                  Map.of("Content-Type", "application/json"),
                  "{\"title\":\"t\"}".getBytes(StandardCharsets.UTF_8)),
              time.now());
      Delivery delivery = sender.send(lease, entry, "post");
      Entry stored = journal.find("K1").orElseThrow();
      assertEquals(
          delivery.entry().attempts().size(),
          stored.attempts().size(),
          "every attempt is journaled");
      assertEquals(delivery.entry().state(), stored.state());
      return delivery;
    }
  }

  /** A user token that renews to {@code renewed}, taking {@code takes} of the sender's time. */
  private Bearer renewing(String renewed, Duration takes, List<Duration> offered) {
    return new Bearer() {
      private String token = "old";

      @Override
      public synchronized String token() {
        return token;
      }

      @Override
      public synchronized Renewal renew(String refused, Duration atMost) {
        offered.add(atMost);
        time.advance(takes);
        token = renewed;
        return new Renewal(renewed, null);
      }
    };
  }

  private static final String MY = "/api/v2/my/classes/c1/assignments";
  private static final Reply EXPIRED =
      Reply.of(401, "{\"$errors\":[{\"code\":\"EXPIRED_TOKEN\"}]}");

  @Test
  void aRenewedUserTokenIsSentAtOnceWithTheSameKeyWithoutSpendingARetry() throws Exception {
    List<Duration> offered = new ArrayList<>();
    Delivery d = send(renewing("new", Duration.ZERO, offered), MY, 0, EXPIRED, Reply.of(200, "{}"));

    assertEquals(Delivery.Kind.SUCCEEDED, d.kind());
    assertEquals(2, d.attempts());
    assertEquals(2, seen.size());
    assertTrue(
        seen.get(0).contains("Bearer old") && seen.get(1).contains("Bearer new"), seen.toString());
    assertTrue(
        seen.get(1).startsWith(seen.get(0).substring(0, seen.get(0).indexOf(' '))), "same key");
    assertEquals(List.of(), time.sleeps(), "no wait");
    assertTrue(offered.get(0).compareTo(Duration.ofMinutes(10)) <= 0, "within --max-time");
  }

  @Test
  void aRefreshThatOutlastsMaxTimeEndsRefusedAndSaysTheTokenWasRefreshed() throws Exception {
    Delivery d = send(renewing("new", Duration.ofMinutes(11), new ArrayList<>()), MY, 4, EXPIRED);

    assertEquals(Delivery.Kind.CREDENTIALS_REFUSED, d.kind());
    assertEquals(1, seen.size(), "not sent again");
    assertTrue(d.error().contains("--max-time ran out"), d.error());
  }

  @Test
  void aTokenRefusedOnTheGraphApiIsNotRenewed() throws Exception {
    List<Duration> offered = new ArrayList<>();
    Delivery d =
        send(
            renewing("new", Duration.ZERO, offered),
            "/api/v2/graph/classes/c1/assignments",
            4,
            EXPIRED);

    assertEquals(Delivery.Kind.CREDENTIALS_REFUSED, d.kind());
    assertEquals(List.of(), offered);
    assertEquals(1, seen.size());
  }

  @Test
  void aDroppedConnectionIsRetriedWithTheSameKeyAndBytes() throws Exception {
    Delivery d =
        send(
            4,
            Reply.drop(),
            Reply.of(503, "{}"),
            Reply.of(200, "{\"$data\":{},\"$request\":\"r9\"}"));
    assertEquals(Delivery.Kind.SUCCEEDED, d.kind());
    assertEquals(3, d.attempts());
    assertEquals(3, seen.size());
    assertEquals(
        1, seen.stream().distinct().count(), "same URL, key, token and body every time: " + seen);
    assertTrue(
        seen.get(0).startsWith("/api/v2/graph/classes/c1/assignments?$idempotency=K1 Bearer tok {"),
        seen.get(0));
    List<Attempt> attempts = d.entry().attempts();
    assertEquals(Attempt.Result.NO_RESPONSE, attempts.get(0).result());
    assertEquals(503, attempts.get(1).status());
    assertEquals("r9", attempts.get(2).requestId());
    assertEquals(EntryState.SUCCEEDED, d.entry().state());
    assertEquals(2, time.sleeps().size());
  }

  @Test
  void retryAfterIsHonoured() throws Exception {
    Delivery d = send(4, new Reply(429, Map.of("Retry-After", "7"), "{}"), Reply.of(200, "{}"));
    assertEquals(Delivery.Kind.SUCCEEDED, d.kind());
    assertEquals(List.of(Duration.ofSeconds(7)), time.sleeps());
  }

  @Test
  void throttlingIsWaitedOutWithoutSpendingRetriesUpToABound() throws Exception {
    Reply throttled = new Reply(429, Map.of("Retry-After", "1"), "{}");
    Reply[] six = new Reply[7];
    java.util.Arrays.fill(six, throttled);
    six[6] = Reply.of(200, "{}");
    Delivery d = send(1, six);
    assertEquals(Delivery.Kind.SUCCEEDED, d.kind(), "six 429s with one retry: still sent");
    assertEquals(7, d.attempts());
    assertEquals(6, time.sleeps().size());

    Reply[] many = new Reply[Sender.FREE_THROTTLES + 3];
    java.util.Arrays.fill(many, throttled);
    Delivery bounded = send(1, many);
    assertEquals(Delivery.Kind.SERVER_ERROR, bounded.kind());
    assertEquals(Sender.FREE_THROTTLES + 2, bounded.attempts(), "then they count: one retry more");
  }

  @Test
  void aThrottleWithoutRetryAfterBacksOffByItsOwnCount() throws Exception {
    send(0, Reply.of(429, "{}"), Reply.of(429, "{}"), Reply.of(200, "{}"));
    assertEquals(2, time.sleeps().size());
    assertTrue(time.sleeps().get(1).compareTo(time.sleeps().get(0)) > 0, time.sleeps().toString());
  }

  @Test
  void backoffGrowsBetweenRetries() throws Exception {
    send(3, Reply.of(503, "{}"), Reply.of(502, "{}"), Reply.of(504, "{}"), Reply.of(500, "{}"));
    assertEquals(3, time.sleeps().size());
    assertTrue(
        time.sleeps().get(0).toMillis() >= 400 && time.sleeps().get(0).toMillis() <= 600,
        time.sleeps().toString());
    assertTrue(
        time.sleeps().get(1).toMillis() >= 800 && time.sleeps().get(1).toMillis() <= 1200,
        time.sleeps().toString());
    assertTrue(
        time.sleeps().get(2).toMillis() >= 1600 && time.sleeps().get(2).toMillis() <= 2400,
        time.sleeps().toString());
  }

  @Test
  void aFinal4xxIsFailedAndNotRetried() throws Exception {
    Delivery d =
        send(4, Reply.of(400, "{\"$errors\":[{\"code\":\"BAD_REQUEST\",\"message\":\"title\"}]}"));
    assertEquals(Delivery.Kind.FAILED, d.kind());
    assertEquals(EntryState.FAILED, d.entry().state());
    assertEquals(1, seen.size());
  }

  @Test
  void edlinksOwnFailureIsRetriedWithTheSameKeyAndLeftPending() throws Exception {
    String internal = "{\"$errors\":[{\"code\":\"INTERNAL\",\"message\":\"m\"}]}";
    Delivery d = send(2, Reply.of(400, internal), Reply.of(400, internal), Reply.of(400, internal));
    assertEquals(Delivery.Kind.SERVER_ERROR, d.kind());
    assertEquals(EntryState.PENDING, d.entry().state(), "an upstream LMS may have acted");
    assertEquals(3, seen.size());
    assertEquals(1, seen.stream().distinct().count(), "the same key every time: " + seen);

    Delivery recovered =
        send(3, Reply.of(500, internal.replace("INTERNAL", "UNKNOWN")), Reply.of(200, "{}"));
    assertEquals(Delivery.Kind.SUCCEEDED, recovered.kind());
  }

  @Test
  void refusedCredentialsLeaveTheEntryPending() throws Exception {
    Delivery d =
        send(
            4,
            Reply.of(400, "{\"$errors\":[{\"code\":\"EXPIRED_TOKEN\",\"message\":\"expired\"}]}"));
    assertEquals(Delivery.Kind.CREDENTIALS_REFUSED, d.kind());
    assertEquals(EntryState.PENDING, d.entry().state());
    Delivery forbidden = send(4, Reply.of(403, "{}"));
    assertEquals(Delivery.Kind.CREDENTIALS_REFUSED, forbidden.kind());
  }

  @Test
  void retriesRunOutOnServerErrorsAndNoResponses() throws Exception {
    Delivery fivexx =
        send(2, Reply.of(503, "{}"), Reply.of(503, "{}"), Reply.of(503, "{}"), Reply.of(200, "{}"));
    assertEquals(Delivery.Kind.SERVER_ERROR, fivexx.kind());
    assertEquals(3, fivexx.attempts());
    assertEquals(EntryState.PENDING, fivexx.entry().state());
  }

  @Test
  void noResponseAtAllEndsAsNoResponse() throws Exception {
    Delivery d = send(1, Reply.drop(), Reply.drop());
    assertEquals(Delivery.Kind.NO_RESPONSE, d.kind());
    assertEquals("connection closed without a response", d.error());
    assertEquals(2, d.attempts());
  }

  @Test
  void aRetryAfterLongerThanTheTimeLeftEndsTheRetries() throws Exception {
    script.add(new Reply(429, Map.of("Retry-After", "3600"), "{}"));
    RetryPolicy policy = RetryPolicy.of(4, Duration.ofSeconds(5), Duration.ofSeconds(60));
    EdlinkClient client =
        new EdlinkClient(Network.DIRECT.client(Duration.ofSeconds(5), true), "tok", "test");
    Sender sender =
        new Sender(
            client, policy, time, new Random(1), (a, w) -> assertEquals(Optional.empty(), w));
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/x";
    try (FileJournal journal = FileJournal.open(tmp.resolve("j2"));
        Journal.Lease lease = journal.lease("K2")) {
      Entry entry =
          lease.begin(new JournaledRequest("POST", url, Map.of(), new byte[0]), time.now());
      assertEquals(Delivery.Kind.SERVER_ERROR, sender.send(lease, entry, "post").kind());
    }
    assertTrue(time.sleeps().isEmpty());
  }

  @Test
  void aBodyThatStallsAfterTheHeadersTimesOut() throws Exception {
    script.add(new Reply(STALL, Map.of(), ""));
    script.add(Reply.of(200, "{}"));
    RetryPolicy policy = RetryPolicy.of(1, Duration.ofMillis(300), Duration.ofSeconds(30));
    EdlinkClient client =
        new EdlinkClient(Network.DIRECT.client(Duration.ofSeconds(5), true), "tok", "test");
    Sender sender = new Sender(client, policy, time, new Random(1), (a, w) -> {});
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/x";
    long t0 = System.nanoTime();
    try (FileJournal journal = FileJournal.open(tmp.resolve("stall"));
        Journal.Lease lease = journal.lease("K3")) {
      Entry entry =
          lease.begin(new JournaledRequest("POST", url, Map.of(), new byte[0]), time.now());
      Delivery d = sender.send(lease, entry, "post");
      assertEquals(Delivery.Kind.SUCCEEDED, d.kind());
      assertEquals(Attempt.Result.TIMEOUT, d.entry().attempts().get(0).result());
    }
    assertTrue(
        System.nanoTime() - t0 < 5_000_000_000L,
        "the stalled body did not hold the attempt past its timeout");
  }

  @Test
  void aPauseLongerThanMaxTimeEndsTheRetriesWithoutAnError() throws Exception {
    script.add(Reply.of(503, "{}"));
    script.add(Reply.of(200, "{}"));
    RetryPolicy policy = RetryPolicy.of(4, Duration.ofSeconds(5), Duration.ofMillis(800));
    EdlinkClient client =
        new EdlinkClient(Network.DIRECT.client(Duration.ofSeconds(5), true), "tok", "test");
    // The process is stopped (Ctrl-Z) during the wait, well past --max-time.
    Sender sender =
        new Sender(
            client,
            policy,
            time.stretchingSleeps(d -> d.plusMillis(900)),
            new Random(1),
            (a, w) -> {});
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/x";
    try (FileJournal journal = FileJournal.open(tmp.resolve("pause"));
        Journal.Lease lease = journal.lease("K4")) {
      Entry entry =
          lease.begin(new JournaledRequest("POST", url, Map.of(), new byte[0]), time.now());
      Delivery d = sender.send(lease, entry, "post");
      assertEquals(Delivery.Kind.SERVER_ERROR, d.kind());
      assertEquals(1, d.attempts());
    }
    assertEquals(1, seen.size());
  }

  @Test
  void aRedirectIsNotFollowedAndLeavesTheEntryPending() throws Exception {
    Delivery d = send(4, new Reply(302, Map.of("Location", "https://login.example/"), ""));
    assertEquals(Delivery.Kind.UNEXPECTED, d.kind());
    assertEquals(EntryState.PENDING, d.entry().state());
    assertEquals(1, seen.size());
  }
}
