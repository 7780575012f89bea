package dev.edlinkidem.cli;

import dev.edlinkidem.cli.command.BatchCommand;
import dev.edlinkidem.cli.command.CompletionCommand;
import dev.edlinkidem.cli.command.ConfigCommand;
import dev.edlinkidem.cli.command.ExpiringCommand;
import dev.edlinkidem.cli.command.HelpCommand;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
      "  edlink-idem help <command>        (each command's options, examples and exit codes)"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "  0:success (2xx, sent now or read from the journal)",
      "  1:internal error, or the journal could not be written (nothing was sent)",
      "  2:usage or bad input (nothing journaled, nothing sent)",
      "  3:refused for safety: key reused for another request, window ended, key in flight",
      "  4:Edlink refused the request (journaled as failed), or the token (stays pending)",
      "  5:Edlink failed (INTERNAL, UNKNOWN, 5xx, 429...) or redirected, to the end (pending)",
      "  6:no response until the retries ran out (pending: replay it)",
      "  7:expiring --fail-if-pending found pending entries inside their window",
      "130:interrupted; a journaled entry stays pending"
    })
public final class EdlinkIdem implements Runnable, CommandContext {
  /**
   * The subcommands by name, in the order help lists them. {@link Main} registers only the one a
   * command line names when it names one: each command's model is built at start-up. The names are
   * those of the commands' annotations (CommandNamedByTest checks), so that finding the command
   * reads no annotation.
   */
  static final Map<String, Class<?>> COMMANDS;

  static {
    Map<String, Class<?>> commands = new LinkedHashMap<>();
    commands.put("post", PostCommand.class);
    commands.put("batch", BatchCommand.class);
    commands.put("replay", ReplayCommand.class);
    commands.put("list", ListCommand.class);
    commands.put("show", ShowCommand.class);
    commands.put("expiring", ExpiringCommand.class);
    commands.put("prune", PruneCommand.class);
    commands.put("keygen", KeygenCommand.class);
    commands.put("reconcile", ReconcileCommand.class);
    commands.put("journal", JournalCommand.class);
    commands.put("config", ConfigCommand.class);
    commands.put("shell", ShellCommand.class);
    commands.put("completion", CompletionCommand.class);
    commands.put("sandbox", SandboxCommand.class);
    commands.put("help", HelpCommand.class);
    COMMANDS = Collections.unmodifiableMap(commands);
  }

  private final Invocation invocation;

  @Mixin private GlobalOptions globals = new GlobalOptions();

  public EdlinkIdem(Invocation invocation) {
    this.invocation = invocation;
  }

  @Override
  public void run() {
    throw CliException.usage("a command is needed (see 'edlink-idem --help')");
  }

  @Override
  public Invocation invocation() {
    return invocation;
  }

  @Override
  public Settings settings() {
    return globals.settings(invocation);
  }

  @Override
  public Style style() {
    return globals.style(invocation);
  }

  /**
   * The global options this command line was given, as arguments: the shell passes them on to every
   * command typed in it that does not give its own.
   */
  public List<String> globalArgs() {
    return globals.asArgs();
  }
}
