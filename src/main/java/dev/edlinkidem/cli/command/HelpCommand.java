package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.Main;
import dev.edlinkidem.cli.Typos;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code help [COMMAND...]}: a command's help, as {@code COMMAND --help} prints it. */
@Command(
    name = "help",
    mixinStandardHelpOptions = true,
    description =
        "Show the help of a command: its options, examples and exit codes; without one, the"
            + " tool's.",
    footerHeading = "%nExamples:%n",
    footer = {"  edlink-idem help post", "  edlink-idem help journal merge"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:help printed", "2:no such command"})
public final class HelpCommand implements Callable<Integer> {
  @ParentCommand private EdlinkIdem root;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "COMMAND",
      completionCandidates = CommandNames.class,
      description = "The command whose help to show.")
  private String name;

  @Parameters(
      index = "1..*",
      arity = "0..*",
      paramLabel = "SUBCOMMAND",
      description = "Its subcommand, for one that has them (journal merge).")
  private List<String> subcommands = new ArrayList<>();

  @Override
  public Integer call() {
    List<String> command = new ArrayList<>();
    if (name != null) {
      command.add(name);
    }
    command.addAll(subcommands);
    CommandLine at = Main.commandLine(null);
    for (String word : command) {
      CommandLine sub = at.getSubcommands().get(word);
      if (sub == null) {
        String parent = at.getCommandSpec().qualifiedName();
        throw CliException.usage(
            Typos.unknownCommand(word, Main.visibleSubcommands(at))
                + " (see '"
                + parent
                + " --help')");
      }
      at = sub;
    }
    List<String> args = new ArrayList<>(root.globalArgs());
    args.addAll(command);
    args.add("--help");
    return Main.run(root.invocation(), args.toArray(String[]::new));
  }

  /** What Tab offers after help: the tool's commands, as the model has them. */
  public static final class CommandNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Main.visibleSubcommands(Main.commandLine(null)).iterator();
    }
  }
}
