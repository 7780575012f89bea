package dev.edlinkidem.shell;

import dev.edlinkidem.completion.CommandTree;
import dev.edlinkidem.completion.ValueKind;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Tab completion in the shell, read from the same command model the commands parse with: commands,
 * their options, option values by kind, file names (also after {@code @}) and the journal's keys,
 * pending ones first.
 */
public final class CommandCompleter implements Completer {
  /**
   * The journal's keys that start with {@code prefix}, given the global options typed on the line
   * (a --journal of its own), pending first.
   */
  public interface KeyLookup {
    List<KeyChoice> keys(List<String> globalArgs, String prefix);
  }

  /** A key offered for completion, with what the menu says of it. */
  public record KeyChoice(String key, boolean pending, String description) {}

  private final CommandSpec root;
  private final KeyLookup keys;
  private final Supplier<Collection<String>> profiles;
  private final Map<String, String> builtins;
  private final Path workingDir;
  private final UnaryOperator<String> expandHome;

  /**
   * @param expandHome turns a leading {@code ~} into the home directory, as the commands do
   */
  public CommandCompleter(
      CommandSpec root,
      KeyLookup keys,
      Supplier<Collection<String>> profiles,
      Map<String, String> builtins,
      Path workingDir,
      UnaryOperator<String> expandHome) {
    this.expandHome = expandHome;
    this.root = root;
    this.keys = keys;
    this.profiles = profiles;
    this.builtins = builtins;
    this.workingDir = workingDir;
  }

  @Override
  public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
    String word = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
    candidates.addAll(candidates(line.words().subList(0, line.wordIndex()), word));
  }

  /** The candidates for {@code word}, the word under the cursor, after the words before it. */
  List<Candidate> candidates(List<String> before, String word) {
    Context at = walk(before);
    if (at.awaitingValue != null) {
      return values(at, at.awaitingValue, word, "");
    }
    if (word.startsWith("-") && !at.afterDoubleDash) {
      int equals = word.indexOf('=');
      if (equals > 0) {
        OptionSpec option = at.command.findOption(word.substring(0, equals));
        return option == null || option.arity().max() == 0
            ? List.of()
            : values(at, option, word.substring(equals + 1), word.substring(0, equals + 1));
      }
      if (!word.startsWith("--") && word.length() > 2) {
        // A short option with its value attached: -d@body.json.
        OptionSpec option = at.command.findOption(word.substring(0, 2));
        if (option != null && option.arity().max() > 0) {
          return values(at, option, word.substring(2), word.substring(0, 2));
        }
      }
      return options(at);
    }
    List<Candidate> out = new ArrayList<>();
    if (at.positionals == 0) {
      at.command
          .subcommands()
          .forEach(
              (name, sub) -> {
                // The shell is where this completes: "shell" there only says so.
                boolean theShell = at.command == root && name.equals("shell");
                if (!sub.getCommandSpec().usageMessage().hidden() && !theShell) {
                  out.add(
                      new Candidate(
                          name,
                          name,
                          "commands",
                          firstLine(sub.getCommandSpec().usageMessage().description()),
                          null,
                          null,
                          true));
                }
              });
      if (at.command == root) {
        builtins.forEach(
            (name, what) -> out.add(new Candidate(name, name, "commands", what, null, null, true)));
      }
    }
    PositionalParamSpec positional = positionalAt(at.command, at.positionals);
    if (positional != null) {
      out.addAll(values(at, positional, word, ""));
    }
    return out;
  }

  /** Where the words before the cursor leave the line: which command, and what comes next. */
  private static final class Context {
    CommandSpec command;
    int positionals;
    OptionSpec awaitingValue;
    boolean afterDoubleDash;
    final List<String> globalArgs = new ArrayList<>();
    final List<OptionSpec> given = new ArrayList<>();
  }

  private Context walk(List<String> before) {
    Context at = new Context();
    at.command = root;
    int start = !before.isEmpty() && before.get(0).equals(root.name()) ? 1 : 0;
    for (String w : before.subList(start, before.size())) {
      if (at.awaitingValue != null) {
        if (at.awaitingValue.inherited() || at.command == root) {
          at.globalArgs.addAll(List.of(at.awaitingValue.longestName(), w));
        }
        at.awaitingValue = null;
      } else if (w.equals("--") && !at.afterDoubleDash) {
        at.afterDoubleDash = true;
      } else if (w.startsWith("-") && w.length() > 1 && !at.afterDoubleDash) {
        int equals = w.indexOf('=');
        OptionSpec option = at.command.findOption(equals > 0 ? w.substring(0, equals) : w);
        if (option != null) {
          at.given.add(option);
          if (option.arity().max() > 0 && equals < 0) {
            at.awaitingValue = option;
          } else if (option.inherited() || at.command == root) {
            at.globalArgs.add(w);
          }
        }
      } else if (at.positionals == 0 && at.command.subcommands().containsKey(w)) {
        at.command = at.command.subcommands().get(w).getCommandSpec();
      } else {
        at.positionals++;
      }
    }
    return at;
  }

  private List<Candidate> options(Context at) {
    List<Candidate> out = new ArrayList<>();
    for (OptionSpec option : at.command.options()) {
      boolean repeatable = option.isMultiValue();
      if (option.hidden() || (at.given.contains(option) && !repeatable)) {
        continue;
      }
      String description = firstLine(option.description());
      for (String name : option.names()) {
        out.add(
            new Candidate(name, name, "options", description, null, option.longestName(), true));
      }
    }
    return out;
  }

  private List<Candidate> values(Context at, ArgSpec arg, String word, String prefix) {
    List<Candidate> out = new ArrayList<>();
    switch (ValueKind.of(arg)) {
      case CHOICE -> ValueKind.choices(arg).forEach(c -> out.add(plain(prefix + c)));
      case DURATION -> ValueKind.DURATION_EXAMPLES.forEach(d -> out.add(plain(prefix + d)));
      case PROFILE -> profiles.get().forEach(p -> out.add(plain(prefix + p)));
      case KEY -> {
        // One list in the lookup's order (pending first): JLine would sort named groups by name.
        int order = 0;
        boolean pendingOnly = CommandTree.completesPendingKeysOnly(at.command.name());
        for (KeyChoice key : keys.keys(at.globalArgs, word)) {
          if (pendingOnly && !key.pending()) {
            continue; // as the completion scripts do: replay acts on pending entries only
          }
          out.add(
              new Candidate(
                  prefix + key.key(),
                  key.key(),
                  null,
                  key.description(),
                  null,
                  null,
                  true,
                  order++));
        }
      }
      case FILE, FILE_OR_DIRECTORY -> out.addAll(files(word, prefix, false));
      case DIRECTORY -> out.addAll(files(word, prefix, true));
      case BODY -> {
        if (word.startsWith("@")) {
          out.addAll(files(word.substring(1), prefix + "@", false));
        } else if (word.isEmpty()) {
          out.add(
              new Candidate(
                  prefix + "@", "@FILE", null, "the body from a file", null, null, false));
          out.add(
              new Candidate(prefix + "@-", "@-", null, "the body from stdin", null, null, true));
        }
      }
      default -> {
        // Free text (a count, a path prefix, a host): nothing sensible to offer.
      }
    }
    return out;
  }

  /** File names beside what is typed so far; directories end in '/' and are not complete words. */
  private List<Candidate> files(String typed, String prefix, boolean directoriesOnly) {
    int slash = typed.lastIndexOf('/');
    String dirPart = typed.substring(0, slash + 1);
    String namePart = typed.substring(slash + 1);
    Path dir = dirPart.isEmpty() ? workingDir : workingDir.resolve(expandHome.apply(dirPart));
    List<Candidate> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.startsWith(namePart) || (name.startsWith(".") && !namePart.startsWith("."))) {
          continue;
        }
        boolean isDir = Files.isDirectory(entry);
        if (directoriesOnly && !isDir) {
          continue;
        }
        String shown = name + (isDir ? "/" : "");
        out.add(new Candidate(prefix + dirPart + shown, shown, null, null, null, null, !isDir));
      }
    } catch (IOException | RuntimeException e) {
      // Not a directory, or not readable: nothing to offer.
    }
    return out;
  }

  private static PositionalParamSpec positionalAt(CommandSpec command, int index) {
    for (PositionalParamSpec p : command.positionalParameters()) {
      if (!p.hidden() && p.index().contains(index)) {
        return p;
      }
    }
    return null;
  }

  private static Candidate plain(String value) {
    return new Candidate(value, value, null, null, null, null, true);
  }

  private static String firstLine(String[] description) {
    if (description.length == 0) {
      return null;
    }
    // Defaults are rendered by --help; here they would show as ${DEFAULT-VALUE}.
    String text = description[0].replaceAll("\\s*\\([^()]*\\$\\{[^}]*}[^()]*\\)", "").strip();
    int stop = text.indexOf(". ");
    return stop > 0 ? text.substring(0, stop) : text;
  }
}
