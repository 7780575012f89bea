package dev.edlinkidem.cli;

import dev.edlinkidem.cli.model.CommandModel;
import dev.edlinkidem.cli.render.UsageHelp;
import dev.edlinkidem.config.SettingsException;
import dev.edlinkidem.edlink.EdlinkClient;
import dev.edlinkidem.journal.KeyResolver;
import dev.edlinkidem.journal.postgres.PostgresSettingException;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.request.InvalidRequestException;
import dev.edlinkidem.verdict.ExitCode;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileLockInterruptionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point: parses the command line, runs one command, and maps every failure to an exit code.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    keepAsyncCompletionsOnAPool();
    Network.allowBasicOnTunnels();
    int code = run(Invocation.system(), args);
    // Everything is journaled and printed by now; only the exit is left to make quick.
    EdlinkClient.stopSelectorsBeforeExit();
    System.exit(code);
  }

  /**
   * HttpClient.sendAsync hands every response to CompletableFuture's default executor, which is a
   * new thread per task where the common pool would have one thread (two processors or fewer): a
   * thread started per request, which strace counts as one clone3 per line of a batch. Two threads
   * in the common pool make it a pool; a value the user set is kept. It must run before anything
   * loads CompletableFuture, which reads it once.
   */
  private static void keepAsyncCompletionsOnAPool() {
    String parallelism = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(parallelism) == null
        && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(parallelism, "2");
    }
  }

  /** Runs one command line against the given invocation and returns its exit code; never exits. */
  public static int run(Invocation invocation, String... args) {
    String unknown = unknownCommandIn(args);
    if (unknown != null) {
      // Before picocli: it would skip the word and take a later one ("confg show") as the command.
      invocation
          .err()
          .println(
              "edlink-idem: "
                  + Typos.unknownCommand(unknown, EdlinkIdem.COMMANDS.keySet())
                  + " (see 'edlink-idem --help')");
      invocation.err().flush();
      return ExitCode.USAGE;
    }
    CommandLine cli =
        asksVersionOnly(args)
            ? commandLine(invocation, Void.class, CommandModel.load()) // no command is Void
            : commandLine(invocation, commandNamedBy(args), CommandModel.load());
    EdlinkIdem root = cli.getCommand();
    PrintWriter err = invocation.err();
    cli.setOut(invocation.out());
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (ParameterException e, String[] a) -> {
          String command = e.getCommandLine().getCommandSpec().qualifiedName();
          err.println("edlink-idem: " + oneLine(refusal(e)) + " (see '" + command + " --help')");
          return ExitCode.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (Exception e, CommandLine c, CommandLine.ParseResult p) -> report(root, err, e));
    cli.setExecutionStrategy(
        parsed -> {
          if (asksForHelp(parsed)) {
            // Only for help: a terminal's width is asked of stty, which takes a process.
            // Wrapped at spaces only, examples never: picocli's wrapping cuts "https://ed." /
            // "link".
            cli.setHelpFactory(UsageHelp::new);
            cli.setUsageHelpWidth(UsageHelp.width(invocation.columns()));
          }
          return new CommandLine.RunLast().execute(parsed);
        });
    int code = cli.execute(args);
    invocation.out().flush(); // whatever a command printed without ending the line
    return code;
  }

  /** Whether a command line asks for the help of its command (or of the tool): -h or --help. */
  private static boolean asksForHelp(ParseResult parsed) {
    for (CommandLine command : parsed.asCommandLineList()) {
      if (command.isUsageHelpRequested()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The command model, parsed as {@code run} parses it: the help, the man pages, the completion
   * scripts and the shell all read it from here. {@code invocation} may be null when nothing runs.
   */
  public static CommandLine commandLine(Invocation invocation) {
    return commandLine(invocation, CommandModel.load());
  }

  /** The command model built by {@code model}: from the build's file or from the annotations. */
  public static CommandLine commandLine(Invocation invocation, CommandModel model) {
    return commandLine(invocation, null, model);
  }

  /** The model with one subcommand only, or all of them when {@code only} is null. */
  private static CommandLine commandLine(Invocation invocation, Class<?> only, CommandModel model) {
    IFactory factory = factory(invocation);
    CommandLine cli = model.commandLine(new EdlinkIdem(invocation), factory);
    for (Class<?> command : EdlinkIdem.COMMANDS.values()) {
      if (only == null || only == command) {
        model.addSubcommand(cli, command, factory);
      }
    }
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    // "-d @FILE" is ours: picocli must not read @FILE as a file of arguments.
    cli.setExpandAtFiles(false);
    // A profile may be called "sandbox" or "shell": --profile takes the next word, whatever it is.
    cli.setAllowSubcommandsAsOptionParameters(true);
    RootHelp.ENVIRONMENT.addTo(cli.getCommandSpec().usageMessage());
    RootHelp.FILES.addTo(cli.getCommandSpec().usageMessage());
    return cli;
  }

  /**
   * Whether the command line is {@code --version} (or {@code -V}) alone, which the root's model
   * answers without the models of the commands, which each take start-up time to build.
   */
  static boolean asksVersionOnly(String[] args) {
    return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
  }

  /**
   * The subcommand a command line names: its first word that is not an option or a global option's
   * value. Null when it names none, asks for the root's help or version first, or names one that
   * does not exist (then picocli, with every command known, says so).
   */
  static Class<?> commandNamedBy(String[] args) {
    CommandWord word = CommandWord.in(args);
    return word.at() < 0 || word.afterRootHelp() ? null : EdlinkIdem.COMMANDS.get(args[word.at()]);
  }

  /** The first word of a command line that is where a command goes but names none; else null. */
  static String unknownCommandIn(String[] args) {
    int at = CommandWord.in(args).at();
    return at < 0 || EdlinkIdem.COMMANDS.containsKey(args[at]) ? null : args[at];
  }

  /**
   * Where the command word of a command line is: after the root's options and their values; {@code
   * at} is -1 when there is none, or when an option the root does not have, or "--", comes first
   * (then picocli says what is wrong). {@code afterRootHelp}: -h, --help, -V or --version came
   * before it.
   */
  private record CommandWord(int at, boolean afterRootHelp) {
    private static final Set<String> WITH_VALUE =
        Set.of("--journal", "--base-url", "--color", "--profile");
    private static final Set<String> ROOT_HELP = Set.of("-h", "--help", "-V", "--version");
    private static final Set<String> FLAGS = Set.of("-q", "--quiet", "-v", "--verbose");

    static CommandWord in(String[] args) {
      boolean help = false;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        if (WITH_VALUE.contains(arg)) {
          i++;
        } else if (ROOT_HELP.contains(arg)) {
          help = true;
        } else if (!arg.startsWith("-")) {
          return new CommandWord(i, help);
        } else if (!FLAGS.contains(arg) && !(WITH_VALUE.contains(name) && arg.contains("="))) {
          return new CommandWord(-1, help); // an option picocli will refuse, or "--"
        }
      }
      return new CommandWord(-1, help);
    }
  }

  /**
   * What was wrong with the command line: for a word that names no command or option, which one it
   * most likely meant.
   */
  static String refusal(ParameterException e) {
    if (!(e instanceof UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
      return e.getMessage();
    }
    CommandSpec spec = e.getCommandLine().getCommandSpec();
    String word = u.getUnmatched().get(0);
    if (u.isUnknownOption()) {
      String name = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
      List<String> names = new ArrayList<>();
      spec.options().stream()
          .filter(o -> !o.hidden())
          .forEach(o -> names.addAll(List.of(o.names())));
      return "unknown option '" + name + "'" + Typos.didYouMean(name, names);
    }
    if (!spec.subcommands().isEmpty() && spec.positionalParameters().isEmpty()) {
      return Typos.unknownCommand(word, visibleSubcommands(e.getCommandLine()));
    }
    return e.getMessage();
  }

  /** The names of a command's subcommands that its help lists (hidden ones left out). */
  public static List<String> visibleSubcommands(CommandLine command) {
    return command.getSubcommands().entrySet().stream()
        .filter(sub -> !sub.getValue().getCommandSpec().usageMessage().hidden())
        .map(Map.Entry::getKey)
        .toList();
  }

  private static int report(EdlinkIdem root, PrintWriter err, Exception e) {
    if (e instanceof CliException ce && ce.exitCode() != ExitCode.INTERRUPTED && interruption(ce)) {
      // Ctrl-C in the shell interrupts the command's thread, which closes any file it was
      // writing: what failed is the interruption's doing, and the journal's writes are all or
      // nothing.
      err.println("edlink-idem: interrupted: " + oneLine(ce.getMessage()));
      return ExitCode.INTERRUPTED;
    }
    if (e instanceof CliException ce && ce.getMessage() == null) {
      return ce.exitCode();
    }
    if (e instanceof CliException ce) {
      if (root.style().verbose() && ce.getCause() != null) {
        ce.getCause().printStackTrace(err);
      }
      err.println("edlink-idem: " + oneLine(ce.getMessage()));
      return ce.exitCode();
    }
    if (e instanceof CommandLine.TypeConversionException
        || e instanceof InvalidRequestException
        || e instanceof SettingsException
        || e instanceof PostgresSettingException
        || e instanceof KeyResolver.Unresolved) {
      err.println("edlink-idem: " + oneLine(e.getMessage()));
      return ExitCode.USAGE;
    }
    if (root.style().verbose()) {
      e.printStackTrace(err);
    }
    err.println(
        "edlink-idem: internal error: "
            + oneLine(String.valueOf(e))
            + (root.style().verbose() ? "" : " (run with --verbose for details)"));
    return ExitCode.INTERNAL;
  }

  private static boolean interruption(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ClosedByInterruptException
          || t instanceof FileLockInterruptionException
          || t instanceof InterruptedIOException
          || t instanceof InterruptedException) {
        return true;
      }
    }
    return false;
  }

  static String oneLine(String message) {
    return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  private static IFactory factory(Invocation invocation) {
    IFactory fallback = CommandLine.defaultFactory();
    return new IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        try {
          return type.getDeclaredConstructor(Invocation.class).newInstance(invocation);
        } catch (NoSuchMethodException e) {
          return fallback.create(type);
        }
      }
    };
  }
}
