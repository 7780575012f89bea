package dev.edlinkidem.cli;

import dev.edlinkidem.cli.command.BatchCommand;
import dev.edlinkidem.cli.command.CompletionCommand;
import dev.edlinkidem.cli.command.ConfigCommand;
import dev.edlinkidem.cli.command.ExpiringCommand;
import dev.edlinkidem.cli.command.JournalCommand;
import dev.edlinkidem.cli.command.KeygenCommand;
import dev.edlinkidem.cli.command.ListCommand;
import dev.edlinkidem.cli.command.PostCommand;
import dev.edlinkidem.cli.command.PruneCommand;
import dev.edlinkidem.cli.command.ReconcileCommand;
import dev.edlinkidem.cli.command.ReplayCommand;
import dev.edlinkidem.cli.command.SandboxCommand;
import dev.edlinkidem.cli.command.ShellCommand;
import dev.edlinkidem.cli.command.ShowCommand;
import dev.edlinkidem.cli.render.Style;
import dev.edlinkidem.config.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top-level command: global options shared by every subcommand, and the subcommand list. */
@Command(
    name = "edlink-idem",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description =
        "Makes POSTs to the Edlink API safe to retry: every request carries an idempotency key and"
            + " is written to a local journal before it is sent, so an answer lost on the way can"
            + " be replayed without creating a duplicate.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem post /api/v2/graph/classes/$CLASS/assignments -d @assignment.json",
      "  edlink-idem replay --all-pending --yes",
      "  edlink-idem expiring --fail-if-pending",
      "  edlink-idem <command> --help      (each command's options, examples and exit codes)"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "  0:success (2xx, sent now or read from the journal)",
      "  1:internal error, or the journal could not be written (nothing was sent)",
      "  2:usage or bad input (nothing journaled, nothing sent)",
      "  3:refused for safety: key reused for another request, window ended, key in flight",
      "  4:Edlink answered with a final 4xx (journaled as failed; 401/403 stay pending)",
      "  5:Edlink answered 5xx (or 408/409/425/429, or a redirect) until retries ran out (pending)",
      "  6:no response until the retries ran out (pending: replay it)",
      "  7:expiring --fail-if-pending found pending entries inside their window",
      "130:interrupted; the entry stays pending"
    })
public final class EdlinkIdem implements Runnable {
  /**
   * The subcommands, in the order help lists them. {@link Main} registers only the one a command
   * line names when it names one: picocli builds each command's model at start-up, by reflection.
   */
  static final List<Class<?>> COMMANDS =
      List.of(
          PostCommand.class,
          BatchCommand.class,
          ReplayCommand.class,
          ListCommand.class,
          ShowCommand.class,
          ExpiringCommand.class,
          PruneCommand.class,
          KeygenCommand.class,
          ReconcileCommand.class,
          JournalCommand.class,
          ConfigCommand.class,
          ShellCommand.class,
          CompletionCommand.class,
          SandboxCommand.class);

  /** When colour is used on stderr and stdout. */
  public enum ColorMode {
    AUTO,
    ALWAYS,
    NEVER
  }

  private final Invocation invocation;
  private Settings settings;

  @Option(
      names = "--journal",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description =
          "Journal directory (env EDLINK_IDEM_JOURNAL; default $XDG_STATE_HOME/edlink-idem or"
              + " ~/.local/state/edlink-idem).")
  private Path journal;

  @Option(
      names = "--base-url",
      paramLabel = "URL",
      scope = ScopeType.INHERIT,
      description = "Edlink base URL (env EDLINK_BASE_URL; default https://ed.link).")
  private String baseUrl;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description =
          "Settings profile from the configuration file (env EDLINK_IDEM_PROFILE; default:"
              + " default).")
  private String profile;

  @Option(
      names = "--color",
      paramLabel = "WHEN",
      scope = ScopeType.INHERIT,
      description =
          "auto, always or never (NO_COLOR set means never; default auto: only on a terminal).")
  private ColorMode color;

  @Option(
      names = {"-q", "--quiet"},
      scope = ScopeType.INHERIT,
      description = "Say nothing on stderr when all went well.")
  private boolean quiet;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Say more on stderr: each attempt, and stack traces of internal errors.")
  private boolean verbose;

  public EdlinkIdem(Invocation invocation) {
    this.invocation = invocation;
  }

  @Override
  public void run() {
    throw CliException.usage("a command is needed (see 'edlink-idem --help')");
  }

  public Invocation invocation() {
    return invocation;
  }

  /** The settings this command line and the environment give, by their precedence. */
  public Settings settings() {
    if (settings == null) {
      Settings.Flags flags =
          new Settings.Flags(journal == null ? null : journal.toString(), baseUrl, profile);
      settings =
          new Settings(
              flags,
              invocation.environment(),
              warning -> {
                if (!style().quiet()) {
                  invocation.err().println("edlink-idem: warning: " + warning);
                }
              });
    }
    return settings;
  }

  /** How much to say on stderr, and whether in colour. */
  public Style style() {
    boolean noColor = invocation.env("NO_COLOR") != null || "dumb".equals(invocation.env("TERM"));
    return new Style(quiet && !verbose, verbose, color != null ? color : ColorMode.AUTO, noColor);
  }

  /**
   * The global options this command line was given, as arguments: the shell passes them on to every
   * command typed in it that does not give its own.
   */
  public List<String> globalArgs() {
    List<String> args = new ArrayList<>();
    if (journal != null) {
      args.addAll(List.of("--journal", journal.toString()));
    }
    if (baseUrl != null) {
      args.addAll(List.of("--base-url", baseUrl));
    }
    if (profile != null) {
      args.addAll(List.of("--profile", profile));
    }
    if (color != null) {
      args.addAll(List.of("--color", color.name().toLowerCase(Locale.ROOT)));
    }
    if (quiet) {
      args.add("--quiet");
    }
    if (verbose) {
      args.add("--verbose");
    }
    return args;
  }
}
