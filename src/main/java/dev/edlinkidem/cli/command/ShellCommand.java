package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.Invocation;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code shell}: an interactive session in which every command runs without the tool's name. */
@Command(
    name = "shell",
    mixinStandardHelpOptions = true,
    description = {
      "Start an interactive session: every command of the tool, typed without 'edlink-idem'.",
      "Tab completes commands, options, their values, file names after @, and journal keys (pending"
          + " ones first). History is kept in $XDG_STATE_HOME/edlink-idem/history. Ctrl-C clears"
          + " the line, or interrupts the running request (its entry stays pending; replay it"
          + " later). Ctrl-D or 'exit' leaves.",
      "The prompt shows the profile and how many keys are pending. Global options given to 'shell'"
          + " (--journal, --profile, --base-url, --color, -q, -v) apply to every command typed in"
          + " it unless the command gives its own.",
      "The shell needs a terminal: in scripts and CI, run the commands themselves."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem shell",
      "  edlink-idem --profile staging shell",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the session ended (Ctrl-D or exit)",
      "1:the terminal could not be opened",
      "2:stdin or stdout is not a terminal, or a bad global option or profile"
    })
public final class ShellCommand implements Callable<Integer> {
  @ParentCommand private EdlinkIdem root;

  @Override
  public Integer call() {
    Invocation invocation = root.invocation();
    if (!invocation.terminal().stdin() || !invocation.terminal().stdout()) {
      throw CliException.usage(
          "the shell needs a terminal on stdin and stdout; in scripts, run the commands "
              + "themselves (edlink-idem list, edlink-idem replay ...)");
    }
    root.settings().profile(); // a missing profile is a usage error now, not at every prompt
    // JLine stays out of this class: picocli reflects on every command's methods at each start.
    return ShellSession.onSystemTerminal(root);
  }
}
