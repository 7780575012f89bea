package dev.edlinkidem.completion;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * One command of the command model as the completion scripts see it: its subcommands, its options
 * (inherited ones included) and what each value is. Read once from picocli, written out by each
 * shell.
 */
public record CommandTree(
    List<String> path,
    String summary,
    List<Option> options,
    Argument argument,
    Argument later,
    List<CommandTree> subcommands) {

  /**
   * The options that choose the journal, passed on to the {@code list} call so that keys come from
   * the same one.
   */
  public static final List<String> JOURNAL_OPTIONS =
      List.of("--journal", "--base-url", "--profile");

  // replay and reconcile act on pending entries only: finished keys would be noise there.
  private static final Set<String> ON_PENDING_KEYS = Set.of("replay", "reconcile");

  /** Whether the command's key arguments complete to pending keys only. */
  public static boolean completesPendingKeysOnly(String command) {
    return ON_PENDING_KEYS.contains(command);
  }

  /** An option: its names, one-line summary, and the kind of value it takes (NONE for a flag). */
  public record Option(
      List<String> names,
      String summary,
      String label,
      ValueKind kind,
      List<String> values,
      boolean repeatable) {
    public boolean takesValue() {
      return kind != ValueKind.NONE;
    }

    /** Names of one dash and one character, such as {@code -q}. */
    public List<String> shortNames() {
      return names.stream().filter(n -> n.length() == 2 && !n.startsWith("--")).toList();
    }

    /** The other names, such as {@code --quiet}. */
    public List<String> longNames() {
      return names.stream().filter(n -> !(n.length() == 2 && !n.startsWith("--"))).toList();
    }
  }

  /**
   * What a positional argument is ({@link CommandTree#argument} the first word, {@link
   * CommandTree#later} the words after it); {@code listKeys} is the tool's own command that prints
   * the keys to offer when they are journal keys, else empty.
   */
  public record Argument(
      String label,
      ValueKind kind,
      List<String> values,
      boolean repeatable,
      List<String> listKeys) {
    /** A command that takes no positional arguments. */
    static final Argument NONE = new Argument("", ValueKind.NONE, List.of(), false, List.of());

    Argument withRepeatable(boolean repeatable) {
      return new Argument(label, kind, values, repeatable, listKeys);
    }
  }

  /** The tree under the root of {@code model}. */
  public static CommandTree of(CommandLine model) {
    return of(model, List.of(model.getCommandName()));
  }

  private static CommandTree of(CommandLine cli, List<String> path) {
    CommandSpec spec = cli.getCommandSpec();
    if (spec.aliases().length > 0) {
      throw new IllegalStateException(
          "'"
              + String.join(" ", path)
              + "' has aliases, which the completion "
              + "scripts do not offer yet: teach CommandTree about them");
    }
    List<Option> options = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (!o.hidden()) {
        ValueKind kind = ValueKind.of(o);
        options.add(
            new Option(
                List.of(o.names()),
                summary(o.description()),
                o.paramLabel(),
                kind,
                values(o, kind),
                o.isMultiValue()));
      }
    }
    List<CommandTree> subcommands = new ArrayList<>();
    // Aliases would appear here as keys of their own; distinct specs are the commands.
    for (CommandLine sub : new LinkedHashSet<>(cli.getSubcommands().values())) {
      if (!sub.getCommandSpec().usageMessage().hidden()) {
        List<String> subPath = new ArrayList<>(path);
        subPath.add(sub.getCommandName());
        subcommands.add(of(sub, List.copyOf(subPath)));
      }
    }
    List<PositionalParamSpec> positionals =
        spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
    Argument first = positionals.isEmpty() ? Argument.NONE : argument(spec, positionals.get(0));
    Argument later = Argument.NONE;
    if (positionals.size() > 1) {
      later = argument(spec, positionals.get(1));
      // The scripts tell the first word from the others, not the second from the third.
      for (PositionalParamSpec p : positionals.subList(1, positionals.size())) {
        if (!argument(spec, p).equals(later)) {
          throw new IllegalStateException(
              "'"
                  + String.join(" ", path)
                  + "' takes positional arguments after the first of different kinds, which the"
                  + " completion scripts do not tell apart yet: teach CommandTree to");
        }
      }
      later = later.withRepeatable(positionals.size() > 2 || last(positionals).arity().max() > 1);
      if (later.equals(first.withRepeatable(true))) {
        first = later;
      }
    } else if (!positionals.isEmpty() && positionals.get(0).arity().max() > 1) {
      later = first;
    }
    return new CommandTree(
        path,
        summary(spec.usageMessage().description()),
        List.copyOf(options),
        first,
        later,
        List.copyOf(subcommands));
  }

  private static PositionalParamSpec last(List<PositionalParamSpec> positionals) {
    return positionals.get(positionals.size() - 1);
  }

  /** Whether the words after the first are completed as the first is. */
  public boolean laterAsFirst() {
    return later.equals(argument);
  }

  private static Argument argument(CommandSpec spec, PositionalParamSpec first) {
    ValueKind kind = ValueKind.of(first);
    boolean repeatable = first.arity().max() > 1;
    List<String> listKeys = List.of();
    if (kind == ValueKind.KEY) {
      listKeys =
          completesPendingKeysOnly(spec.name())
              ? List.of("list", "--format", "keys", "--state", "pending")
              : List.of("list", "--format", "keys");
    }
    return new Argument(first.paramLabel(), kind, values(first, kind), repeatable, listKeys);
  }

  /** The tool's own command that prints the profile names, one a line. */
  public static final List<String> LIST_PROFILES = List.of("config", "list", "--names");

  private static List<String> values(ArgSpec arg, ValueKind kind) {
    return switch (kind) {
      case CHOICE -> ValueKind.choices(arg);
      case DURATION -> ValueKind.DURATION_EXAMPLES;
      case PROFILE -> LIST_PROFILES;
      default -> List.of();
    };
  }

  /**
   * The first sentence of a description without its asides in parentheses, for a one-line menu; a
   * long one keeps only what comes before its colon.
   */
  static String summary(String[] description) {
    String text = String.join(" ", description).replaceAll("\\s+", " ").strip();
    int end = text.indexOf(". ");
    text = end >= 0 ? text.substring(0, end) : text;
    String previous;
    do {
      previous = text;
      text = text.replaceAll("\\s*\\([^()]*\\)", "");
    } while (!text.equals(previous));
    if (text.length() > 60 && text.contains(": ")) {
      text = text.substring(0, text.indexOf(": "));
    }
    text = text.strip();
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }

  /** The name as typed, such as {@code merge}. */
  public String name() {
    return path.get(path.size() - 1);
  }

  /** This command and every command below it, parents first. */
  public List<CommandTree> all() {
    List<CommandTree> all = new ArrayList<>();
    all.add(this);
    subcommands.forEach(s -> all.addAll(s.all()));
    return all;
  }
}
