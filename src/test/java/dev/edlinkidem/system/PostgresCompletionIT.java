package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.e2e.Cli;
import dev.edlinkidem.e2e.SandboxCase;
import dev.edlinkidem.journal.postgres.PostgresCluster;
import dev.edlinkidem.tty.Tmux;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checked-in completion scripts in real shells, completing keys of a PostgreSQL journal through
 * the packaged jar: named by EDLINK_IDEM_JOURNAL, or by a {@code --journal postgres://USER@HOST:
 * PORT/DB} typed on the line, whose colons and @ the shells must hand to the tool whole. A real
 * terminal (tmux) for bash and zsh: how readline and zle split that URL into words is what is
 * tested.
 */
class PostgresCompletionIT extends SandboxCase {
  private static final Path COMPLETIONS = Path.of("completions").toAbsolutePath();
  private static final Path BASH_COMPLETION = Path.of("/usr/share/bash-completion/bash_completion");
  private static final String INSTALL =
      ": apt-get install tmux bash-completion zsh fish (.ci/run does, as root)";

  private static PostgresCluster cluster;

  private Map<String, String> env;

  @BeforeAll
  static void startCluster() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(Files.createTempDirectory("edlink-idem-pg-completion"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String url() {
    return cluster.url(cluster.passwordUser());
  }

  /**
   * In PostgreSQL: one pending and one finished key. In the directory journal: one pending key of
   * its own. The jar on PATH, the password in PGPASSWORD.
   */
  @BeforeEach
  void journalsAndTool() throws Exception {
    cluster.dropJournal();
    Cli pg = cli().env("EDLINK_IDEM_JOURNAL", url()).env("PGPASSWORD", cluster.password());
    assertEquals(0, pg.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-finished-1").code());
    faultOnce(faults(1, 0, 0, 0, Duration.ZERO));
    Cli.Result lost =
        pg.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-pending-1", "--retries", "0");
    assertEquals(6, lost.code(), lost.toString());
    faultOnce(faults(1, 0, 0, 0, Duration.ZERO));
    Cli.Result other =
        cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "dir-pending-1", "--retries", "0");
    assertEquals(6, other.code(), other.toString());

    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path wrapper = bin.resolve("edlink-idem");
    Files.writeString(
        wrapper,
        "#!/bin/sh\nexec "
            + quote(Path.of(System.getProperty("java.home"), "bin", "java").toString())
            + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "
            + quote(jar())
            + " \"$@\"\n",
        StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));

    env = new HashMap<>();
    env.put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString()); // no user's profiles
    env.put("EDLINK_IDEM_JOURNAL", url());
    env.put("PGPASSWORD", cluster.password());
    env.put("TERM", "xterm-256color");
    env.put("LANG", "C.UTF-8");
  }

  private static String jar() {
    String jar = System.getProperty("edlinkidem.jar", "target/edlink-idem.jar");
    assertTrue(Files.isRegularFile(Path.of(jar)), "the packaged jar is missing: " + jar);
    return Path.of(jar).toAbsolutePath().toString();
  }

  @Test
  void bashWithBashCompletionOffersThePostgresJournalsKeys() throws Exception {
    assumeTrue(Tmux.available(), "tmux not installed" + INSTALL);
    assumeTrue(installed("bash"), "bash not installed" + INSTALL);
    assumeTrue(Files.isRegularFile(BASH_COMPLETION), "bash-completion not installed" + INSTALL);
    Path rc = tmp.resolve("bashrc");
    Files.writeString(
        rc,
        "source "
            + quote(BASH_COMPLETION.toString())
            + "\n"
            + "source "
            + quote(COMPLETIONS.resolve("edlink-idem.bash").toString())
            + "\nPS1='$ '\n");
    try (Tmux bash =
        Tmux.start(
            List.of("bash", "--noprofile", "--rcfile", rc.toString(), "-i"), env, tmp, 160, 30)) {
      assertEachShellCompletes(bash);
    }
  }

  @Test
  void zshOffersThePostgresJournalsKeys() throws Exception {
    assumeTrue(Tmux.available(), "tmux not installed" + INSTALL);
    assumeTrue(installed("zsh"), "zsh not installed" + INSTALL);
    Path zdotdir = Files.createDirectories(tmp.resolve("zdotdir"));
    Files.writeString(
        zdotdir.resolve(".zshrc"),
        "fpath=("
            + quote(COMPLETIONS.toString())
            + " $fpath)\nautoload -Uz compinit && compinit -u -D\nPS1='$ '\n");
    Map<String, String> zsh = new HashMap<>(env);
    zsh.put("ZDOTDIR", zdotdir.toString());
    try (Tmux terminal = Tmux.start(List.of("zsh", "-d", "-i"), zsh, tmp, 160, 30)) {
      assertEachShellCompletes(terminal);
    }
  }

  /** Types lines into an interactive shell, presses Tab, and reads what the shell made of them. */
  private void assertEachShellCompletes(Tmux shell) {
    shell.waitFor(s -> s.lines().anyMatch(l -> l.startsWith("$")), "the first prompt");
    assertEquals(
        "$ edlink-idem replay pg-pending-1",
        tab(shell, "edlink-idem replay "),
        "the pending key from PostgreSQL, named by EDLINK_IDEM_JOURNAL");
    assertEquals("$ edlink-idem reconcile pg-pending-1", tab(shell, "edlink-idem reconcile pg"));
    assertEquals("$ edlink-idem show pg-finished-1", tab(shell, "edlink-idem show pg-f"));
    String directory = journalDir().toString();
    assertEquals(
        "$ edlink-idem --journal " + directory + " replay dir-pending-1",
        tab(shell, "edlink-idem --journal " + directory + " replay "),
        "the directory named on the line");

    // The URL on the line, its colons and @ kept together: the keys are PostgreSQL's.
    shell.sendKeys("export EDLINK_IDEM_JOURNAL=" + directory).sendKey("Enter");
    assertEquals(
        "$ edlink-idem --journal " + url() + " replay pg-pending-1",
        tab(shell, "edlink-idem --journal " + url() + " replay "));
    assertEquals(
        "$ edlink-idem --journal=" + url() + " show pg-finished-1",
        tab(shell, "edlink-idem --journal=" + url() + " show pg-f"));
    assertEquals(
        "$ edlink-idem show --journal " + url() + " pg-pending-1",
        tab(shell, "edlink-idem show --journal " + url() + " pg-p"),
        "a --journal after the command");
  }

  @Test
  void fishOffersThePostgresJournalsKeys() throws Exception {
    assumeTrue(installed("fish"), "fish not installed" + INSTALL);
    assertEquals(List.of("pg-pending-1"), fish(env, "edlink-idem replay "));
    assertEquals(List.of("pg-pending-1"), fish(env, "edlink-idem reconcile pg"));
    assertEquals(List.of("pg-finished-1", "pg-pending-1"), fish(env, "edlink-idem show "));

    Map<String, String> inDirectory = new HashMap<>(env);
    inDirectory.put("EDLINK_IDEM_JOURNAL", journalDir().toString());
    assertEquals(List.of("dir-pending-1"), fish(inDirectory, "edlink-idem replay "));
    assertEquals(
        List.of("pg-pending-1"), fish(inDirectory, "edlink-idem --journal " + url() + " replay "));
    assertEquals(
        List.of("pg-finished-1", "pg-pending-1"),
        fish(inDirectory, "edlink-idem --journal=" + url() + " show "));

    Map<String, String> refused = new HashMap<>(env);
    refused.put("PGPASSWORD", "not-the-password-7");
    assertEquals(
        List.of(), fish(refused, "edlink-idem replay "), "a refused role: nothing, no message");
  }

  /** What fish's own completion engine offers for {@code line}, without descriptions. */
  private List<String> fish(Map<String, String> environment, String line) throws Exception {
    Path script = COMPLETIONS.resolve("edlink-idem.fish");
    ProcessBuilder pb =
        new ProcessBuilder(
                "fish",
                "--no-config",
                "-c",
                "source " + quote(script.toString()) + "; complete -C " + quote(line))
            .directory(tmp.toFile());
    pb.environment().clear();
    pb.environment().putAll(environment);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "fish did not end");
    assertEquals(0, p.exitValue(), err);
    assertEquals("", err, "fish printed errors for '" + line + "'");
    return out.lines().map(l -> l.split("\t", 2)[0]).sorted().toList();
  }

  /** Clears the line and the screen, and waits for a lone prompt. */
  private static void freshPrompt(Tmux shell) {
    shell.sendKey("C-u").sendKey("C-l");
    shell.waitFor(s -> s.strip().equals("$"), "a clear screen with the prompt");
  }

  /**
   * Types {@code text} at a fresh prompt, presses Tab, and returns the line as the completion left
   * it.
   */
  private static String tab(Tmux shell, String text) {
    freshPrompt(shell);
    shell.sendKeys(text);
    shell.sendKey("Tab");
    // A marker typed after the Tab shows that the completion is over; then take it away again.
    shell.sendKeys("#");
    String line =
        shell.waitForCursorLine(l -> l.endsWith("#"), "the marker after the completion").strip();
    shell.sendKey("BSpace");
    shell.waitForCursorLine(l -> !l.endsWith("#"), "the marker taken away");
    return line.substring(0, line.length() - 1).strip();
  }

  private static boolean installed(String command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("sh", "-c", "command -v " + command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  private static String quote(String s) {
    return s.matches("[A-Za-z0-9_./:=@%+,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }
}
