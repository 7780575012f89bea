package dev.edlinkidem.edlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edlinkidem.net.Network;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

// Alone: it stops every HttpClient selector thread in the JVM, other tests' clients too, and
// expects none left.
@Isolated
class SelectorExitTest {
  private static List<Thread> selectors() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(
            t ->
                t.getName().startsWith("HttpClient-")
                    && t.getName().endsWith("-SelectorManager")
                    && t.isAlive())
        .toList();
  }

  @Test
  void aUsedClientsSelectorThreadEndsBeforeExit() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();
    try {
      HttpClient client = Network.DIRECT.client(Duration.ofSeconds(5), true);
      HttpResponse<Void> r =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      assertEquals(204, r.statusCode());
      assertTrue(!selectors().isEmpty(), "the client has a selector thread while it lives");
      EdlinkClient.stopSelectorsBeforeExit();
      assertEquals(List.of(), selectors());
    } finally {
      server.stop(0);
    }
  }
}
