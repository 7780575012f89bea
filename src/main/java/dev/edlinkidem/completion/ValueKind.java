package dev.edlinkidem.completion;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.ArgSpec;

/**
 * What an option or parameter takes as its value, read from the command model, so that the
 * interactive shell and the generated completion scripts offer the same candidates.
 */
public enum ValueKind {
  /** A flag: no value. */
  NONE,
  /** Free text nobody can guess (a path prefix, a count, a host). */
  TEXT,
  /** A journal key: the shell and the scripts ask the journal. */
  KEY,
  /** A file name. */
  FILE,
  /** A directory name. */
  DIRECTORY,
  /** A file or a directory (journal merge SOURCE). */
  FILE_OR_DIRECTORY,
  /**
   * A request body: inline JSON, {@code @FILE} or {@code @-}; file names complete after {@code @}.
   */
  BODY,
  /** One of a fixed list: see {@link #choices(ArgSpec)}. */
  CHOICE,
  /** A duration such as 90s, 15m, 72h or 7d: see {@link #DURATION_EXAMPLES}. */
  DURATION,
  /** A profile name from the configuration file. */
  PROFILE;

  /** The durations offered for a DURATION value; any other duration is accepted too. */
  public static final List<String> DURATION_EXAMPLES =
      List.of("30s", "2m", "10m", "1h", "24h", "72h", "7d");

  /** The kind of value {@code arg} takes. */
  public static ValueKind of(ArgSpec arg) {
    if (arg.arity().max() == 0) {
      return NONE;
    }
    if (!choices(arg).isEmpty()) {
      return CHOICE;
    }
    String label = arg.paramLabel();
    Class<?> type = arg.typeInfo().getType();
    if (type == Duration.class) {
      return DURATION;
    }
    switch (label) {
      case "KEY":
        // "post --key KEY" names a new key; only a positional KEY refers to the journal.
        return arg.isPositional() ? KEY : TEXT;
      case "FILE":
        return FILE;
      case "DIR":
        return DIRECTORY;
      case "SOURCE":
        return FILE_OR_DIRECTORY;
      case "JSON|@FILE|@-":
        return BODY;
      default:
        break;
    }
    if (arg.isOption()
        && List.of(((picocli.CommandLine.Model.OptionSpec) arg).names()).contains("--profile")) {
      return PROFILE;
    }
    return type == Path.class ? FILE : TEXT;
  }

  /**
   * The values {@code arg} accepts when they are a fixed list (enums), lower-cased as people type
   * them.
   */
  public static List<String> choices(ArgSpec arg) {
    Iterable<String> candidates = arg.completionCandidates();
    List<String> choices = new ArrayList<>();
    if (candidates != null && arg.arity().max() > 0) {
      for (String candidate : candidates) {
        choices.add(candidate.toLowerCase(Locale.ROOT));
      }
    }
    return choices;
  }
}
