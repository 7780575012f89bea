package dev.edlinkidem.tty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A real terminal for tests: one command in a detached tmux session of a fixed size, typed into
 * with keys and read back from the screen. Each instance has its own tmux server (a private
 * socket), so tests never see each other's sessions or the user's; closing it kills that server.
 */
public final class Tmux implements AutoCloseable {
  /**
   * How long {@link #waitFor(Predicate, String)} waits unless told otherwise: a JVM may start in
   * between.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private static final String SESSION = "test";

  private final String socket;
  private final Map<String, String> env;

  private Tmux(String socket, Map<String, String> env) {
    this.socket = socket;
    this.env = env;
  }

  /** Whether tmux runs here; tests that need it skip with a reason when it does not. */
  public static boolean available() {
    try {
      Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Starts {@code command} in a new session of {@code columns} by {@code rows} characters, in
   * {@code directory}, with exactly {@code env} as its environment (nothing of this JVM's leaks
   * in).
   */
  public static Tmux start(
      List<String> command, Map<String, String> env, Path directory, int columns, int rows) {
    Tmux tmux =
        new Tmux(
            "edlink-idem-test-" + UUID.randomUUID().toString().substring(0, 8), Map.copyOf(env));
    // One string, which tmux runs with sh -c: older tmux versions take no argument vector.
    String shellCommand = command.stream().map(Tmux::shellQuote).collect(Collectors.joining(" "));
    // -f /dev/null: no user configuration (key bindings, status line) changes what the screen
    // shows;
    // no status line, so that the command gets all the rows from its first moment.
    tmux.tmux(
        List.of(
            "-f",
            "/dev/null",
            "start-server",
            ";",
            "set-option",
            "-g",
            "status",
            "off",
            ";",
            "new-session",
            "-d",
            "-s",
            SESSION,
            "-x",
            Integer.toString(columns),
            "-y",
            Integer.toString(rows),
            "-c",
            directory.toString(),
            shellCommand));
    return tmux;
  }

  /** Types {@code text} literally, as if pasted key by key. */
  public Tmux sendKeys(String text) {
    tmux(List.of("send-keys", "-t", SESSION, "-l", "--", text));
    return this;
  }

  /**
   * Presses one key by its tmux name: {@code Tab}, {@code Enter}, {@code C-c}, {@code Up}, {@code
   * BSpace}.
   */
  public Tmux sendKey(String key) {
    tmux(List.of("send-keys", "-t", SESSION, key));
    return this;
  }

  /** The visible screen, one line per row, as tmux shows it (trailing blanks trimmed). */
  public String capture() {
    return tmux(List.of("capture-pane", "-p", "-t", SESSION));
  }

  /** The row the cursor is on. */
  public String cursorLine() {
    int row =
        Integer.parseInt(
            tmux(List.of("display-message", "-p", "-t", SESSION, "#{cursor_y}")).strip());
    List<String> lines = capture().lines().toList();
    return row < lines.size() ? lines.get(row) : "";
  }

  /** Waits until the screen shows {@code text}; returns the screen. */
  public String waitFor(String text) {
    return waitFor(
        screen -> screen.contains(text), "'" + text + "' on the screen", DEFAULT_TIMEOUT);
  }

  /** Waits until {@code condition} holds for the screen; returns the screen. */
  public String waitFor(Predicate<String> condition, String what) {
    return waitFor(condition, what, DEFAULT_TIMEOUT);
  }

  /**
   * Polls the screen until {@code condition} holds for it and returns that screen; after {@code
   * timeout}, or when the session has ended, fails with {@code what} and the last screen.
   */
  public String waitFor(Predicate<String> condition, String what, Duration timeout) {
    return poll(this::capture, condition, what, timeout);
  }

  /**
   * Waits until {@code condition} holds for the line the cursor is on (the line being edited, a
   * prompt waiting for input) and returns that line.
   */
  public String waitForCursorLine(Predicate<String> condition, String what) {
    return poll(this::cursorLine, condition, what, DEFAULT_TIMEOUT);
  }

  private String poll(
      Supplier<String> read, Predicate<String> condition, String what, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (true) {
      if (!alive()) {
        throw new AssertionError(
            "the terminal's command ended while waiting for " + what + "; last seen:\n" + last);
      }
      last = read.get();
      if (condition.test(last)) {
        return last;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after "
                + timeout.toSeconds()
                + "s waiting for "
                + what
                + "; last seen:\n"
                + last
                + "\nthe screen:\n"
                + capture());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
  }

  /** Whether the session (its command) is still running. */
  public boolean alive() {
    return run(List.of("has-session", "-t", SESSION)).code() == 0;
  }

  /** Kills this tmux server and with it the command. */
  @Override
  public void close() {
    run(List.of("kill-server"));
    // tmux leaves its socket file behind when its server is killed or its last session ends.
    try {
      String dir = env.getOrDefault("TMUX_TMPDIR", "/tmp");
      Object uid = java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      java.nio.file.Files.deleteIfExists(Path.of(dir, "tmux-" + uid, socket));
    } catch (IOException | RuntimeException e) {
      // Not worth failing a test over: the file is empty and its name is never reused.
    }
  }

  private String tmux(List<String> args) {
    Ran r = run(args);
    if (r.code() != 0) {
      throw new IllegalStateException(
          "tmux " + String.join(" ", args) + " failed (exit " + r.code() + "): " + r.output());
    }
    return r.output();
  }

  private record Ran(int code, String output) {}

  private Ran run(List<String> args) {
    List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    // The server is started by the first command and gives its environment to the session.
    pb.environment().clear();
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("tmux " + String.join(" ", args) + " did not end");
      }
      return new Ran(p.exitValue(), output);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run tmux: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running tmux", e);
    }
  }

  private static String shellQuote(String s) {
    return s.matches("[A-Za-z0-9_./:=@%+,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }
}
