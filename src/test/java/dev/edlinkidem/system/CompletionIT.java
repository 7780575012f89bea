package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.e2e.Cli;
import dev.edlinkidem.e2e.SandboxCase;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checked-in completion scripts in real shells, completing against the packaged jar: command
 * names, values, and the journal's keys, which the scripts get by running the tool itself.
 */
class CompletionIT extends SandboxCase {
  private static final Path COMPLETIONS = Path.of("completions").toAbsolutePath();
  private static final Path BASH_COMPLETION = Path.of("/usr/share/bash-completion/bash_completion");
  private static final String INSTALL =
      ": apt-get install tmux bash-completion zsh fish (.ci/run does, as root)";

  private Path otherJournal;

  /**
   * A file where a journal directory should be: listing its keys fails with a message on stderr.
   */
  private Path notAJournal;

  private Map<String, String> env;

  /**
   * A journal with one pending and one finished entry, another with one pending entry, and the jar
   * on PATH.
   */
  @BeforeEach
  void journalsAndTool() throws Exception {
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "finished-key-1").code());
    faultOnce(faults(1, 0, 0, 0, Duration.ZERO));
    Cli.Result lost =
        cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pending-key-1", "--retries", "0");
    assertEquals(6, lost.code(), lost.toString());
    otherJournal = tmp.resolve("other journal");
    faultOnce(faults(1, 0, 0, 0, Duration.ZERO));
    Cli.Result other =
        cli()
            .env("EDLINK_IDEM_JOURNAL", otherJournal.toString())
            .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "other-pending-1", "--retries", "0");
    assertEquals(6, other.code(), other.toString());
    assertEquals(
        "pending-key-1\n", cli().run("list", "--format", "keys", "--state", "pending").out());
    notAJournal = Files.writeString(tmp.resolve("not-a-journal"), "");
    assertEquals(
        1,
        cli()
            .env("EDLINK_IDEM_JOURNAL", notAJournal.toString())
            .run("list", "--format", "keys")
            .code());

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
    env.put("EDLINK_IDEM_JOURNAL", journalDir().toString());
    env.put("TERM", "xterm-256color");
    env.put("LANG", "C.UTF-8");
  }

  private static String jar() {
    String jar = System.getProperty("edlinkidem.jar", "target/edlink-idem.jar");
    assertTrue(Files.isRegularFile(Path.of(jar)), "the packaged jar is missing: " + jar);
    return Path.of(jar).toAbsolutePath().toString();
  }

  @Test
  void bashWithBashCompletionCompletesCommandsValuesAndPendingKeys() throws Exception {
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
            List.of("bash", "--noprofile", "--rcfile", rc.toString(), "-i"), env, tmp, 120, 30)) {
      assertEachShellCompletes(bash);
      String escaped = otherJournal.toString().replace(" ", "\\ ");
      assertEquals(
          "$ edlink-idem --journal " + escaped + " replay other-pending-1",
          tab(bash, "edlink-idem --journal " + escaped + " replay "),
          "a path with its space escaped, not quoted");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"from $fpath by compinit", "sourced after compinit"})
  void zshCompletesCommandsValuesAndPendingKeys(String loaded) throws Exception {
    assumeTrue(Tmux.available(), "tmux not installed" + INSTALL);
    assumeTrue(installed("zsh"), "zsh not installed" + INSTALL);
    Path zdotdir = Files.createDirectories(tmp.resolve("zdotdir"));
    Path script = COMPLETIONS.resolve("_edlink-idem");
    Files.writeString(
        zdotdir.resolve(".zshrc"),
        (loaded.startsWith("from")
                ? "fpath=("
                    + quote(COMPLETIONS.toString())
                    + " $fpath)\nautoload -Uz compinit && compinit -u -D\n"
                : "autoload -Uz compinit && compinit -u -D\nsource "
                    + quote(script.toString())
                    + "\n")
            + "PS1='$ '\n");
    Map<String, String> zsh = new HashMap<>(env);
    zsh.put("ZDOTDIR", zdotdir.toString());
    // -d: no /etc/zsh/zshrc and friends; ZDOTDIR: our .zshrc, never the user's. (-f would skip ours
    // too.)
    try (Tmux terminal = Tmux.start(List.of("zsh", "-d", "-i"), zsh, tmp, 120, 30)) {
      assertEachShellCompletes(terminal);
    }
  }

  /** Types lines into an interactive shell, presses Tab, and reads what the shell made of them. */
  private void assertEachShellCompletes(Tmux shell) {
    // Keys typed before the shell has read its startup files would be lost or interrupt them.
    shell.waitFor(s -> s.lines().anyMatch(l -> l.startsWith("$")), "the first prompt");
    assertEquals("$ edlink-idem replay", tab(shell, "edlink-idem rep"));
    assertEquals(
        "$ edlink-idem replay pending-key-1",
        pressTab(shell),
        "only the pending key: the finished one is not worth replaying");

    assertEquals("$ edlink-idem reconcile pending-key-1", tab(shell, "edlink-idem reconcile "));
    String journal = quote(otherJournal.toString());
    assertEquals(
        "$ edlink-idem --journal " + journal + " replay other-pending-1",
        tab(shell, "edlink-idem --journal " + journal + " replay "),
        "keys from the journal named on the line");
    assertEquals("$ edlink-idem journal merge", tab(shell, "edlink-idem journal me"));
    assertEquals("$ edlink-idem config set-token", tab(shell, "edlink-idem config set-t"));
    assertEquals("$ edlink-idem config set base-url", tab(shell, "edlink-idem config set ba"));
    assertEquals(
        "$ edlink-idem config set base-url jo",
        tab(shell, "edlink-idem config set base-url jo"),
        "the value is not a setting's name");
    assertEquals("$ edlink-idem list --state succeeded", tab(shell, "edlink-idem list --state s"));
    assertEquals(
        "$ edlink-idem list --verbose",
        tab(shell, "edlink-idem list --verb"),
        "an inherited option");
    assertEquals(
        "$ edlink-idem expiring --within 72h", tab(shell, "edlink-idem expiring --within 72"));
    try {
      writeProfiles();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertEquals("$ edlink-idem --profile staging", tab(shell, "edlink-idem --profile st"));

    // show offers every key: the line cannot be completed, and a second Tab lists both.
    freshPrompt(shell);
    shell.sendKeys("edlink-idem show ").sendKey("Tab").sendKey("Tab");
    shell.waitFor(
        s -> s.contains("finished-key-1") && s.contains("pending-key-1"), "both keys listed");
    // The first Tab may list them already (zsh): wait until the second one is done too.
    shell.sendKeys("#");
    shell.waitForCursorLine(l -> l.endsWith("#"), "the marker after the second Tab");

    // A failing lookup offers nothing and prints nothing: the X arrives only after the completion
    // is done.
    freshPrompt(shell);
    shell
        .sendKeys("edlink-idem --journal " + notAJournal + " replay ")
        .sendKey("Tab")
        .sendKeys("X");
    String screen =
        shell.waitFor(s -> s.stripTrailing().endsWith("X"), "the typed X after the completion");
    assertFalse(screen.contains("edlink-idem:"), "an error reached the terminal:\n" + screen);
  }

  @Test
  void fishCompletesCommandsValuesAndPendingKeys() throws Exception {
    assumeTrue(installed("fish"), "fish not installed" + INSTALL);
    assertEquals(List.of("replay"), fish("edlink-idem rep"));
    assertEquals(List.of("pending-key-1"), fish("edlink-idem replay "), "only the pending key");
    assertEquals(List.of("pending-key-1"), fish("edlink-idem reconcile pend"));
    assertEquals(
        List.of("pending-key-1"),
        fish("edlink-idem replay 'pend"),
        "a started quote is the line's");
    assertEquals(List.of("finished-key-1", "pending-key-1"), fish("edlink-idem show "));
    assertEquals(
        List.of("other-pending-1"),
        fish("edlink-idem --journal " + quote(otherJournal.toString()) + " replay "));
    assertEquals(
        List.of("other-pending-1"),
        fish("edlink-idem --journal=" + quote(otherJournal.toString()) + " show "));
    assertEquals(List.of("merge", "migrate"), fish("edlink-idem journal m"));
    assertEquals(List.of("set", "set-client", "set-token", "show"), fish("edlink-idem config s"));
    assertEquals(
        List.of(
            "base-url",
            "cacert",
            "journal",
            "journal-password-file",
            "noproxy",
            "proxy",
            "retries",
            "token-file"),
        fish("edlink-idem config set "));
    assertEquals(List.of(), fish("edlink-idem config set base-url "), "the value is free text");
    assertEquals(List.of("post"), fish("edlink-idem help po"));
    assertEquals(List.of("--state=succeeded"), fish("edlink-idem list --state=s"));
    assertEquals(List.of("--verbose"), fish("edlink-idem list --verb"));
    assertEquals(
        List.of(),
        fish("edlink-idem --journal " + notAJournal + " replay "),
        "a failing lookup offers nothing");
    writeProfiles();
    assertEquals(List.of("ci", "default", "staging"), fish("edlink-idem --profile "));
    assertEquals(List.of("--profile=staging"), fish("edlink-idem list --profile=st"));
  }

  /** Two profiles in the configuration the completion's tool reads. */
  private void writeProfiles() throws Exception {
    Path config = Files.createDirectories(tmp.resolve("config").resolve("edlink-idem"));
    Files.writeString(config.resolve("config"), "[ci]\nretries = 1\n\n[staging]\nretries = 2\n");
  }

  /** What fish's own completion engine offers for {@code line}, without descriptions. */
  private List<String> fish(String line) throws Exception {
    Path script = COMPLETIONS.resolve("edlink-idem.fish");
    ProcessBuilder pb =
        new ProcessBuilder(
                "fish",
                "--no-config",
                "-c",
                "source " + quote(script.toString()) + "; complete -C " + quote(line))
            .directory(tmp.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
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
    // C-u, not C-c: C-c reaches the shell as a signal, and zsh then throws away keys typed after
    // it that it has not read yet, the C-l among them, now and then (a screen never cleared).
    // C-u (bash's unix-line-discard, zsh's kill-whole-line) is read in order with the keys.
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
    return pressTab(shell);
  }

  /** Presses Tab and returns the line as the completion left it. */
  private static String pressTab(Tmux shell) {
    shell.sendKey("Tab");
    // A marker typed after the Tab shows that the completion is over; then take it away again.
    shell.sendKeys("#");
    String line =
        shell.waitForCursorLine(l -> l.endsWith("#"), "the marker after the completion").strip();
    shell.sendKey("BSpace");
    // Else the next Tab's wait could find this marker still on the line and take it for its own.
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
