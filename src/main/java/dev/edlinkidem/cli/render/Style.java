package dev.edlinkidem.cli.render;

import dev.edlinkidem.journal.EntryState;

/**
 * How much a command says on stderr and whether it uses colour: from -q, -v and --color, and from
 * NO_COLOR and TERM=dumb in the environment.
 *
 * @param quiet nothing on stderr when all went well (-q without -v)
 * @param verbose each attempt, and stack traces of internal errors
 */
public record Style(boolean quiet, boolean verbose, ColorMode color, boolean noColor) {
  /** When colour is used on stderr and stdout. */
  public enum ColorMode {
    AUTO,
    ALWAYS,
    NEVER
  }

  /** Ends a colour. */
  public static final String RESET = "\u001b[0m";

  /** The colour of a state wherever it is shown: yellow pending, green succeeded, red failed. */
  public static String colour(EntryState state) {
    return switch (state) {
      case PENDING -> "\u001b[33m";
      case SUCCEEDED -> "\u001b[32m";
      case FAILED -> "\u001b[31m";
    };
  }

  /** Whether to colour output on a stream attached (or not) to a terminal. */
  public boolean colorFor(boolean streamIsTerminal) {
    return switch (color) {
      case ALWAYS -> true;
      case NEVER -> false;
      case AUTO -> !noColor && streamIsTerminal;
    };
  }
}
