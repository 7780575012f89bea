package dev.edlinkidem.edlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers no Edlink should give, and a proxy or a broken server may: a body far over the cap, one
 * that never ends, headers that carry credentials. The body is read up to the cap and no further,
 * the answer is settled by its status, and only harmless headers are kept.
 */
class HugeAnswersTest {
  private HttpServer server;
  private final AtomicReference<Handler> handler = new AtomicReference<>();

  private interface Handler {
    void handle(com.sun.net.httpserver.HttpExchange exchange) throws IOException;
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try {
            exchange.getRequestBody().readAllBytes();
            handler.get().handle(exchange);
          } catch (IOException e) {
            // the client closed the connection at its cap
          } finally {
            exchange.close();
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private RecordedResponse post(int cap, Duration timeout) throws Exception {
    EdlinkClient client =
        new EdlinkClient(
            Network.DIRECT.client(Duration.ofSeconds(5), false),
            Bearer.fixed("sk-secret-in-the-echo"),
            "edlink-idem/test",
            cap);
    JournaledRequest request =
        JournaledRequest.post(
            "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2/graph/x",
            "{}".getBytes(StandardCharsets.UTF_8));
    EdlinkClient.Exchange exchange = client.send(request, "k1", timeout);
    return assertInstanceOf(EdlinkClient.Exchange.Response.class, exchange, exchange.toString())
        .response();
  }

  /** Writes {@code total} bytes of padding, or without end when {@code total} is negative. */
  private static void pad(OutputStream out, long total) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, (byte) 'a');
    for (long sent = 0; total < 0 || sent < total; sent += chunk.length) {
      out.write(chunk, 0, (int) (total < 0 ? chunk.length : Math.min(chunk.length, total - sent)));
    }
  }

  @Test
  void aBodyOverTheCapIsCutThereAndSaysSo() throws Exception {
    long total = 50L << 20;
    handler.set(
        ex -> {
          ex.sendResponseHeaders(200, total);
          try (OutputStream out = ex.getResponseBody()) {
            pad(out, total);
          }
        });
    RecordedResponse r = post(1 << 20, Duration.ofSeconds(30));
    assertEquals(200, r.status());
    assertEquals(1 << 20, r.body().length);
    assertTrue(r.truncated());
    assertTrue(r.length() > r.body().length);
    assertEquals(Answer.DONE, Answer.of(r, Envelope.of(r.body())));
  }

  @Test
  void aBodyThatNeverEndsIsSettledByItsStatusLongBeforeTheTimeout() throws Exception {
    handler.set(
        ex -> {
          ex.sendResponseHeaders(201, 0); // chunked, and it goes on until the client leaves
          try (OutputStream out = ex.getResponseBody()) {
            pad(out, -1);
          }
        });
    long t0 = System.nanoTime();
    RecordedResponse r = post(256 << 10, Duration.ofSeconds(60));
    assertTrue(
        Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(20)) < 0,
        "settled at the cap, not at the timeout");
    assertEquals(201, r.status());
    assertTrue(r.truncated());
  }

  @Test
  void aBodyOfExactlyTheCapIsWhole() throws Exception {
    handler.set(
        ex -> {
          ex.sendResponseHeaders(200, 4096);
          try (OutputStream out = ex.getResponseBody()) {
            pad(out, 4096);
          }
        });
    RecordedResponse r = post(4096, Duration.ofSeconds(10));
    assertFalse(r.truncated());
    assertEquals(4096, r.length());
  }

  @Test
  void anErrorCutAtTheCapIsOfUnknownOutcomeNotARefusal() throws Exception {
    byte[] start =
        "{\"$errors\":[{\"code\":\"MISSING_REQUIRED_FIELD\",\"x\":\""
            .getBytes(StandardCharsets.UTF_8);
    handler.set(
        ex -> {
          ex.sendResponseHeaders(400, 0);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(start);
            pad(out, 2 << 20); // ... and perhaps an INTERNAL further on
          }
        });
    RecordedResponse r = post(64 << 10, Duration.ofSeconds(10));
    assertTrue(r.truncated());
    assertArrayEquals(start, Arrays.copyOf(r.body(), start.length));
    assertEquals(Answer.UNKNOWN_OUTCOME, Answer.of(r, Envelope.of(r.body())));
  }

  @Test
  void credentialBearingHeadersAreNotKept() throws Exception {
    handler.set(
        ex -> {
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.getResponseHeaders().add("Authorization", "Bearer sk-secret-in-the-echo");
          ex.getResponseHeaders().add("Proxy-Authorization", "Basic dXNlcjpwYXNz");
          ex.getResponseHeaders().add("Set-Cookie", "session=1");
          ex.getResponseHeaders().add("X-Api-Key", "sk-secret-in-the-echo");
          ex.getResponseHeaders().add("X-Request-Id", "req-42");
          ex.getResponseHeaders().add("Retry-After", "3");
          ex.getResponseHeaders().add("X-RateLimit-Remaining", "7");
          byte[] body = "{\"$data\":{}}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
        });
    RecordedResponse r = post(1 << 20, Duration.ofSeconds(10));
    assertEquals("req-42", r.header("X-Request-Id"));
    assertEquals("3", r.header("Retry-After"));
    assertEquals("7", r.header("X-RateLimit-Remaining"));
    assertEquals("application/json", r.header("Content-Type"));
    for (String gone :
        new String[] {"Authorization", "Proxy-Authorization", "Set-Cookie", "X-Api-Key"}) {
      assertNull(r.header(gone), gone);
    }
    assertFalse(r.headers().toString().contains("sk-secret"), r.headers().toString());
  }
}
