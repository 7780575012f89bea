package dev.edlinkidem.cli;

import dev.edlinkidem.verdict.ExitCode;

/** A failure with a one-line message for stderr and the exit code it maps to. */
public class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  /** A failure whose message is already on stderr: it ends the command with no more said. */
  public static CliException alreadyReported(int exitCode) {
    return new CliException(exitCode, null);
  }

  public static CliException usage(String message) {
    return new CliException(ExitCode.USAGE, message);
  }
}
