package dev.edlinkidem.cli.command;

import static java.net.http.HttpResponse.BodyHandlers.ofString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.Main;
import dev.edlinkidem.sandbox.Faults;
import dev.edlinkidem.sandbox.SandboxServer;
import dev.edlinkidem.sandbox.TrustingOnly;
import dev.edlinkidem.time.ManualTime;
import dev.edlinkidem.verdict.ExitCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SandboxCommandTest {
  private static final Pattern LISTENING =
      Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))");
  private static final Pattern LISTENING_TLS =
      Pattern.compile("listening on (https://127\\.0\\.0\\.1:(\\d+))");
  private static final Pattern CERTIFICATE = Pattern.compile("certificate (/.+\\.pem)");

  /**
   * Standard output as lines, which a test can wait for while the command runs in another thread.
   */
  private static final class Lines extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
      notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
      notifyAll();
    }

    synchronized List<String> complete() {
      String text = bytes.toString(StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      return end < 0 ? List.of() : Arrays.asList(text.substring(0, end).split("\n"));
    }

    synchronized List<String> await(int n) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 10_000;
      while (complete().size() < n) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          fail("timed out waiting for " + n + " lines of output; got " + complete());
        }
        wait(left);
      }
      return complete();
    }
  }

  private final Lines out = new Lines();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Invocation invocation =
      new Invocation(
          new ByteArrayInputStream(new byte[0]),
          out,
          err,
          Map.of(),
          Invocation.Terminal.NONE,
          new SecureRandom());

  @Test
  void refusesAProbabilityAboveOne() {
    int code = Main.run(invocation, "sandbox", "--port", "0", "--error-rate", "1.5");

    assertEquals(ExitCode.USAGE, code);
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(message.contains("--error-rate") && message.contains("1.5"), message);
    assertEquals(1, message.strip().lines().count(), message);
    assertEquals(List.of(), out.complete());
  }

  @Test
  void refusesANegativeProbabilityAndABadLatency() {
    assertEquals(
        ExitCode.USAGE,
        Main.run(invocation, "sandbox", "--port", "0", "--drop-after-commit", "-0.1"));
    assertEquals(
        ExitCode.USAGE, Main.run(invocation, "sandbox", "--port", "0", "--latency", "soon"));
    assertEquals(ExitCode.USAGE, Main.run(invocation, "sandbox", "--port", "70000"));
    assertEquals(
        ExitCode.USAGE, Main.run(invocation, "sandbox", "--port", "0", "--rate-limit", "lots"));
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(message.contains("--rate-limit must be requests a second"), message);
  }

  @Test
  void printsTheListeningLineFirstThenOneLinePerRequestUntilInterrupted() throws Exception {
    AtomicInteger exit = new AtomicInteger(-1);
    Thread running =
        new Thread(() -> exit.set(Main.run(invocation, "sandbox", "--port", "0", "--seed", "5")));
    running.start();
    try {
      Matcher listening = LISTENING.matcher(out.await(1).get(0));
      assertTrue(listening.matches(), out.complete().get(0));

      HttpResponse<String> response =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(listening.group(1) + "/api/v2/graph/people?$idempotency=cmd1"))
                      .header("Authorization", "Bearer t")
                      .timeout(Duration.ofSeconds(10))
                      .POST(HttpRequest.BodyPublishers.ofString("{}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertEquals(200, response.statusCode());
      String logLine = out.await(2).get(1);
      assertTrue(logLine.endsWith("POST /api/v2/graph/people key=cmd1 -> 200 created"), logLine);
    } finally {
      running.interrupt();
      running.join(10_000);
    }
    assertEquals(ExitCode.INTERRUPTED, exit.get());
    // The server was closed: nothing listens there any more.
    String url = LISTENING.matcher(out.complete().get(0)).replaceAll("$1");
    assertThrows(
        IOException.class,
        () ->
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(url + "/__sandbox/stats"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void startAppliesTheOptions() {
    SandboxCommand command = new SandboxCommand(invocation);
    new CommandLine(command)
        .parseArgs(
            "--port",
            "0",
            "--token",
            "t",
            "--error-rate",
            "1",
            "--drop-before-commit",
            "0.5",
            "--latency",
            "10ms",
            "--seed",
            "3");

    try (SandboxServer server = command.start()) {
      assertEquals(new Faults(0, 0.5, 1, 0, Duration.ofMillis(10)), server.faults());
      assertEquals(List.of("listening on " + server.baseUrl()), out.complete());
    }
  }

  @Test
  void aPortInUseIsOneClearLine() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int code = Main.run(invocation, "sandbox", "--port", Integer.toString(taken.getLocalPort()));

      assertEquals(ExitCode.USAGE, code);
      String message = err.toString(StandardCharsets.UTF_8).strip();
      assertEquals(1, message.lines().count(), message);
      assertTrue(
          message.contains("127.0.0.1:" + taken.getLocalPort()) && message.contains("--port"),
          message);
      assertEquals(List.of(), out.complete());
    }
  }

  @Test
  void helpExplainsTheOptionsWithAnExample() {
    assertEquals(ExitCode.OK, Main.run(invocation, "sandbox", "--help"));

    String help = String.join("\n", out.complete());
    for (String option :
        List.of(
            "--port",
            "--host",
            "--token",
            "--drop-after-commit",
            "--drop-before-commit",
            "--error-rate",
            "--throttle-rate",
            "--latency",
            "--seed",
            "--tls",
            "--tls-cert",
            "certificate PATH",
            "--cacert",
            "/__sandbox/stats",
            "Example")) {
      assertTrue(help.contains(option), option + " missing from:\n" + help);
    }
  }

  @Test
  void tlsPrintsTheHttpsLineThenTheCertificateLineAndOnlyThoseTrustingItGetIn() throws Exception {
    AtomicInteger exit = new AtomicInteger(-1);
    Thread running =
        new Thread(() -> exit.set(Main.run(invocation, "sandbox", "--port", "0", "--tls")));
    running.start();
    Path certificate;
    try {
      List<String> lines = out.await(2);
      Matcher listening = LISTENING_TLS.matcher(lines.get(0));
      assertTrue(listening.matches(), lines.get(0));
      Matcher printed = CERTIFICATE.matcher(lines.get(1));
      assertTrue(printed.matches(), lines.get(1));
      certificate = Path.of(printed.group(1));
      assertTrue(certificate.isAbsolute() && Files.isRegularFile(certificate), lines.get(1));

      HttpResponse<String> response =
          TrustingOnly.client(certificate).send(post(listening.group(1)), ofString());

      assertEquals(200, response.statusCode());
      assertTrue(
          out.await(3).get(2).endsWith("POST /api/v2/graph/people key=cmd1 -> 200 created"),
          out.complete().toString());
      IOException refused =
          assertThrows(
              IOException.class,
              () -> HttpClient.newHttpClient().send(post(listening.group(1)), ofString()));
      assertInstanceOf(SSLHandshakeException.class, refused, refused.toString());
    } finally {
      running.interrupt();
      running.join(10_000);
    }
    assertEquals(ExitCode.INTERRUPTED, exit.get());
    assertFalse(Files.exists(certificate.getParent()), "the temporary certificate is removed");
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void tlsCertWritesTheCertificateThereAndLeavesIt(@TempDir Path tmp) throws Exception {
    Path chosen = tmp.resolve("sandbox.pem");
    Files.writeString(chosen, "a certificate of an earlier run");
    SandboxCommand command = new SandboxCommand(invocation);
    new CommandLine(command).parseArgs("--port", "0", "--tls", "--tls-cert", chosen.toString());

    try (SandboxServer server = command.start()) {
      assertEquals(
          List.of("listening on " + server.baseUrl(), "certificate " + chosen), out.complete());
      assertEquals("https", server.baseUrl().getScheme());
      assertEquals(
          200,
          TrustingOnly.client(chosen)
              .send(
                  HttpRequest.newBuilder(URI.create(server.baseUrl() + "/__sandbox/stats"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  ofString())
              .statusCode());
    }

    assertTrue(Files.readString(chosen).startsWith("-----BEGIN CERTIFICATE-----\n"));
    assertFalse(Files.readString(chosen).contains("PRIVATE"));
  }

  @Test
  void closingTheServerInProcessRemovesTheTemporaryCertificate() {
    SandboxCommand command = new SandboxCommand(invocation);
    new CommandLine(command).parseArgs("--port", "0", "--tls");
    SandboxServer server = command.start();
    Matcher printed = CERTIFICATE.matcher(out.complete().get(1));
    assertTrue(printed.matches(), out.complete().toString());
    Path certificate = Path.of(printed.group(1));
    assertTrue(Files.isRegularFile(certificate));

    server.close();

    assertFalse(Files.exists(certificate.getParent()));
  }

  @Test
  void theCertificateIsValidFromTheInvocationsNow(@TempDir Path tmp) throws Exception {
    Instant now = Instant.parse("2031-05-06T07:08:09Z");
    Invocation at =
        new Invocation(
            new ByteArrayInputStream(new byte[0]),
            out,
            err,
            Map.of(),
            Invocation.Terminal.NONE,
            new SecureRandom(),
            new ManualTime(now));
    Path chosen = tmp.resolve("sandbox.pem");
    SandboxCommand command = new SandboxCommand(at);
    new CommandLine(command).parseArgs("--port", "0", "--tls", "--tls-cert", chosen.toString());

    command.start().close();

    X509Certificate certificate;
    try (InputStream in = Files.newInputStream(chosen)) {
      certificate =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    assertEquals(now.minus(Duration.ofMinutes(5)), certificate.getNotBefore().toInstant());
    assertTrue(certificate.getNotAfter().toInstant().isAfter(now.plus(Duration.ofDays(364))));
  }

  @Test
  void badTlsCertsAreOneLineAndExit2BeforeAnythingStarts(@TempDir Path tmp) {
    Map<String, List<String>> cases =
        Map.of(
            "--tls-cert needs --tls",
            List.of("--tls-cert", tmp.resolve("a.pem").toString()),
            "no such directory",
            List.of("--tls", "--tls-cert", tmp.resolve("missing/a.pem").toString()),
            "is a directory",
            List.of("--tls", "--tls-cert", tmp.toString()));
    cases.forEach(
        (expected, options) -> {
          err.reset();
          List<String> args = new ArrayList<>(List.of("sandbox", "--port", "0"));
          args.addAll(options);

          int code = Main.run(invocation, args.toArray(String[]::new));

          String message = err.toString(StandardCharsets.UTF_8).strip();
          assertEquals(ExitCode.USAGE, code, message);
          assertEquals(1, message.lines().count(), message);
          assertTrue(message.contains(expected), message);
        });
    assertEquals(List.of(), out.complete());
    assertFalse(Files.exists(tmp.resolve("a.pem")));
    assertFalse(Files.exists(tmp.resolve("missing")));
  }

  @Test
  void curlTrustsThePrintedCertificateAndNothingElse() throws Exception {
    Path curl = onPath("curl");
    assumeTrue(curl != null, "curl is not installed (not on PATH)");
    SandboxCommand command = new SandboxCommand(invocation);
    new CommandLine(command).parseArgs("--port", "0", "--tls");

    try (SandboxServer server = command.start()) {
      Matcher printed = CERTIFICATE.matcher(out.complete().get(1));
      assertTrue(printed.matches(), out.complete().toString());
      String stats = "https://127.0.0.1:" + server.baseUrl().getPort() + "/__sandbox/stats";

      Run trusting =
          run(curl.toString(), "-sS", "--max-time", "10", "--cacert", printed.group(1), stats);
      Run untrusting = run(curl.toString(), "-sS", "--max-time", "10", stats);

      assertEquals(0, trusting.code(), trusting.output());
      assertTrue(trusting.output().contains("\"requests\":0"), trusting.output());
      // 60: the peer's certificate cannot be authenticated with the known CAs.
      assertEquals(60, untrusting.code(), untrusting.output());
    }
  }

  /** What a process printed (stdout and stderr together) and its exit code. */
  private record Run(int code, String output) {}

  private static Run run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), output);
  }

  /** The program called {@code name} in a directory of PATH, or null when there is none. */
  private static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String directory : path.split(java.io.File.pathSeparator)) {
      Path program = Path.of(directory, name);
      if (!directory.isEmpty() && Files.isExecutable(program)) {
        return program;
      }
    }
    return null;
  }

  private static HttpRequest post(String baseUrl) {
    return HttpRequest.newBuilder(URI.create(baseUrl + "/api/v2/graph/people?$idempotency=cmd1"))
        .header("Authorization", "Bearer t")
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build();
  }

  @Test
  void listensOn127001Port8790ByDefault() {
    SandboxCommand command = new SandboxCommand(invocation);
    new CommandLine(command).parseArgs();

    assertEquals(8790, command.port);
    assertEquals("127.0.0.1", command.host);
  }
}
