package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.Main;
import dev.edlinkidem.config.Settings;
import dev.edlinkidem.journal.EntryJson;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.Selection;
import dev.edlinkidem.shell.CommandCompleter;
import dev.edlinkidem.shell.CommandCompleter.KeyChoice;
import dev.edlinkidem.shell.Shell;
import dev.edlinkidem.time.TimeText;
import dev.edlinkidem.verdict.ExitCode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Connects the interactive {@link Shell} to the tool: each line runs through {@link Main#run} with
 * the shell's terminal, the global options the shell was started with, and the same rules for
 * output as outside.
 */
public final class ShellSession {
  private final EdlinkIdem root;
  private final Terminal terminal;
  private final OutputStream err;
  private final CommandLine model;
  private final Set<String> warned = new HashSet<>();
  private Shell shell;

  ShellSession(EdlinkIdem root, Terminal terminal, OutputStream err) {
    this.root = root;
    this.terminal = terminal;
    this.err = err;
    this.model = Main.commandLine(null);
  }

  /**
   * Runs a session on {@code terminal} as {@code edlink-idem GLOBAL_ARGS shell} would, for tests
   * that script a terminal. Returns the shell's exit code.
   */
  public static int run(
      Invocation invocation, Terminal terminal, OutputStream err, String... globalArgs) {
    CommandLine cli = Main.commandLine(invocation);
    List<String> args = new ArrayList<>(List.of(globalArgs));
    args.add("shell");
    cli.parseArgs(args.toArray(String[]::new));
    EdlinkIdem root = cli.getCommand();
    return new ShellSession(root, terminal, err).run();
  }

  /** Runs a session on the process's own terminal. */
  static int onSystemTerminal(EdlinkIdem root) {
    try (Terminal terminal = TerminalBuilder.builder().system(true).name("edlink-idem").build()) {
      // JLine catches SIGINT for its own terminals, but not for a dumb one (TERM=dumb): without
      // this, Ctrl-C would end the JVM, and with it the shell, instead of the line or the request.
      sun.misc.Signal.handle(
          new sun.misc.Signal("INT"), signal -> terminal.raise(Terminal.Signal.INT));
      return new ShellSession(root, terminal, System.err).run();
    } catch (IOException e) {
      throw new CliException(ExitCode.INTERNAL, "cannot open the terminal: " + e.getMessage(), e);
    }
  }

  int run() {
    CommandCompleter completer =
        new CommandCompleter(
            model.getCommandSpec(),
            this::keys,
            this::profiles,
            Shell.BUILTINS,
            Path.of("").toAbsolutePath(),
            root.settings()::expandHome);
    shell =
        new Shell(
            terminal,
            completer,
            root.settings().stateDir().resolve("history"),
            this::execute,
            this::status,
            model.getCommandName(),
            this::holdsASecret);
    return shell.run();
  }

  /**
   * A URL with a password ({@code http://user:pass@proxy}), or a proxy given with one and no scheme
   * ({@code --proxy user:pass@proxy}, {@code config set proxy user:pass@proxy}).
   */
  private static final Pattern PASSWORD_IN_URL =
      Pattern.compile("://[^\\s/@]*:[^\\s@]*@|(?i)proxy[\\s=]+\\S*:[^\\s@]*@");

  /**
   * The same in quotes, where a password may hold spaces: a quoted URL with a password, or any
   * quoted proxy holding an {@code @}.
   */
  private static final Pattern QUOTED_PASSWORD =
      Pattern.compile(
          "'[^']*://[^'/@]*:[^'@]*@[^']*'|\"[^\"]*://[^\"/@]*:[^\"@]*@[^\"]*\""
              + "|(?i)proxy[\\s=]+('[^']*@|\"[^\"]*@)");

  /**
   * Whether a line holds a secret: the token this session would send (pasted at the prompt by
   * mistake), or a proxy's password. Such a line is never kept in the history. The token is read
   * each time, since config set-token may change it.
   */
  private boolean holdsASecret(String line) {
    return PASSWORD_IN_URL.matcher(line).find()
        || QUOTED_PASSWORD.matcher(line).find()
        || holdsTheToken(line);
  }

  private boolean holdsTheToken(String line) {
    String token;
    try {
      token = root.settings().token(null);
    } catch (RuntimeException e) {
      return false; // no token to give away
    }
    return token != null && !token.isBlank() && line.contains(token.strip());
  }

  private int execute(List<String> words) {
    List<String> expanded = words.stream().map(this::expandHome).toList();
    return Main.run(invocation(), withGlobals(expanded).toArray(String[]::new));
  }

  /**
   * {@code ~/x} at the start of a word, of an option's value ({@code --journal=~/x}) or of a body
   * ({@code @~/x}), as sh would.
   */
  private String expandHome(String word) {
    int at =
        word.startsWith("@")
            ? 1
            : word.startsWith("--") && word.contains("=") ? word.indexOf('=') + 1 : 0;
    String rest = word.substring(at);
    return rest.equals("~") || rest.startsWith("~/")
        ? word.substring(0, at) + root.settings().expandHome(rest)
        : word;
  }

  /** The shell's global options first, leaving out those the line gives itself. */
  private List<String> withGlobals(List<String> words) {
    List<String> args = new ArrayList<>();
    List<String> globals = root.globalArgs();
    for (int i = 0; i < globals.size(); i++) {
      String name = globals.get(i);
      OptionSpec option = model.getCommandSpec().findOption(name);
      boolean takesValue = option.arity().max() > 0;
      if (!givenOn(words, option)) {
        args.add(name);
        if (takesValue) {
          args.add(globals.get(i + 1));
        }
      }
      i += takesValue ? 1 : 0;
    }
    args.addAll(words);
    return args;
  }

  private static boolean givenOn(List<String> words, OptionSpec option) {
    for (String word : words) {
      for (String name : option.names()) {
        if (word.equals(name) || word.startsWith(name + "=")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * What each command typed in the shell takes from the world: the shell's terminal, the process's
   * environment.
   */
  private Invocation invocation() {
    Invocation outer = root.invocation();
    boolean real = !Shell.isDumb(terminal);
    Invocation.Tty tty =
        new Invocation.Tty() {
          @Override
          public int width() {
            return terminal.getWidth() > 0 ? terminal.getWidth() : 80;
          }

          @Override
          public String readSecret(String prompt) throws IOException {
            return shell.readSecret(prompt);
          }
        };
    // stderr is the process's own: colour on it only when it is a terminal, as outside the shell.
    return new Invocation(
        shell.typedInput(),
        terminal.output(),
        err,
        outer.environment(),
        new Invocation.Terminal(true, real, real && outer.terminal().stderr()),
        outer.random(),
        tty,
        outer.time());
  }

  private Shell.Status status() {
    String profile;
    try {
      profile = root.settings().profile();
    } catch (CliException e) {
      profile = "?";
    }
    try (Journal journal =
        JournalAccess.open(
            lookingUp(root.settings(), this::warnOnce), root.invocation().environment())) {
      return new Shell.Status(
          profile,
          journal.count(Selection.all(Selection.Order.NEWEST_FIRST).inState(EntryState.PENDING)));
    } catch (JournalException | RuntimeException e) {
      return new Shell.Status(profile, null);
    }
  }

  /**
   * The settings for what the shell looks up by itself (the prompt's count, Tab's keys): {@code
   * settings}, with their warnings (a .pgpass open to others, a journal directory closed to them)
   * given to {@code warn} instead. The shell opens the journal before every prompt and on Tab, and
   * a warning said each time would be said over and over, and in the middle of the line being
   * typed; a command typed still says its own.
   */
  private Settings lookingUp(Settings settings, Consumer<String> warn) {
    return new Settings(settings.flags(), root.invocation().environment(), warn);
  }

  /** A warning said before a prompt: once a session. */
  private void warnOnce(String warning) {
    if (warned.add(warning)) {
      root.settings().warn(warning);
    }
  }

  /** Up to this many keys matching what is typed are read one entry at a time. */
  private static final int FEW_KEYS = 64;

  /** The journal's keys for completion, pending first and newest first within each. */
  private List<KeyChoice> keys(List<String> lineGlobals, String prefix) {
    try {
      Settings settings = root.settings();
      if (!lineGlobals.isEmpty()) {
        CommandLine cli = Main.commandLine(root.invocation());
        List<String> args = new ArrayList<>(root.globalArgs());
        args.addAll(lineGlobals);
        args.add("list");
        cli.parseArgs(args.toArray(String[]::new));
        settings = cli.<EdlinkIdem>getCommand().settings();
      }
      // Nothing said while a line is completed: the line's command says it when it runs.
      settings = lookingUp(settings, warning -> {});
      Instant now = root.invocation().now();
      try (Journal journal = JournalAccess.open(settings, root.invocation().environment())) {
        // Filtered before anything else: at 100,000 entries, describing them all costs more than
        // reading them. A few keys are read one by one, after the quick look Tab takes in the
        // bash, zsh and fish completions; many, from the summaries of those keys alone.
        List<String> matching = journal.keysToOffer(prefix, false);
        List<EntrySummary> found = new ArrayList<>();
        if (matching.size() <= FEW_KEYS) {
          for (String key : matching) {
            journal.find(key).ifPresent(e -> found.add(EntrySummary.of(e)));
          }
        } else {
          found.addAll(journal.summariesStartingWith(prefix));
        }
        return found.stream()
            .filter(s -> s.key().startsWith(prefix))
            .sorted(
                Comparator.comparing((EntrySummary s) -> s.state() != EntryState.PENDING)
                    .thenComparing(EntrySummary::created, Comparator.reverseOrder()))
            .map(s -> new KeyChoice(s.key(), s.state() == EntryState.PENDING, describe(s, now)))
            .toList();
      }
    } catch (JournalException | RuntimeException e) {
      // Completion must never break the line being typed: no keys, no message.
      return List.of();
    }
  }

  private static String describe(EntrySummary s, Instant now) {
    String left = TimeText.left(s.window().remaining(now));
    return s.state().label()
        + " · "
        + (left.equals("expired") ? "window ended" : left + " left")
        + " · "
        + EntryJson.pathOf(s.url());
  }

  private Collection<String> profiles() {
    Set<String> names = new LinkedHashSet<>();
    names.add("default");
    try {
      names.addAll(root.settings().config().profiles());
    } catch (RuntimeException e) {
      // A bad config file is reported by the command that uses it, not while completing.
    }
    return names;
  }
}
