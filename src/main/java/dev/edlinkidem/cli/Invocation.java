package dev.edlinkidem.cli;

import dev.edlinkidem.time.DurationSyntax;
import dev.edlinkidem.time.Time;
import dev.edlinkidem.verdict.ExitCode;
import java.io.BufferedWriter;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Everything a command takes from the world: streams, environment, terminal, clock and randomness.
 * Tests build one with captured streams; {@link #system()} builds the real one.
 */
public final class Invocation {
  /** Which of the standard streams are attached to a terminal. */
  public record Terminal(boolean stdin, boolean stdout, boolean stderr) {
    public static final Terminal NONE = new Terminal(false, false, false);
    public static final Terminal ALL = new Terminal(true, true, true);
  }

  private final InputStream stdin;
  private final OutputStream stdout;
  private final PrintWriter out;
  private final PrintWriter err;
  private final Map<String, String> env;
  private final Terminal terminal;
  private final SecureRandom random;
  private final Interrupts interrupts;
  private final Tty tty;
  private final Time time;

  /**
   * Where a command says, on Ctrl-C or SIGTERM, what it leaves behind: the real process's shutdown
   * hooks, or nowhere (a test, or the shell, which handles Ctrl-C itself).
   */
  public interface Interrupts {
    Interrupts NONE = message -> () -> {};

    /**
     * Arranges for {@code message} to run if the process is interrupted before the returned undo
     * runs.
     */
    Runnable onInterrupt(Runnable message);
  }

  /**
   * What a terminal session offers beyond its streams: its width, and a prompt that does not echo.
   */
  public interface Tty {
    /** Columns of the terminal now (it may have been resized). */
    int width();

    /** Asks for a secret without echoing it; an IOException when the person cancels. */
    String readSecret(String prompt) throws IOException;
  }

  public Invocation(
      InputStream stdin,
      OutputStream stdout,
      OutputStream stderr,
      Map<String, String> env,
      Terminal terminal,
      SecureRandom random) {
    this(stdin, stdout, stderr, env, terminal, random, null, Time.SYSTEM);
  }

  /** An invocation whose time is {@code time}: tests pass one that never sleeps. */
  public Invocation(
      InputStream stdin,
      OutputStream stdout,
      OutputStream stderr,
      Map<String, String> env,
      Terminal terminal,
      SecureRandom random,
      Time time) {
    this(stdin, stdout, stderr, env, terminal, random, null, time);
  }

  /**
   * An invocation inside a terminal session other than the process's own: the interactive shell
   * runs each command with its terminal's streams, width and secret prompt. No shutdown hooks: the
   * shell handles Ctrl-C itself.
   */
  public Invocation(
      InputStream stdin,
      OutputStream stdout,
      OutputStream stderr,
      Map<String, String> env,
      Terminal terminal,
      SecureRandom random,
      Tty tty,
      Time time) {
    this(
        stdin,
        stdout,
        buffered(stdout),
        writer(stderr),
        Map.copyOf(env),
        terminal,
        random,
        Interrupts.NONE,
        tty,
        time);
  }

  private Invocation(
      InputStream stdin,
      OutputStream stdout,
      PrintWriter out,
      PrintWriter err,
      Map<String, String> env,
      Terminal terminal,
      SecureRandom random,
      Interrupts interrupts,
      Tty tty,
      Time time) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.out = out;
    this.err = err;
    this.env = env;
    this.terminal = terminal;
    this.random = random;
    this.interrupts = interrupts;
    this.tty = tty;
    this.time = time;
  }

  private static PrintWriter writer(OutputStream stream) {
    return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
  }

  /**
   * As {@link #writer}, with 64 KiB of text kept before it is encoded and written: a million keys,
   * printed a key at a time, took 173-224 ms through the 8 KiB of the encoder's own buffer and
   * 104-124 ms so (docs/benchmarks.md). A line ended by {@code println} is written at once, as
   * before; a command flushes what it printed otherwise, as it had to before.
   */
  private static PrintWriter buffered(OutputStream stream) {
    return new PrintWriter(
        new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16), true);
  }

  public static Invocation system() {
    Invocation process =
        new Invocation(
            System.in,
            System.out,
            System.err,
            System.getenv(),
            new Terminal(isTerminal(0), isTerminal(1), isTerminal(2)),
            new FirstUseSecureRandom(),
            new ProcessTty(),
            Time.SYSTEM);
    return process.withInterrupts(process::shutdownHook);
  }

  /**
   * Arranges for a message if the process is interrupted (Ctrl-C, SIGTERM) before the returned undo
   * runs; the JVM then exits, with 130 after Ctrl-C and 143 after SIGTERM.
   */
  public Runnable onInterrupt(Runnable message) {
    return interrupts.onInterrupt(message);
  }

  /** This invocation with its interruptions reported to {@code interrupts}. */
  public Invocation withInterrupts(Interrupts interrupts) {
    return new Invocation(stdin, stdout, out, err, env, terminal, random, interrupts, tty, time);
  }

  private Runnable shutdownHook(Runnable message) {
    Thread hook =
        new Thread(
            () -> {
              message.run();
              err.flush();
            });
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The signal came first: stop here, before anything more is done.
      throw new CliException(ExitCode.INTERRUPTED, "interrupted");
    }
    return () -> {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Already exiting: the hook runs.
      }
    };
  }

  public InputStream stdin() {
    return stdin;
  }

  /** Raw standard output, for response bodies that must pass through byte for byte. */
  public OutputStream stdout() {
    out.flush();
    return stdout;
  }

  public PrintWriter out() {
    return out;
  }

  public PrintWriter err() {
    return err;
  }

  public Terminal terminal() {
    return terminal;
  }

  public SecureRandom random() {
    return random;
  }

  /**
   * How wide lines on stdout may be: when stdout is a terminal, {@code COLUMNS} when set, else the
   * terminal's width. When it is not (a pipe, a file), 0: no limit, whatever {@code COLUMNS} says,
   * as a shell exports it to every command, pipes included.
   */
  public int columns() {
    return terminal.stdout() ? width() : 0;
  }

  /** How wide a line on stderr may be when stderr is a terminal (a progress line); else 0. */
  public int stderrColumns() {
    return terminal.stderr() ? width() : 0;
  }

  private int width() {
    String columns = env("COLUMNS");
    if (columns != null && columns.matches("\\d{1,4}")) {
      return Integer.parseInt(columns);
    }
    return tty == null ? 0 : tty.width();
  }

  /**
   * Reads a secret: with a masked prompt when this is a real terminal session, else the whole of
   * stdin (a script pipes the token in; nothing is ever asked for when stdin is not a terminal).
   */
  public String readSecret(String prompt) throws IOException {
    if (tty != null && terminal.stdin()) {
      return tty.readSecret(prompt);
    }
    return new String(stdin.readNBytes(64 * 1024), StandardCharsets.UTF_8);
  }

  /** The whole environment, for a command run on behalf of this one (the shell's). */
  public Map<String, String> environment() {
    return env;
  }

  /** An environment variable, or null when it is unset or empty. */
  public String env(String name) {
    String value = env.get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  /**
   * The real time: the wall clock for the moments the journal records, and the ticker and sleeps of
   * every wait. {@code EDLINK_IDEM_NOW} does not change it.
   */
  public Time time() {
    return time;
  }

  /**
   * The moment the expiry rules compare with: the instant in {@code EDLINK_IDEM_NOW} when that is
   * set (for tests and "what if"), else the wall clock's now.
   */
  public Instant now() {
    String now = env("EDLINK_IDEM_NOW");
    warnOfShiftedClock();
    if (now == null) {
      // The later of this process's clock and the kernel's: a deadline is never met late.
      return time.deadlineNow();
    }
    Instant parsed;
    try {
      parsed = Instant.parse(now.trim());
    } catch (DateTimeParseException e) {
      throw CliException.usage(
          "EDLINK_IDEM_NOW='" + now + "' is not an ISO-8601 instant such as 2026-11-22T09:30:00Z");
    }
    if (!warnedOfNow) {
      // Left set by mistake, it would move every window: said on every command that uses it.
      warnedOfNow = true;
      err()
          .println(
              "edlink-idem: warning: EDLINK_IDEM_NOW="
                  + now.trim()
                  + " stands in for the clock of the window rules (it is for tests); unset it");
      err().flush();
    }
    return parsed;
  }

  private boolean warnedOfNow;

  /** Once per command: this process's clock and the kernel's disagree. */
  private void warnOfShiftedClock() {
    java.time.Duration offset = time.kernelOffset();
    if (!offset.isZero() && !warnedOfShift) {
      warnedOfShift = true;
      err()
          .println(
              "edlink-idem: warning: this process's clock is "
                  + DurationSyntax.format(
                      Time.magnitude(offset).truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                  + (offset.isNegative() ? " ahead of" : " behind")
                  + " the system's (faketime or a similar shim?); the journal records the earlier"
                  + " of the two, and windows end by the later");
      err().flush();
    }
  }

  private boolean warnedOfShift;

  /** The process's own terminal: its size from stty, its secret prompt from the JDK's Console. */
  private static final class ProcessTty implements Tty {
    @Override
    public int width() {
      try {
        Process stty =
            new ProcessBuilder("sh", "-c", "stty size < /dev/tty")
                .redirectErrorStream(true)
                .start();
        String size =
            new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        return stty.waitFor() == 0 && size.matches("\\d+ \\d+")
            ? Integer.parseInt(size.split(" ")[1])
            : 80;
      } catch (IOException e) {
        return 80;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 80;
      }
    }

    @Override
    public String readSecret(String prompt) throws IOException {
      Console console = System.console();
      if (console == null) {
        // The JDK gives no console when stdout is redirected; echoing a token is not an option.
        throw new IOException(
            "no console to ask on (stdout is not a terminal); pipe the token in instead");
      }
      char[] secret = console.readPassword("%s", prompt);
      return secret == null ? "" : new String(secret);
    }
  }

  private static boolean isTerminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/")
          || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (Exception | LinkageError e) {
      return System.console() != null;
    }
  }
}
