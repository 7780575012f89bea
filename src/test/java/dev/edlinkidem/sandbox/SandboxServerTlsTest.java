package dev.edlinkidem.sandbox;

import static dev.edlinkidem.sandbox.SandboxClient.ASSIGNMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.sandbox.SandboxClient.Answer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox over HTTPS, with a certificate of its own, to clients that trust it or do not. */
class SandboxServerTlsTest {
  private static final String ASSIGNMENTS = SandboxServerCase.ASSIGNMENTS;

  private final List<String> logLines = new CopyOnWriteArrayList<>();
  private SelfSignedCertificate certificate;
  private SandboxServer server;
  private SandboxClient client;

  @BeforeEach
  void start() throws Exception {
    certificate = SelfSignedCertificate.generate(Instant.now(), "127.0.0.1", new SecureRandom());
    server = SandboxServer.start(options(certificate), logLines::add);
    client = new SandboxClient(server.baseUrl(), TrustingOnly.client(certificate.pem()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void baseUrlIsHttps() {
    assertTrue(
        server.baseUrl().toString().matches("https://127\\.0\\.0\\.1:\\d+"),
        server.baseUrl().toString());
  }

  @Test
  void aClientTrustingTheCertificateCreatesAndPages() throws Exception {
    assertEquals(200, client.post(ASSIGNMENTS, ASSIGNMENT).status());
    assertEquals(200, client.post(ASSIGNMENTS, ASSIGNMENT).status());

    Answer page = client.get(ASSIGNMENTS + "?$first=1");

    assertEquals(200, page.status());
    String next = page.body().get("$next").getAsString();
    assertTrue(next.startsWith(server.baseUrl() + "/"), next);
    assertEquals(1, client.follow(next).list().size());
    Answer log = client.get("/api/v2/graph/requests?$first=1");
    assertTrue(log.body().get("$next").getAsString().startsWith("https://"), log.body().toString());
  }

  @Test
  void theNextLinkKeepsTheHostTheClientUsedAndTheScheme() throws Exception {
    client.post(ASSIGNMENTS, ASSIGNMENT);
    client.post(ASSIGNMENTS, ASSIGNMENT);
    URI byName = URI.create("https://localhost:" + server.baseUrl().getPort());

    Answer page =
        new SandboxClient(byName, TrustingOnly.client(certificate.pem()))
            .get(ASSIGNMENTS + "?$first=1");

    assertTrue(
        page.body().get("$next").getAsString().startsWith(byName + "/"), page.body().toString());
  }

  @Test
  void aClientWithOnlyTheJdksCasRefusesTheHandshake() {
    HttpClient defaults = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    IOException e =
        assertThrows(
            IOException.class,
            () ->
                defaults.send(
                    HttpRequest.newBuilder(URI.create(server.baseUrl() + "/__sandbox/stats"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()));

    assertInstanceOf(SSLHandshakeException.class, e, e.toString());
    assertEquals(List.of(), logLines, "nothing reached the sandbox");
  }

  @Test
  void closingRunsWhatWasMadeForTheServerOnce() {
    AtomicInteger before = new AtomicInteger();
    server.whenClosed(before::incrementAndGet);

    server.close();
    server.close();
    AtomicInteger after = new AtomicInteger();
    server.whenClosed(after::incrementAndGet);

    assertEquals(1, before.get());
    assertEquals(1, after.get(), "already closed: at once");
  }

  private static SandboxServer.Options options(SelfSignedCertificate certificate) {
    SandboxServer.Options plain = SandboxServer.Options.of("127.0.0.1", 0, null, Faults.NONE, 1);
    return new SandboxServer.Options(
        plain.host(),
        plain.port(),
        plain.integrationToken(),
        plain.faults(),
        plain.seed(),
        plain.userTokenTtl(),
        plain.clientId(),
        plain.clientSecret(),
        certificate);
  }
}
