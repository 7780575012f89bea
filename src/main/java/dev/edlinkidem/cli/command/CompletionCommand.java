package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.Main;
import dev.edlinkidem.completion.ShellKind;
import dev.edlinkidem.verdict.ExitCode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code completion}: print the completion script for a shell, generated from this command model.
 */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print the completion script for bash, zsh or fish. It completes commands, options and their"
          + " values; after replay, reconcile and show it offers the journal's keys that start with"
          + " what is typed (pending keys only for replay and reconcile), by running 'edlink-idem"
          + " list' with the --journal, --base-url and --profile already on the line. It reads"
          + " the journal's summary cache alone, so that Tab is quick on a large journal.",
      "bash (with bash-completion): put the first example in ~/.bashrc. zsh: write the script to a "
          + "directory on $fpath, such as ~/.zfunc with fpath=(~/.zfunc $fpath) before compinit in "
          + "~/.zshrc. fish: write it to ~/.config/fish/completions/."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  source <(edlink-idem completion bash)",
      "  mkdir -p ~/.zfunc && edlink-idem completion zsh > ~/.zfunc/_edlink-idem",
      "  edlink-idem completion fish > ~/.config/fish/completions/edlink-idem.fish"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:printed", "2:no shell, or not one of bash, zsh and fish"})
public final class CompletionCommand implements Callable<Integer> {
  @ParentCommand private EdlinkIdem root;

  @Parameters(paramLabel = "SHELL", description = "bash, zsh or fish.")
  private ShellKind shell;

  @Override
  public Integer call() {
    PrintWriter out = root.invocation().out();
    // The whole model: this command line registered only the completion command itself.
    out.print(shell.script(Main.commandLine(null)));
    out.flush();
    return ExitCode.OK;
  }
}
