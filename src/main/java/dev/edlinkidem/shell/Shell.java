package dev.edlinkidem.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;
import org.jline.utils.InfoCmp;

/**
 * The interactive session: reads a line with completion and history, runs it as a command of the
 * tool, and goes on until Ctrl-D or {@code exit}. Ctrl-C clears the line being typed, or interrupts
 * the command running (a request in flight stays pending in the journal).
 */
public final class Shell {
  /**
   * Runs one command line typed in the shell and returns its exit code; an interrupt cancels it.
   */
  public interface Commands {
    int run(List<String> words);
  }

  /**
   * What the prompt shows: the profile, and the pending keys (null when the journal cannot be
   * read).
   */
  public record Status(String profile, Integer pending) {}

  /** Words the shell answers itself; everything else is a command of the tool. */
  public static final Map<String, String> BUILTINS =
      orderedOf("exit", "leave the shell", "quit", "leave the shell", "clear", "clear the screen");

  private static Map<String, String> orderedOf(String... namesAndDescriptions) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndDescriptions.length; i += 2) {
      map.put(namesAndDescriptions[i], namesAndDescriptions[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }

  private final Terminal terminal;
  private final LineReader reader;
  private final Commands commands;
  private final Supplier<Status> status;
  private final String toolName;
  private volatile Thread running;
  private int lastCode;

  /**
   * @param history the history file, created 0600 when missing; null keeps no history
   * @param toolName the tool's name, which a line may start with out of habit
   * @param secret whether a line holds a secret, and so is never kept in the history
   */
  public Shell(
      Terminal terminal,
      CommandCompleter completer,
      Path history,
      Commands commands,
      Supplier<Status> status,
      String toolName,
      Predicate<String> secret) {
    this.terminal = terminal;
    this.commands = commands;
    this.status = status;
    this.toolName = toolName;
    LineReaderBuilder builder =
        LineReaderBuilder.builder()
            .appName(toolName)
            .terminal(terminal)
            .completer(completer)
            .parser(new ShellWords())
            // "!" is common in request bodies; history expansion would rewrite them.
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.INSERT_TAB, false)
            .option(LineReader.Option.AUTO_FRESH_LINE, true)
            // As bash's ignorespace: a line typed with a space first is not kept.
            .option(LineReader.Option.HISTORY_IGNORE_SPACE, true)
            .history(new KeptHistory(secret));
    if (history != null && prepareHistory(history)) {
      builder.variable(LineReader.HISTORY_FILE, history);
    }
    this.reader = builder.build();
  }

  /** History that never keeps a line holding a secret (the token, pasted at the prompt). */
  private static final class KeptHistory extends DefaultHistory {
    private final Predicate<String> secret;

    KeptHistory(Predicate<String> secret) {
      this.secret = secret;
    }

    @Override
    public void add(Instant time, String line) {
      if (!secret.test(line)) {
        super.add(time, line);
      }
    }
  }

  /** Whether {@code terminal} is a dumb one (TERM=dumb): no redrawing, no colour. */
  public static boolean isDumb(Terminal terminal) {
    return Terminal.TYPE_DUMB.equals(terminal.getType())
        || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
  }

  /** Runs the session until Ctrl-D or exit; returns 0. */
  public int run() {
    terminal.handle(
        Terminal.Signal.INT,
        signal -> {
          Thread command = running;
          if (command != null) {
            // The terminal echoed ^C; what the command says about it goes on a line of its own.
            terminal.writer().println();
            terminal.writer().flush();
            command.interrupt();
          }
        });
    PrintWriter out = terminal.writer();
    while (true) {
      String line;
      try {
        line = reader.readLine(prompt());
      } catch (UserInterruptException e) {
        if (isDumb(terminal)) {
          // A dumb terminal cannot redraw: the next prompt needs a line of its own.
          terminal.writer().println();
        }
        continue;
      } catch (EndOfFileException e) {
        break;
      }
      List<String> words = new ArrayList<>(reader.getParsedLine().words());
      words.removeIf(String::isEmpty);
      if (!words.isEmpty() && words.get(0).equals(toolName)) {
        words.remove(0);
      }
      if (words.isEmpty() || line.isBlank()) {
        continue;
      }
      String unsupported = ShellWords.unsupported(reader.getParsedLine());
      if (unsupported != null) {
        out.println(toolName + ": " + unsupported);
        out.flush();
        lastCode = 2;
        continue;
      }
      switch (words.get(0)) {
        case "exit", "quit" -> {
          return leave();
        }
        case "clear" -> {
          terminal.puts(InfoCmp.Capability.clear_screen);
          terminal.flush();
          lastCode = 0;
        }
        case "help" -> {
          lastCode = runCommand(words);
          if (words.size() == 1) {
            out.println();
            out.println(
                "In this shell: type commands without '"
                    + toolName
                    + "'; Tab completes commands, options, values and journal keys; Ctrl-C cancels"
                    + " the line or the running request; Ctrl-D or 'exit' leaves.");
            out.flush();
          }
        }
        case "shell" -> {
          out.println(toolName + ": already in the shell");
          out.flush();
          lastCode = 2;
        }
        default -> lastCode = runCommand(words);
      }
    }
    return leave();
  }

  private int leave() {
    try {
      reader.getHistory().save();
    } catch (IOException e) {
      terminal.writer().println(toolName + ": warning: history not saved: " + e.getMessage());
    }
    terminal.writer().flush();
    return 0;
  }

  /** Runs a command on its own thread, so that Ctrl-C can interrupt it without ending the shell. */
  private int runCommand(List<String> words) {
    int[] code = {1};
    Thread command = new Thread(() -> code[0] = commands.run(words), "edlink-idem-command");
    running = command;
    command.start();
    boolean interrupted = false;
    while (command.isAlive()) {
      try {
        command.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    running = null;
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    terminal.flush();
    return code[0];
  }

  private String prompt() {
    Status now = status.get();
    StringBuilder p = new StringBuilder(toolName).append(" [").append(now.profile()).append("] ");
    p.append(now.pending() == null ? "journal unreadable" : now.pending() + " pending");
    if (lastCode != 0) {
      p.append(" (exit ").append(lastCode).append(')');
    }
    return p.append(" > ").toString();
  }

  /** A fresh stdin for one command: lines typed on this shell's terminal, ended by Ctrl-D. */
  public InputStream typedInput() {
    return new TypedInput(terminal);
  }

  /** Reads a secret on this shell's terminal without echoing it (for config set-token). */
  public String readSecret(String prompt) throws IOException {
    LineReader secret =
        LineReaderBuilder.builder().terminal(terminal).variable(LineReader.HISTORY_SIZE, 0).build();
    try {
      return secret.readLine(prompt, LineReaderImpl.NULL_MASK);
    } catch (UserInterruptException | EndOfFileException e) {
      throw new InterruptedIOException("cancelled");
    }
  }

  private boolean prepareHistory(Path history) {
    try {
      Files.createDirectories(
          history.getParent(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      if (!Files.exists(history)) {
        Files.createFile(
            history,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      terminal
          .writer()
          .println(toolName + ": warning: no history this session (" + history + ": " + e + ")");
      return false;
    }
  }
}
