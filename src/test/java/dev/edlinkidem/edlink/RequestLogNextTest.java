package dev.edlinkidem.edlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.verdict.Row;
import dev.edlinkidem.verdict.Verdict;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request log page whose {@code $next} cannot be followed with the token: on another host, on a
 * host with an underscore (which java.net.URI does not parse as a host), or not a URL. Each is an
 * answer the tool cannot use, said in one line with the server-fault exit (5), never a crash and
 * never "no response"; the token is not sent there.
 */
class RequestLogNextTest {
  private HttpServer server;
  private volatile String next;
  private volatile String data = "[]";
  private final List<String> asked = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          asked.add(ex.getRequestURI().toString());
          byte[] body =
              ("{\"$data\":" + data + ",\"$next\":" + next + "}").getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private RequestLog.Unreadable refused(String nextJson) {
    next = nextJson;
    RequestLog log =
        new RequestLog(
            Network.DIRECT.client(Duration.ofSeconds(5), false),
            URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
            "sk-log",
            Duration.ofSeconds(5));
    return assertThrows(
        RequestLog.Unreadable.class,
        () -> log.find(Set.of("k1"), Instant.parse("2020-01-01T00:00:00Z")));
  }

  @Test
  void aNextPageThatCannotBeFollowedIsAnUnusableAnswerNotALostOne() {
    for (String bad :
        List.of(
            "\"http://evil_host.example/api/v2/graph/requests?$cursor=x\"",
            "\"https://other.example/api/v2/graph/requests?$cursor=x\"",
            "\"http://127.0.0.1:1/api/v2/graph/requests\"",
            "\"http://[::1/x\"",
            "\"not a url at all\"",
            "{\"a\":1}")) {
      asked.clear();
      RequestLog.Unreadable e = refused(bad);
      Verdict v =
          Verdict.logUnreadable(e.tokenRefused(), e.queryRefused(), e.status(), e.getMessage());
      assertEquals(Row.LOG_SERVER_ERROR, v.row(), bad + ": " + e.getMessage());
      assertEquals(5, v.exit(), bad);
      assertTrue(e.getMessage().contains("next page"), e.getMessage());
      assertEquals(1, asked.size(), "only the first page was asked for: " + asked);
    }
  }

  @Test
  void aRecordWithAFieldOfTheWrongKindIsAnUnusableAnswerNotACrash() {
    for (String record :
        List.of(
            "{\"idempotency_key\":\"k1\",\"status\":\"abc\"}",
            "{\"idempotency_key\":{\"a\":1},\"status\":200}",
            "{\"idempotency_key\":\"k1\",\"method\":[1],\"status\":200}")) {
      data = "[" + record + "]";
      RequestLog.Unreadable e = refused("null");
      Verdict v =
          Verdict.logUnreadable(e.tokenRefused(), e.queryRefused(), e.status(), e.getMessage());
      assertEquals(Row.LOG_SERVER_ERROR, v.row(), record + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("cannot be read"), e.getMessage());
    }
  }
}
