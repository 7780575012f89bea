package dev.edlinkidem.cli.option;

import picocli.CommandLine.Option;

/** {@code --format text|json} for the commands that report on the journal. */
public final class ReportFormat {
  /** Words for a person, or JSON with the stable fields of docs/output-formats.md. */
  public enum Format {
    TEXT,
    JSON
  }

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "text (the default) or json: the stable fields of docs/output-formats.md, indented on a"
              + " terminal and one line otherwise.")
  Format format;

  public boolean json() {
    return format == Format.JSON;
  }
}
