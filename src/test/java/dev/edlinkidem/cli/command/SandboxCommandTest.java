package dev.edlinkidem.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.Main;
import dev.edlinkidem.sandbox.Faults;
import dev.edlinkidem.sandbox.SandboxServer;
import dev.edlinkidem.verdict.ExitCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SandboxCommandTest {
  private static final Pattern LISTENING =
      Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))");

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
            "/__sandbox/stats",
            "Example")) {
      assertTrue(help.contains(option), option + " missing from:\n" + help);
    }
  }

  @Test
  void listensOn127001Port8790ByDefault() {
    SandboxCommand command = new SandboxCommand(invocation);
    new CommandLine(command).parseArgs();

    assertEquals(8790, command.port);
    assertEquals("127.0.0.1", command.host);
  }
}
