package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.edlinkidem.sandbox.SelfSignedCertificate;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxies that proxy tests stand on: {@link RecordingProxy} tunnels, asks for credentials and
 * records what it is sent; {@link Tinyproxy} starts, tunnels, asks for credentials as its javadoc
 * says, logs, and stops. CONNECT is spoken over raw sockets to an echo server, which needs no TLS;
 * one test each sends a token with the JDK's client over TLS, as the tool will.
 */
class ProxyFixturesTest {
  /** Distinctive, so that a hit can only be a leak. */
  private static final String TOKEN = "edlTok-Pr0xyF1xtur3sT3st";

  @TempDir Path tmp;

  private EchoServer echo;

  @BeforeEach
  void startEcho() throws IOException {
    echo = new EchoServer();
  }

  @AfterEach
  void stopEcho() {
    echo.close();
  }

  @Test
  void theRecordingProxyTunnelsAndRecordsTheConnectAndTheTunnelledBytes() throws Exception {
    try (RecordingProxy proxy = RecordingProxy.start()) {
      try (Tunnel t = Tunnel.open(proxy.port(), echo.authority(), null)) {
        assertEquals("HTTP/1.1 200 Connection established", t.statusLine());
        assertEquals("echo: hello", t.say("hello"));
      }
      assertEquals(1, proxy.connects());
      assertEquals(1, proxy.tunnels());
      assertEquals(0, proxy.plainRequests());
      List<String> heads = proxy.connectHeaders();
      assertEquals(1, heads.size());
      assertTrue(
          heads.get(0).startsWith("CONNECT " + echo.authority() + " HTTP/1.1\r\n"), heads.get(0));
      assertTrue(heads.get(0).endsWith("\r\n\r\n"), heads.get(0));
      assertTrue(proxy.received().startsWith(heads.get(0) + "hello\n"), proxy.received());
    }
  }

  @Test
  void theRecordingProxyAnswers407WithoutCredentialsOrWithWrongOnes() throws Exception {
    try (RecordingProxy proxy = RecordingProxy.requiringBasic("alice", "s3cret")) {
      for (String authorization :
          new String[] {null, basic("alice", "wrong"), "Bearer " + TOKEN, "Basic"}) {
        try (Tunnel t = Tunnel.open(proxy.port(), echo.authority(), authorization)) {
          assertEquals("HTTP/1.1 407 Proxy Authentication Required", t.statusLine());
          assertTrue(
              t.head().contains("\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"), t.head());
        }
      }
      try (Tunnel t = Tunnel.open(proxy.port(), echo.authority(), basic("alice", "s3cret"))) {
        assertEquals("HTTP/1.1 200 Connection established", t.statusLine());
        assertEquals("echo: through", t.say("through"));
      }
      assertEquals(5, proxy.connects());
      assertEquals(1, proxy.tunnels());
      assertTrue(
          proxy
              .connectHeaders()
              .get(4)
              .contains("Proxy-Authorization: " + basic("alice", "s3cret")),
          proxy.connectHeaders().get(4));
    }
  }

  @Test
  void theRecordingProxyRecordsAPlainRequestAndForwardsNothing() throws Exception {
    try (RecordingProxy proxy = RecordingProxy.start();
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      s.getOutputStream()
          .write(
              ("POST http://"
                      + echo.authority()
                      + "/x HTTP/1.1\r\nHost: "
                      + echo.authority()
                      + "\r\nAuthorization: Bearer "
                      + TOKEN
                      + "\r\nContent-Length: 4\r\n\r\nbody")
                  .getBytes(StandardCharsets.ISO_8859_1));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(answer.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), answer);
      assertEquals(1, proxy.plainRequests());
      assertEquals(0, proxy.connects());
      assertTrue(proxy.received().contains("Authorization: Bearer " + TOKEN), proxy.received());
      assertTrue(proxy.received().endsWith("\r\n\r\nbody"), proxy.received());
      assertEquals(0, echo.connections(), "nothing reached the target");
    }
  }

  @Test
  void theRecordingProxyTunnelsOnlyToLoopback() throws Exception {
    try (RecordingProxy proxy = RecordingProxy.start();
        Tunnel t = Tunnel.open(proxy.port(), "192.0.2.1:443", null)) {
      assertEquals("HTTP/1.1 502 Bad Gateway", t.statusLine());
      assertEquals(1, proxy.connects());
      assertEquals(0, proxy.tunnels());
    }
  }

  @Test
  void closingTheRecordingProxyEndsItsTunnelsAndItsPort() throws Exception {
    RecordingProxy proxy = RecordingProxy.start();
    try (Tunnel t = Tunnel.open(proxy.port(), echo.authority(), null)) {
      assertEquals("echo: before", t.say("before"));
      proxy.close();
      assertEquals(-1, t.in().read(), "the tunnel ends");
    }
    assertTrue(proxy.portClosed(), "its listening socket is closed");
    int accepted = proxy.accepted();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      // The freed port was given again, to another test's or process's server, on this shared
      // machine: what answered is not the proxy, which accepts nothing more (below).
    } catch (ConnectException refused) {
      // Nobody listens there: the port ended with the proxy.
    }
    assertEquals(accepted, proxy.accepted(), "the closed proxy accepts nothing more");
    assertTrue(proxy.received().contains("before"), "what it recorded stays readable");
  }

  @Test
  void aTokenSentOverTlsReachesTheRecordingProxyOnlyEncrypted() throws Exception {
    try (TlsServer server = new TlsServer();
        RecordingProxy proxy = RecordingProxy.start()) {
      assertEquals(200, server.get(proxy.port()));
      assertEquals(1, proxy.tunnels());
      assertFalse(proxy.received().contains(TOKEN), "the token crossed the proxy in clear");
      assertFalse(proxy.connectHeaders().get(0).contains("Authorization"));
      String tunnelled = proxy.received().substring(proxy.connectHeaders().get(0).length());
      assertTrue(
          tunnelled.startsWith("\u0016\u0003"), "a TLS handshake record follows the CONNECT");
    }
  }

  @Test
  void tinyproxyTunnelsAndLogsTheConnect() throws Exception {
    assumeTinyproxy();
    try (Tinyproxy proxy = Tinyproxy.start(tmp)) {
      assertEquals("http://127.0.0.1:" + proxy.port(), proxy.url());
      try (Tunnel t = Tunnel.open(proxy.port(), echo.authority(), null)) {
        assertEquals("HTTP/1.0 200 Connection established", t.statusLine());
        assertEquals("echo: hello", t.say("hello"));
      }
      String log = proxy.awaitLog("CONNECT " + echo.authority() + " HTTP/1.1");
      assertTrue(log.contains("Request (file descriptor"), log);
    }
  }

  @Test
  void tinyproxyAnswers407WithoutCredentialsAnd401WithWrongOnes() throws Exception {
    assumeTinyproxy();
    try (Tinyproxy proxy = Tinyproxy.start(tmp, "alice", "s3cret")) {
      try (Tunnel t = Tunnel.open(proxy.port(), echo.authority(), null)) {
        assertEquals("HTTP/1.0 407 Proxy Authentication Required", t.statusLine());
        assertTrue(t.head().contains("Proxy-Authenticate: Basic realm=\"Tinyproxy\""), t.head());
      }
      for (String wrong : new String[] {basic("alice", "wrong"), "Bearer " + TOKEN}) {
        try (Tunnel t = Tunnel.open(proxy.port(), echo.authority(), wrong)) {
          assertEquals("HTTP/1.0 401 Unauthorized", t.statusLine());
        }
      }
      try (Tunnel t = Tunnel.open(proxy.port(), echo.authority(), basic("alice", "s3cret"))) {
        assertEquals("HTTP/1.0 200 Connection established", t.statusLine());
        assertEquals("echo: through", t.say("through"));
      }
      assertFalse(proxy.log().contains(TOKEN), "tinyproxy logs no header");
    }
  }

  @Test
  void aTokenSentOverTlsThroughTinyproxyIsNotInItsLog() throws Exception {
    assumeTinyproxy();
    try (TlsServer server = new TlsServer();
        Tinyproxy proxy = Tinyproxy.start(tmp)) {
      assertEquals(200, server.get(proxy.port()));
      String log = proxy.awaitLog("CONNECT 127.0.0.1:" + server.port() + " HTTP/1.1");
      assertFalse(log.contains(TOKEN), log);
    }
  }

  @Test
  void closingTinyproxyStopsItRightAfterAConnection() throws Exception {
    assumeTinyproxy();
    Tinyproxy proxy = Tinyproxy.start(tmp);
    try (Tunnel t = Tunnel.open(proxy.port(), echo.authority(), null)) {
      assertEquals("echo: hello", t.say("hello"));
    }
    proxy.close();
    assertThrows(
        ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), proxy.port()));
    assertTrue(proxy.log().contains("Shutting down"), "it ended on SIGTERM:\n" + proxy.log());
  }

  @Test
  void aMissingOrOldTinyproxyIsReportedWithHowToInstallIt() {
    assertEquals(
        Optional.of("tinyproxy not installed: apt-get install tinyproxy (.ci/run does, as root)"),
        Tinyproxy.whyUnavailable(Optional.empty()));
    String why = Tinyproxy.whyUnusable("tinyproxy 1.10.0").orElseThrow();
    assertTrue(why.startsWith("tinyproxy 1.10.0 is older than the 1.11"), why);
    assertEquals(Optional.empty(), Tinyproxy.whyUnusable("tinyproxy 1.11.1"));
    assertEquals(Optional.empty(), Tinyproxy.whyUnusable("tinyproxy 2.0.0"));
  }

  @Test
  void tinyproxyRefusesCredentialsItsConfigurationCannotHold() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Tinyproxy.start(tmp, "alice", "p@ss"));
    assertTrue(e.getMessage().contains("p@ss"), e.getMessage());
  }

  @Test
  void aProxyUrlPercentEncodesItsCredentials() throws Exception {
    try (RecordingProxy proxy = RecordingProxy.start()) {
      assertEquals(
          "http://al%20ice:p%40ss%3Aw%C3%A9@127.0.0.1:" + proxy.port(),
          proxy.url("al ice", "p@ss:wé"));
    }
  }

  private static void assumeTinyproxy() {
    Optional<String> why = Tinyproxy.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** A CONNECT sent over a raw socket, its answer's head read; then the socket is the tunnel. */
  private record Tunnel(Socket socket, String head) implements AutoCloseable {
    static Tunnel open(int proxyPort, String authority, String proxyAuthorization)
        throws IOException {
      Socket s = new Socket(InetAddress.getLoopbackAddress(), proxyPort);
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("CONNECT "
                      + authority
                      + " HTTP/1.1\r\nHost: "
                      + authority
                      + "\r\n"
                      + (proxyAuthorization == null
                          ? ""
                          : "Proxy-Authorization: " + proxyAuthorization + "\r\n")
                      + "\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      // Byte by byte, so that nothing of the tunnel is read with the head.
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b == -1) {
          break;
        }
        head.write(b);
      }
      return new Tunnel(s, head.toString(StandardCharsets.ISO_8859_1));
    }

    String statusLine() {
      int end = head.indexOf("\r\n");
      return end < 0 ? head : head.substring(0, end);
    }

    InputStream in() throws IOException {
      return socket.getInputStream();
    }

    /** Sends a line through the tunnel, and reads the echo server's line back. */
    String say(String line) throws IOException {
      OutputStream out = socket.getOutputStream();
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      for (int b; (b = socket.getInputStream().read()) != -1 && b != '\n'; ) {
        back.write(b);
      }
      return back.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** A plain TCP server on loopback that answers each line with {@code echo: LINE}. */
  private static final class EchoServer implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private volatile int connections;

    EchoServer() throws IOException {
      Thread accept =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Socket s = server.accept();
                    connections++;
                    Thread serve = new Thread(() -> echo(s), "echo");
                    serve.setDaemon(true);
                    serve.start();
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              },
              "echo-accept");
      accept.setDaemon(true);
      accept.start();
    }

    private static void echo(Socket s) {
      try (s;
          BufferedReader in =
              new BufferedReader(
                  new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
          PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
        for (String line; (line = in.readLine()) != null; ) {
          out.print("echo: " + line + "\n");
          out.flush();
        }
      } catch (IOException ended) {
        // the client left
      }
    }

    String authority() {
      return "127.0.0.1:" + server.getLocalPort();
    }

    int connections() {
      return connections;
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException ignored) {
        // closing is all that was asked
      }
    }
  }

  /**
   * An HTTPS server on loopback with a self-signed certificate for 127.0.0.1, and a JDK client that
   * trusts it and reaches it through a proxy with a bearer token, as the tool does.
   */
  private static final class TlsServer implements AutoCloseable {
    private final HttpsServer server;
    private final SSLContext clientTls;

    TlsServer() throws Exception {
      SelfSignedCertificate certificate =
          SelfSignedCertificate.generate(Instant.now(), "127.0.0.1", new SecureRandom());
      SSLContext serverTls = certificate.serverContext();
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      trusted.setCertificateEntry("server", certificate.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      clientTls = SSLContext.getInstance("TLS");
      clientTls.init(null, tmf.getTrustManagers(), null);

      server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
      server.createContext(
          "/",
          exchange -> {
            exchange.getRequestBody().readAllBytes();
            int status =
                ("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))
                    ? 200
                    : 401;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
          });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    /** GET / with the token, through the proxy on {@code proxyPort}; the status. */
    int get(int proxyPort) throws IOException, InterruptedException {
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(clientTls)
              .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxyPort)))
              .connectTimeout(Duration.ofSeconds(10))
              .build();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port() + "/"))
              .header("Authorization", "Bearer " + TOKEN)
              .timeout(Duration.ofSeconds(20))
              .build();
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
