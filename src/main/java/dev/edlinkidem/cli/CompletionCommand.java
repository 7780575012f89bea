package dev.edlinkidem.cli;

import dev.edlinkidem.completion.Shell;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code completion}: print the completion script for a shell, generated from this command model. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = "Print the completion script for bash, zsh or fish. It completes commands, options and their "
        + "values; after replay, reconcile and show it offers the journal's keys by running "
        + "'edlink-idem list --format keys' (pending keys only for replay and reconcile), with the "
        + "--journal, --base-url and --profile already on the line.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  source <(edlink-idem completion bash)                  (bash: in ~/.bashrc)",
      "  mkdir -p ~/.zfunc && edlink-idem completion zsh > ~/.zfunc/_edlink-idem",
      "                  (zsh; in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath))",
      "  edlink-idem completion fish > ~/.config/fish/completions/edlink-idem.fish",
      "",
      "Exit codes: 0 printed · 2 unknown shell"
    })
final class CompletionCommand implements Callable<Integer> {
  @ParentCommand
  private EdlinkIdem root;

  @Spec
  private CommandSpec spec;

  @Parameters(paramLabel = "SHELL", description = "bash, zsh or fish.")
  private Shell shell;

  @Override
  public Integer call() {
    PrintWriter out = root.invocation().out();
    out.print(shell.script(spec.root().commandLine()));
    out.flush();
    return ExitCode.OK;
  }
}
