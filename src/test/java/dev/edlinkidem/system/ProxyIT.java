package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.sandbox.TrustingOnly;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way to Edlink through a real proxy and TLS, with the packaged jar against {@code sandbox
 * --tls}: tinyproxy (Debian's) and a recording proxy on loopback, the sandbox's certificate given
 * with --cacert, and each failure on the way with its message and exit code.
 */
class ProxyIT {
  /** Distinctive, so that a hit can only be a leak. */
  private static final String TOKEN = "edlTok-PrOxY7kP2mW4vB8nR3tY6uJ1h";

  private static final String PASSWORD = "pr0xy-Pa55";
  private static final String ASSIGNMENTS =
      "/api/v2/graph/classes/9d41e6b2-7a3c-4f05-b8e1-2c6d0f9a4b73/assignments";
  private static final String ESSAY =
      "{\"title\":\"Essay-Through-A-Proxy\",\"description\":\"d\",\"due_date\":\"2026-12-01T23:59:00Z\","
          + "\"grading_type\":\"points\"}";

  @TempDir Path tmp;

  private ToolProcess tool;
  private String base;
  private Path certificate;
  private Path journal;
  private final StringBuffer sandboxLog = new StringBuffer();

  @BeforeEach
  void startTheTlsSandbox() throws Exception {
    tool = new ToolProcess(tmp);
    journal = tmp.resolve("journal");
    // The certificate in the test's directory: a sandbox stopped by a signal leaves nothing behind.
    Process sandbox =
        tool.start(
            Map.of(),
            "sandbox",
            "--tls",
            "--tls-cert",
            tmp.resolve("sandbox.pem").toString(),
            "--port",
            "0",
            "--token",
            TOKEN);
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(sandbox.getInputStream(), StandardCharsets.UTF_8));
    String listening = lines.readLine();
    String cert = lines.readLine();
    assertTrue(
        listening != null && listening.startsWith("listening on https://127.0.0.1:"), listening);
    assertTrue(cert != null && cert.startsWith("certificate "), cert);
    base = listening.substring("listening on ".length()).trim();
    certificate = Path.of(cert.substring("certificate ".length()).trim());
    Thread drain =
        new Thread(
            () -> lines.lines().forEach(l -> sandboxLog.append(l).append('\n')), "sandbox-log");
    drain.setDaemon(true);
    drain.start();
  }

  @AfterEach
  void stop() {
    tool.close();
  }

  private Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("EDLINK_BASE_URL", base);
    env.put("EDLINK_TOKEN", TOKEN);
    env.put("EDLINK_IDEM_JOURNAL", journal.toString());
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private ToolProcess.Ran expect(int code, Map<String, String> env, String... args)
      throws Exception {
    ToolProcess.Ran ran = tool.run(env, args);
    assertEquals(code, ran.code(), List.of(args) + "\n" + ran);
    return ran;
  }

  /** {@code --proxy proxy --cacert CERTIFICATE} and then {@code command}. */
  private String[] through(String proxy, String... command) {
    List<String> args = new ArrayList<>(List.of("--proxy", proxy));
    args.addAll(List.of(trusting(command)));
    return args.toArray(String[]::new);
  }

  /** {@code --cacert CERTIFICATE} and then {@code command}. */
  private String[] trusting(String... command) {
    List<String> args = new ArrayList<>(List.of("--cacert", certificate.toString()));
    args.addAll(List.of(command));
    return args.toArray(String[]::new);
  }

  /** A new assignment posted with {@code key}, then {@code more} options. */
  private static String[] post(String key, String... more) {
    List<String> args = new ArrayList<>(List.of("post", ASSIGNMENTS, "-d", ESSAY, "-k", key));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private JsonObject stats() throws Exception {
    HttpResponse<String> r =
        TrustingOnly.client(certificate)
            .send(
                HttpRequest.newBuilder(URI.create(base + "/__sandbox/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  private int stat(String name) throws Exception {
    return stats().get(name).getAsInt();
  }

  private void faults(String json) throws Exception {
    TrustingOnly.client(certificate)
        .send(
            HttpRequest.newBuilder(URI.create(base + "/__sandbox/faults"))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private Entry entry(String key) throws Exception {
    try (FileJournal j = FileJournal.open(journal)) {
      return j.find(key).orElseThrow(() -> new AssertionError("no entry " + key));
    }
  }

  private static Tinyproxy tinyproxy(Path dir, String user, String password) throws Exception {
    Optional<String> why = Tinyproxy.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    Files.createDirectories(dir);
    return user == null ? Tinyproxy.start(dir) : Tinyproxy.start(dir, user, password);
  }

  @Test
  void withoutItsCaTheSandboxIsNotTrustedAndNothingIsSent() throws Exception {
    ToolProcess.Ran untrusted = expect(6, env(), "post", ASSIGNMENTS, "-d", ESSAY, "-k", "tls-1");
    assertTrue(
        untrusted.err().contains("the certificate of 127.0.0.1 is not trusted: is a proxy"),
        untrusted.toString());
    assertTrue(untrusted.err().contains("nothing reached Edlink"), untrusted.toString());
    Entry pending = entry("tls-1");
    assertEquals(EntryState.PENDING, pending.state());
    assertEquals(1, pending.attempts().size(), "an untrusted certificate is not retried");
    assertEquals(0, stat("requests"), "the handshake failed before any request");

    // The replay with the certificate trusted, and the JDK's own CAs still trusted beside it.
    expect(0, env(), trusting("replay", "tls-1"));
    assertEquals(EntryState.SUCCEEDED, entry("tls-1").state());
    assertEquals(1, stat("creates"));
  }

  @Test
  void postAndReplayThroughTinyproxyCreateOnce() throws Exception {
    try (Tinyproxy proxy = tinyproxy(tmp.resolve("tinyproxy"), "teacher", PASSWORD)) {
      // No credentials: the proxy's 407, nothing through it, and the entry pending.
      ToolProcess.Ran refused = expect(6, env(), through(proxy.url(), post("proxy-1")));
      assertTrue(
          refused
              .err()
              .contains(
                  "the proxy 127.0.0.1:" + proxy.port() + " refused (407): check its credentials"),
          refused.toString());
      assertEquals(1, entry("proxy-1").attempts().size(), "a 407 is not retried");
      assertEquals(0, stat("requests"));

      // Wrong credentials: tinyproxy answers 401, said the same way.
      ToolProcess.Ran wrong =
          expect(6, env(), through(proxy.url("teacher", "wrong"), "replay", "proxy-1"));
      assertTrue(wrong.err().contains("refused (401): check its credentials"), wrong.toString());
      assertFalse(wrong.err().contains("wrong"), "the password is never shown: " + wrong);

      // The answer lost after the work was done, through the proxy: pending, one creation.
      faults("{\"drop-after-commit\": 1}");
      String withCredentials = proxy.url("teacher", PASSWORD);
      ToolProcess.Ran lost =
          expect(6, env(), through(withCredentials, "replay", "proxy-1", "--retries", "0"));
      assertTrue(lost.err().contains("--proxy http://teacher:xxxxx@127.0.0.1:"), lost.toString());
      assertEquals(1, stat("creates"));

      // The replay through the proxy gets the first answer back; still one creation.
      faults("{\"drop-after-commit\": 0}");
      ToolProcess.Ran replayed = expect(0, env(), through(withCredentials, "replay", "proxy-1"));
      assertEquals(EntryState.SUCCEEDED, entry("proxy-1").state());
      assertEquals(1, stat("creates"), "one creation: " + replayed);

      // A new post through the proxy, and a reconcile reading the log through it.
      expect(0, env(), through(withCredentials, post("proxy-2")));
      assertEquals(2, stat("creates"));
      expect(0, env(), through(withCredentials, "reconcile", "proxy-2"));

      // NO_PROXY names the sandbox: straight there, past a proxy that would have refused it.
      String connect = "CONNECT 127.0.0.1:" + URI.create(base).getPort();
      long before = proxy.log().split(connect, -1).length;
      expect(0, env("NO_PROXY", "127.0.0.1"), through(proxy.url(), post("proxy-3")));
      assertEquals(3, stat("creates"));
      assertEquals(before, proxy.log().split(connect, -1).length, "no CONNECT for proxy-3");

      String log = proxy.log();
      assertTrue(log.contains(connect), log);
      for (String secret : List.of(TOKEN, PASSWORD, "Essay-Through-A-Proxy")) {
        assertFalse(log.contains(secret), secret + " in tinyproxy's log:\n" + log);
      }
      for (ToolProcess.Ran ran : List.of(refused, wrong, lost, replayed)) {
        assertFalse(ran.out().contains(PASSWORD) || ran.err().contains(PASSWORD), ran.toString());
      }
    }
  }

  @Test
  void theProxySeesTheCredentialsOnTheConnectAloneAndNeverTheToken() throws Exception {
    try (RecordingProxy proxy = RecordingProxy.requiringBasic("teacher", PASSWORD)) {
      expect(0, env(), through(proxy.url("teacher", PASSWORD), post("rec-1")));
      String basic =
          "Proxy-Authorization: Basic "
              + Base64.getEncoder()
                  .encodeToString(("teacher:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
      assertEquals(1, proxy.tunnels());
      assertTrue(proxy.connectHeaders().get(0).contains(basic), proxy.connectHeaders().toString());
      String received = proxy.received();
      assertEquals(
          received.indexOf(basic), received.lastIndexOf(basic), "sent once, on the CONNECT");
      for (String secret : List.of(TOKEN, "Bearer", "Essay-Through-A-Proxy", "rec-1")) {
        assertFalse(received.contains(secret), secret + " reached the proxy in clear");
      }
      assertEquals(0, proxy.plainRequests());
      assertEquals(1, stat("creates"));
    }
  }

  @Test
  void whatGoesDirect() throws Exception {
    try (RecordingProxy proxy = RecordingProxy.start()) {
      // HTTPS_PROXY for the whole machine: loopback goes direct.
      expect(0, env("HTTPS_PROXY", proxy.url()), trusting(post("d-1")));
      // --proxy asks for it, and NO_PROXY exempts it again.
      expect(0, env("NO_PROXY", "localhost,127.0.0.1"), through(proxy.url(), post("d-2")));
      // A JVM-wide proxy setting is not the tool's: it is ignored.
      expect(
          0,
          env(
              "JAVA_TOOL_OPTIONS",
              "-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort="
                  + proxy.port()
                  + " -Dhttp.nonProxyHosts="),
          trusting(post("d-3")));
      assertEquals(0, proxy.connects(), "nothing went through the proxy");
      // --proxy alone: through it.
      expect(0, env(), through(proxy.url(), post("d-4")));
      assertEquals(1, proxy.tunnels());
      assertEquals(4, stat("creates"));
    }
  }

  @Test
  void aProxyThatIsNotThereIsSaidAndRetried() throws Exception {
    int dead;
    try (RecordingProxy gone = RecordingProxy.start()) {
      dead = gone.port();
    }
    ToolProcess.Ran ran =
        expect(6, env(), through("http://127.0.0.1:" + dead, post("gone-1", "--retries", "1")));
    assertTrue(ran.err().contains("could not reach the proxy 127.0.0.1:" + dead), ran.toString());
    assertEquals(2, entry("gone-1").attempts().size(), "retried: the proxy may come back");
    assertEquals(0, stat("requests"));
  }
}
