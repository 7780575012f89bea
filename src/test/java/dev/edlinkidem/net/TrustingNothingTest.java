package dev.edlinkidem.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.edlinkidem.edlink.Bearer;
import dev.edlinkidem.edlink.EdlinkClient;
import dev.edlinkidem.request.JournaledRequest;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The context of a client for plain http:// builds no TLS until a handshake is tried, and then
 * trusts no certificate: a request that reaches TLS through it fails, and is not worth retrying.
 */
class TrustingNothingTest {
  @TempDir Path dir;

  private static EdlinkClient.Exchange post(HttpClient http, String url)
      throws InterruptedException {
    EdlinkClient client = new EdlinkClient(http, Bearer.fixed("tok"), "edlink-idem/test");
    JournaledRequest request =
        JournaledRequest.post(url + "/api/v2/graph/x", "{}".getBytes(StandardCharsets.UTF_8));
    return client.send(request, "k1", Duration.ofSeconds(10));
  }

  @Test
  void aClientThatSendsOnlyPlainHttpBuildsNoTls() throws Exception {
    HttpServer server = answering(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
    try {
      HttpClient http = Network.DIRECT.client(Duration.ofSeconds(5), false);
      EdlinkClient.Exchange exchange =
          post(http, "http://127.0.0.1:" + server.getAddress().getPort());
      assertEquals(
          200,
          assertInstanceOf(EdlinkClient.Exchange.Response.class, exchange, exchange.toString())
              .response()
              .status());
      TrustingNothing tls = assertInstanceOf(TrustingNothing.class, http.sslContext());
      assertFalse(tls.made(), "a TLS context was made for plain http");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aHandshakeThroughItFailsAndIsNotRetried() throws Exception {
    HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(selfSigned()));
    HttpServer server = answering(https);
    try {
      HttpClient http = Network.DIRECT.client(Duration.ofSeconds(5), false);
      EdlinkClient.Exchange exchange =
          post(http, "https://localhost:" + server.getAddress().getPort());
      EdlinkClient.Exchange.NoResponse none =
          assertInstanceOf(EdlinkClient.Exchange.NoResponse.class, exchange, exchange.toString());
      assertFalse(none.worthRetrying(), none.toString());
      assertTrue(((TrustingNothing) http.sslContext()).made());
    } finally {
      server.stop(0);
    }
  }

  /** {@code server}, started, answering every request 200 with no body. */
  private static HttpServer answering(HttpServer server) {
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    return server;
  }

  /** A server context with a new self-signed certificate for localhost, made by keytool. */
  private SSLContext selfSigned() throws Exception {
    Path store = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                List.of(
                    keytool.toString(),
                    "-genkeypair",
                    "-keyalg",
                    "EC",
                    "-alias",
                    "server",
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "SAN=dns:localhost",
                    "-validity",
                    "2",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    store.toString(),
                    "-storepass",
                    "changeit"))
            .redirectErrorStream(true)
            .start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), said);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(keys, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(factory.getKeyManagers(), null, null);
    return context;
  }
}
