package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.cli.HelpChecks;
import dev.edlinkidem.e2e.SandboxCase;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.tty.Tmux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged tool in a real terminal (tmux): the shell, Tab, and the token prompt that does not
 * echo.
 */
class ShellTerminalIT extends SandboxCase {
  private static final String INSTALL = ": apt-get install tmux (.ci/run does, as root)";

  private Map<String, String> env;

  @BeforeEach
  void environment() throws Exception {
    env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    env.put("XDG_STATE_HOME", tmp.resolve("state").toString());
    env.put("EDLINK_IDEM_JOURNAL", journalDir().toString());
    env.put("EDLINK_BASE_URL", sandbox.baseUrl().toString());
    env.put("EDLINK_TOKEN", TOKEN);
    env.put("TERM", "xterm-256color");
    env.put("LANG", "C.UTF-8");
  }

  private static List<String> tool(String... args) {
    String jar = System.getProperty("edlinkidem.jar", "target/edlink-idem.jar");
    assertTrue(Files.isRegularFile(Path.of(jar)), "the packaged jar is missing: " + jar);
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of(jar).toAbsolutePath().toString()));
    command.addAll(List.of(args));
    return command;
  }

  @Test
  void tabInTheShellCompletesAPendingKeyAndEnterReplaysIt() throws Exception {
    assumeTrue(Tmux.available(), "tmux not installed" + INSTALL);
    faultOnce(faults(1, 0, 0, 0, Duration.ZERO));
    assertEquals(
        6,
        cli()
            .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "lost-answer-key-1", "--retries", "0")
            .code());
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "lots-of-other-key").code());
    try (Tmux terminal = Tmux.start(tool("shell"), env, tmp, 120, 30)) {
      terminal.waitForCursorLine(l -> l.endsWith("[default] 1 pending >"), "the prompt");
      terminal.sendKeys("rep").sendKey("Tab");
      terminal.waitForCursorLine(l -> l.endsWith("> replay"), "the command completed");
      terminal.sendKeys("lo").sendKey("Tab");
      // replay acts on pending entries only: "lo" names one of those, not the finished
      // lots-of-other-key, so it completes at once.
      terminal.waitForCursorLine(
          l -> l.endsWith("> replay lost-answer-key-1"), "the pending key completed");
      assertTrue(!terminal.capture().contains("lots-of-other-key"), terminal.capture());
      terminal.sendKey("Enter");
      terminal.waitForCursorLine(l -> l.endsWith("[default] 0 pending >"), "the replay done");
      terminal.sendKey("C-d");
      waitUntilEnded(terminal);
    }
    assertEquals(EntryState.SUCCEEDED, entry("lost-answer-key-1").state());
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(tmp.resolve("state/edlink-idem/history"))));
  }

  @Test
  void onADumbTerminalCtrlCStillClearsTheLineOrStopsTheRequestNotTheShell() throws Exception {
    assumeTrue(Tmux.available(), "tmux not installed" + INSTALL);
    env.put("TERM", "dumb");
    sandbox.setFaults(faults(0, 0, 0, 0, Duration.ofSeconds(60)));
    try (Tmux terminal = Tmux.start(tool("shell"), env, tmp, 120, 30)) {
      terminal.waitForCursorLine(l -> l.endsWith("[default] 0 pending >"), "the prompt");
      terminal.sendKeys("abc");
      terminal.waitForCursorLine(l -> l.endsWith("> abc"), "the line typed");
      terminal.sendKey("C-c");
      // The first prompt keeps "abc^C"; a second one, bare, starts the next line.
      terminal.waitFor(
          screen ->
              screen.lines().filter(l -> l.startsWith("edlink-idem [default] 0 pending >")).count()
                      == 2
                  && screen.lines().anyMatch(l -> l.equals("edlink-idem [default] 0 pending >")),
          "a fresh prompt on its own line");
      terminal.sendKeys("post " + ASSIGNMENTS + " -d '" + ESSAY + "'").sendKey("Enter");
      waitFor(() -> stat("in_progress") == 1, terminal);
      terminal.sendKey("C-c");
      terminal.waitFor("stays pending");
      terminal.waitForCursorLine(
          l -> l.endsWith("1 pending (exit 130) >"), "the shell still there");
      terminal.sendKey("C-d");
      waitUntilEnded(terminal);
    }
    assertEquals(EntryState.PENDING, entries().get(0).state());
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, Tmux terminal)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the request never reached the sandbox; the screen:\n" + terminal.capture());
      }
      Thread.sleep(20);
    }
  }

  @Test
  void setTokenOnARealTerminalDoesNotEchoTheToken() throws Exception {
    assumeTrue(Tmux.available(), "tmux not installed" + INSTALL);
    String secret = "sk-live-0b7a-typed-on-a-tty";
    // The tool runs under sh, which keeps the terminal open after it exits so the screen can be
    // read.
    String command =
        String.join(" ", tool("config", "set-token").stream().map(a -> "'" + a + "'").toList())
            + "; echo \"exit $?\"; exec sleep 60";
    try (Tmux terminal = Tmux.start(List.of("sh", "-c", command), env, tmp, 120, 30)) {
      terminal.waitForCursorLine(l -> l.startsWith("Token for profile default:"), "the prompt");
      terminal.sendKeys(secret).sendKey("Enter");
      String screen = terminal.waitFor("exit 0");
      assertTrue(screen.contains("stored in"), screen);
      assertFalse(screen.contains(secret), screen);
    }
    Path token = tmp.resolve("config/edlink-idem/tokens/default");
    assertEquals(secret + "\n", Files.readString(token));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
  }

  @Test
  void helpOnARealTerminalFillsItsWidthAndKeepsEachExampleOnOneLine() {
    assumeTrue(Tmux.available(), "tmux not installed" + INSTALL);
    // No COLUMNS: the width is the terminal's own. 110 columns hold the widest example of post.
    String command =
        String.join(" ", tool("post", "--help").stream().map(a -> "'" + a + "'").toList())
            + "; echo \"exit $?\"; exec sleep 60";
    try (Tmux terminal = Tmux.start(List.of("sh", "-c", command), env, tmp, 110, 100)) {
      HelpChecks.assertPostHelpFits(terminal.waitFor("exit 0"), 100, 110);
    }
  }

  @Test
  void setTokenInsideTheShellDoesNotEchoEither() throws Exception {
    assumeTrue(Tmux.available(), "tmux not installed" + INSTALL);
    String secret = "sk-live-44c1-typed-in-the-shell";
    try (Tmux terminal = Tmux.start(tool("shell"), env, tmp, 120, 30)) {
      terminal.waitForCursorLine(l -> l.endsWith("pending >"), "the prompt");
      terminal.sendKeys("config set-token").sendKey("Enter");
      terminal.waitForCursorLine(
          l -> l.startsWith("Token for profile default:"), "the token prompt");
      terminal.sendKeys(secret);
      String typing = terminal.capture();
      terminal.sendKey("Enter");
      String after = terminal.waitFor("stored in");
      assertFalse(typing.contains(secret) || after.contains(secret), after);
      // Ctrl-D only once the shell reads its line again: sent while the token's prompt still has
      // the terminal, the line discipline takes it as an end of file nobody reads.
      terminal.waitForCursorLine(l -> l.endsWith("pending >"), "the prompt after set-token");
      terminal.sendKey("C-d");
      waitUntilEnded(terminal);
    }
    assertEquals(secret + "\n", Files.readString(tmp.resolve("config/edlink-idem/tokens/default")));
  }

  private static void waitUntilEnded(Tmux terminal) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (terminal.alive()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("still running; the screen:\n" + terminal.capture());
      }
      Thread.sleep(50);
    }
  }
}
