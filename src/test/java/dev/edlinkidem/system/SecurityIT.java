package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.system.ToolProcess.Ran;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security promises, held by the packaged jar run as processes: the token is found in no output and
 * no file but its own, goes to no host but the base URL's (redirects included), and TLS
 * certificates are always checked.
 */
class SecurityIT {
  /** Distinctive, so that a hit can only be a leak. */
  private static final String TOKEN = "edlTok-Q7xZ9kP2mW4vB8nR3tY6uJ1hG5";

  private static final String ASSIGNMENTS =
      "/api/v2/graph/classes/9d41e6b2-7a3c-4f05-b8e1-2c6d0f9a4b73/assignments";
  private static final String ESSAY =
      "{\"title\":\"Essay\",\"description\":\"d\",\"due_date\":\"2026-12-01T23:59:00Z\",\"grading_type\":\"points\"}";

  @TempDir Path tmp;

  private ToolProcess tool;
  private final List<HttpServer> servers = new ArrayList<>();

  /** Every stdout and stderr the tool wrote, and every sandbox log line. */
  private final StringBuffer streams = new StringBuffer();

  @BeforeEach
  void tool() {
    tool = new ToolProcess(tmp);
  }

  @AfterEach
  void stopAll() {
    tool.close();
    servers.forEach(s -> s.stop(0));
  }

  private Ran run(Map<String, String> env, String stdin, String... args) throws Exception {
    return runJava(env, List.of(), stdin, args);
  }

  private Ran runJava(Map<String, String> env, List<String> jvm, String stdin, String... args)
      throws Exception {
    Ran ran = tool.run(env, jvm, stdin, args);
    streams
        .append("\n$ ")
        .append(String.join(" ", args))
        .append('\n')
        .append(ran.out())
        .append(ran.err());
    return ran;
  }

  private Ran expect(int code, Map<String, String> env, String... args) throws Exception {
    Ran ran = run(env, null, args);
    assertEquals(
        code, ran.code(), List.of(args) + "\nstdout: " + ran.out() + "\nstderr: " + ran.err());
    return ran;
  }

  /**
   * Starts `edlink-idem sandbox` (demanding the token) and keeps its log lines in {@link #streams}.
   */
  private String startSandbox() throws Exception {
    Process sandbox =
        tool.start(
            tool.builder(Map.of(), "sandbox", "--port", "0", "--token", TOKEN)
                .redirectErrorStream(true));
    String baseUrl =
        SandboxProcess.baseUrl(
            sandbox, line -> streams.append("sandbox: ").append(line).append('\n'));
    streams.append("listening on ").append(baseUrl).append('\n');
    return baseUrl;
  }

  private static JsonObject control(String baseUrl, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path));
    if (body != null) {
      request.POST(HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> r =
        HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  private static int requests(String baseUrl) throws Exception {
    return control(baseUrl, "/__sandbox/stats", null).get("requests").getAsInt();
  }

  private Entry entry(Path journal, String key) throws Exception {
    try (FileJournal j = FileJournal.open(journal)) {
      return j.find(key).orElseThrow(() -> new AssertionError("no entry " + key));
    }
  }

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void theTokenIsInNoOutputAndNoFileButItsOwn() throws Exception {
    String base = startSandbox();
    Map<String, String> byEnv = env("EDLINK_BASE_URL", base, "EDLINK_TOKEN", TOKEN);

    // The token from the environment, through every command that sends or shows.
    expect(0, byEnv, "post", ASSIGNMENTS, "-d", ESSAY, "-k", "sec-verbose", "--verbose");
    expect(0, byEnv, "--verbose", "post", ASSIGNMENTS, "-d", ESSAY, "-k", "sec-verbose", "-i");
    expect(0, byEnv, "post", ASSIGNMENTS, "-d", ESSAY, "-k", "sec-include", "-i", "--pretty");
    expect(0, byEnv, "post", ASSIGNMENTS, "-d", ESSAY, "-k", "sec-json", "--format", "json");
    Ran dry =
        expect(
            0, byEnv, "post", ASSIGNMENTS, "-d", ESSAY, "-k", "sec-dry", "--dry-run", "--verbose");
    assertTrue(dry.out().contains("Bearer [redacted]"), dry.out());
    expect(
        4,
        byEnv,
        "post",
        ASSIGNMENTS,
        "-d",
        "{\"title\":\"no more\"}",
        "-k",
        "sec-400",
        "--verbose");
    control(base, "/__sandbox/faults", "{\"drop-after-commit\": 1}");
    expect(
        6,
        byEnv,
        "post",
        ASSIGNMENTS,
        "-d",
        ESSAY,
        "-k",
        "sec-drop-1",
        "--retries",
        "0",
        "--verbose");
    expect(6, byEnv, "post", ASSIGNMENTS, "-d", ESSAY, "-k", "sec-drop-2", "--retries", "0");
    control(base, "/__sandbox/faults", "{\"drop-after-commit\": 0}");
    expect(0, byEnv, "--verbose", "replay", "sec-drop-1");
    expect(0, byEnv, "--verbose", "reconcile", "sec-drop-2");
    Path plan = tmp.resolve("plan.jsonl");
    Files.writeString(
        plan,
        "{\"path\":\""
            + ASSIGNMENTS
            + "\",\"body\":"
            + ESSAY
            + ",\"key\":\"sec-batch-1\"}\n"
            + "{\"path\":\""
            + ASSIGNMENTS
            + "\",\"body\":{\"title\":\"bad\"},\"key\":\"sec-batch-2\"}\n");
    run(byEnv, null, "--verbose", "batch", plan.toString(), "--format", "jsonl");
    for (String format : List.of("table", "json", "jsonl", "csv", "keys")) {
      expect(0, byEnv, "list", "--state", "all", "--format", format);
    }
    for (String format : List.of("text", "json")) {
      expect(0, byEnv, "show", "sec-verbose", "--format", format);
      expect(0, byEnv, "show", "sec-400", "--format", format);
    }
    expect(0, byEnv, "expiring", "--within", "31d");
    expect(0, byEnv, "config", "show");
    expect(0, byEnv, "prune", "--dry-run");
    Path journal = tmp.resolve("state").resolve("edlink-idem");
    assertTrue(Files.isDirectory(journal), "the default journal lives under XDG_STATE_HOME");
    expect(
        0,
        byEnv,
        "--journal",
        tmp.resolve("merged").toString(),
        "journal",
        "merge",
        journal.toString());

    // The token from a file given with --token-file.
    Path tokenFile = tmp.resolve("secrets").resolve("edlink-token");
    Files.createDirectories(tokenFile.getParent());
    Files.writeString(tokenFile, TOKEN + "\n");
    Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    Map<String, String> byFile = env("EDLINK_BASE_URL", base);
    expect(
        0,
        byFile,
        "post",
        ASSIGNMENTS,
        "-d",
        ESSAY,
        "-k",
        "sec-file",
        "--token-file",
        tokenFile.toString(),
        "-v",
        "-i");
    expect(
        0,
        byFile,
        "post",
        ASSIGNMENTS,
        "-d",
        ESSAY,
        "-k",
        "sec-file-dry",
        "--token-file",
        tokenFile.toString(),
        "--dry-run");
    expect(0, byFile, "config", "show");

    // The token stored by config set-token, read from stdin.
    Ran stored = run(byFile, TOKEN + "\n", "config", "set-token");
    assertEquals(0, stored.code(), stored.err());
    Path store = tmp.resolve("config").resolve("edlink-idem").resolve("tokens").resolve("default");
    assertTrue(Files.isRegularFile(store), "set-token stores the token in " + store);
    expect(
        0,
        byFile,
        "post",
        ASSIGNMENTS,
        "-d",
        ESSAY,
        "-k",
        "sec-store",
        "--verbose",
        "--format",
        "json");
    expect(0, byFile, "--verbose", "replay", "sec-store");
    expect(0, byFile, "config", "show");
    expect(0, byFile, "show", "sec-store");
    assertTrue(requests(base) > 10, "the commands reached the sandbox");

    for (String needle : needles()) {
      String leak =
          streams.toString().lines().filter(l -> l.contains(needle)).findFirst().orElse(null);
      assertEquals(
          null, leak, "a stream holds the token" + (needle.equals(TOKEN) ? "" : " in base64"));
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(tmp)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertTrue(files.stream().anyMatch(f -> f.startsWith(journal)), "the journal was searched");
    for (Path file : files) {
      if (file.equals(tokenFile) || file.equals(store)) {
        // The token's own home: closed to everyone else.
        assertEquals(
            "rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
            file.toString());
        continue;
      }
      String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      for (String needle : needles()) {
        assertFalse(
            text.contains(needle),
            "the token"
                + (needle.equals(TOKEN) ? "" : " in base64")
                + " is in "
                + tmp.relativize(file));
      }
    }
  }

  /**
   * The token, and the parts of its base64 (plain and URL-safe) that do not depend on what precedes
   * it.
   */
  private static List<String> needles() {
    List<String> needles = new ArrayList<>(List.of(TOKEN));
    for (int pad = 0; pad < 3; pad++) {
      byte[] bytes = ("xx".substring(0, pad) + TOKEN).getBytes(StandardCharsets.US_ASCII);
      for (Base64.Encoder encoder : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
        String encoded = encoder.withoutPadding().encodeToString(bytes);
        needles.add(encoded.substring(pad == 0 ? 0 : 4, encoded.length() - 4));
      }
    }
    return needles;
  }

  @Test
  void aFullUrlOnAnotherOriginIsRefusedUnlessItsHostIsAllowed() throws Exception {
    String base = startSandbox();
    String other = startSandbox();
    Map<String, String> e = env("EDLINK_BASE_URL", base, "EDLINK_TOKEN", TOKEN);

    Ran otherPort = expect(2, e, "post", other + ASSIGNMENTS, "-d", ESSAY, "-k", "host-1");
    assertTrue(otherPort.err().contains("refusing to send the token to " + other), otherPort.err());
    // localhost and 127.0.0.1 are the same machine but not the same origin.
    String byName = base.replace("127.0.0.1", "localhost");
    expect(2, e, "post", byName + ASSIGNMENTS, "-d", ESSAY, "-k", "host-2");
    expect(
        2,
        e,
        "post",
        "http://example.com" + ASSIGNMENTS,
        "-d",
        ESSAY,
        "-k",
        "host-3",
        "--allow-host",
        "example.com");
    assertEquals(0, requests(other), "the other host received nothing");
    assertEquals(0, requests(base), "nothing went to the base URL either");

    // Documented: --allow-host sends there, token included.
    expect(
        0,
        e,
        "post",
        other + ASSIGNMENTS,
        "-d",
        ESSAY,
        "-k",
        "host-4",
        "--allow-host",
        "127.0.0.1");
    assertEquals(1, requests(other));
  }

  /** A plain server: {@code answer} handles every request; {@code seen} counts them. */
  private HttpServer server(AtomicInteger seen, int status, String location) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          seen.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          if (location != null) {
            exchange.getResponseHeaders().add("Location", location);
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    servers.add(server);
    return server;
  }

  @Test
  void aRedirectToAnotherHostIsNotFollowed() throws Exception {
    for (int status : new int[] {302, 307, 308}) {
      AtomicInteger elsewhere = new AtomicInteger();
      HttpServer target = server(elsewhere, 200, null);
      String away = "http://127.0.0.1:" + target.getAddress().getPort() + ASSIGNMENTS;
      AtomicInteger asked = new AtomicInteger();
      HttpServer redirecting = server(asked, status, away);
      String base = "http://127.0.0.1:" + redirecting.getAddress().getPort();
      Path journal = tmp.resolve("journal-" + status);
      String key = "redirect-" + status;

      Ran r =
          expect(
              5,
              env(
                  "EDLINK_BASE_URL",
                  base,
                  "EDLINK_TOKEN",
                  TOKEN,
                  "EDLINK_IDEM_JOURNAL",
                  journal.toString()),
              "post",
              ASSIGNMENTS,
              "-d",
              ESSAY,
              "-k",
              key);
      assertTrue(r.err().contains("redirects are not followed"), r.err());
      assertEquals(1, asked.get(), "asked once; a redirect is no verdict to retry");
      assertEquals(0, elsewhere.get(), "the redirect's target received nothing");
      assertEquals(EntryState.PENDING, entry(journal, key).state());
    }
  }

  @Test
  void anUntrustedCertificateFailsTheHandshakeAndSendsNothing() throws Exception {
    Path keystore = tmp.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-keystore",
                keystore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String keytoolOut = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, keytoolOut);

    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    AtomicInteger reached = new AtomicInteger();
    server.createContext(
        "/",
        exchange -> {
          reached.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          byte[] body =
              "{\"$data\":{\"id\":\"a-1\"},\"$request\":\"r-1\"}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    servers.add(server);
    String base = "https://127.0.0.1:" + server.getAddress().getPort();
    Path journal = tmp.resolve("journal");
    Map<String, String> e =
        env(
            "EDLINK_BASE_URL",
            base,
            "EDLINK_TOKEN",
            TOKEN,
            "EDLINK_IDEM_JOURNAL",
            journal.toString());

    Ran refused = expect(6, e, "post", ASSIGNMENTS, "-d", ESSAY, "-k", "tls-1");
    assertTrue(
        refused.err().contains("the certificate of 127.0.0.1 is not trusted"), refused.err());
    assertTrue(refused.err().contains("nothing reached Edlink"), refused.err());
    assertEquals(0, reached.get(), "nothing reached the handler");
    Entry pending = entry(journal, "tls-1");
    assertEquals(EntryState.PENDING, pending.state());
    assertEquals(1, pending.attempts().size(), "an untrusted certificate is not retried");

    // The same server, once the JVM is told to trust its certificate: so the refusal above was
    // the certificate check on the real path, not a request that could never have worked.
    Ran trusted =
        runJava(
            e,
            List.of(
                "-Djavax.net.ssl.trustStore=" + keystore,
                "-Djavax.net.ssl.trustStorePassword=changeit",
                "-Djavax.net.ssl.trustStoreType=PKCS12"),
            null,
            "replay",
            "tls-1");
    assertEquals(0, trusted.code(), trusted.err());
    assertEquals(1, reached.get());
    assertEquals(EntryState.SUCCEEDED, entry(journal, "tls-1").state());
  }
}
