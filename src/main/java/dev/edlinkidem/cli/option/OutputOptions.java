package dev.edlinkidem.cli.option;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** How a response is shown: body as is or pretty, headers or not, or one JSON object instead. */
public final class OutputOptions {
  /** What goes to stdout. */
  public enum Format {
    BODY,
    JSON
  }

  @Option(
      names = {"-i", "--include"},
      description =
          "Print the status line and headers before the body (with --format json: a headers"
              + " member).")
  boolean include;

  @ArgGroup(exclusive = true)
  Layout layout = new Layout();

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "body",
      description =
          "body (the response body, the default) or json (one object: key, state, status, attempts,"
              + " expires_at, from_journal, response).")
  Format format;

  /** --pretty and --raw exclude each other. */
  static final class Layout {
    @Option(
        names = "--pretty",
        description =
            "Indent a JSON body, or --format json's object, even when stdout is not a terminal.")
    boolean pretty;

    @Option(names = "--raw", description = "Print the body byte for byte even on a terminal.")
    boolean raw;
  }

  public Format format() {
    return format;
  }

  /** -i: the status line and headers before the body. */
  public boolean include() {
    return include;
  }

  public boolean pretty(boolean stdoutIsTerminal) {
    return layout.pretty || (stdoutIsTerminal && !layout.raw);
  }
}
