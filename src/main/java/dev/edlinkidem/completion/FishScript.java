package dev.edlinkidem.completion;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes the fish completion script: {@code complete} lines per command, guarded by the command
 * path.
 */
final class FishScript {
  private FishScript() {}

  private static final String HEADER =
      """
      # fish completion for edlink-idem. Install:
      #   edlink-idem completion fish > ~/.config/fish/completions/edlink-idem.fish

      # Prints the (sub)commands on the line before the cursor, such as "journal merge"; with
      # --words, how many positional words follow them instead.
      function __edlink_idem_path
          set -l tokens (commandline -opc)
          set -e tokens[1]
          set -l path
          set -l value
          set -l words 0
          for token in $tokens
              if set -q value[1]
                  set -e value
                  continue
              end
              switch $token
                  case '-*=*'
                  case '-*'
                      contains -- $token (__edlink_idem_valued $path); and set value 1
                  case '*'
                      if contains -- $token (__edlink_idem_subcommands $path)
                          set -a path $token
                          set words 0
                      else
                          set words (math $words + 1)
                      end
              end
          end
          if test "$argv[1]" = --words
              echo $words
          else
              echo $path
          end
      end

      # Whether the line before the cursor is at the command of path $argv (none: the root).
      function __edlink_idem_at
          set -l path (__edlink_idem_path)
          test "$path" = "$argv"
      end

      # The journal's keys, from the tool itself ($argv is its list command), with the line's
      # --journal, --base-url and --profile so that they come from the same journal. Anything that
      # goes wrong there (no journal, no java) shows as no keys, never as an error.
      function __edlink_idem_keys
          set -l tokens (string replace -r -- '^~(?=/|$)' $HOME (commandline -opc))
          set -l passed
          for i in (seq 2 (count $tokens))
              switch $tokens[$i]
                  case --journal --base-url --profile
                      set -l next (math $i + 1)
                      set -q tokens[$next]; and set -a passed $tokens[$i] $tokens[$next]
                  case '--journal=*' '--base-url=*' '--profile=*'
                      set -a passed $tokens[$i]
              end
          end
          $tokens[1] $passed $argv </dev/null 2>/dev/null
      end

      # -d takes JSON, @FILE or @- (stdin): after an @, offer @- and file names.
      function __edlink_idem_body
          # fish puts back any "--data=" or "-d" before the value itself
          set -l token (string replace -r -- '^-[^@]*' '' (commandline -ct))
          string match -q -- '@*' $token; or return 0
          printf '%s\\t%s\\n' @- 'standard input'
          for name in (__fish_complete_path (string sub -s 2 -- $token))
              echo @$name
          end
      end

      """;

  static String of(CommandTree root) {
    StringBuilder s = new StringBuilder(ShellKind.GENERATED).append('\n').append(HEADER);
    s.append("# The options of the command at path $argv that take a value.\n");
    s.append("function __edlink_idem_valued\n");
    s.append("    switch \"$argv\"\n");
    for (CommandTree command : root.all()) {
      s.append("        case ").append(quote(pathOf(command))).append('\n');
      s.append("            printf '%s\\n' ")
          .append(
              command.options().stream()
                  .filter(CommandTree.Option::takesValue)
                  .flatMap(o -> o.names().stream())
                  .collect(Collectors.joining(" ")))
          .append('\n');
    }
    s.append("    end\nend\n\n");
    s.append("# The subcommands of the command at path $argv.\n");
    s.append("function __edlink_idem_subcommands\n");
    s.append("    switch \"$argv\"\n");
    for (CommandTree command : root.all()) {
      if (!command.subcommands().isEmpty()) {
        s.append("        case ").append(quote(pathOf(command))).append('\n');
        s.append("            printf '%s\\n' ")
            .append(
                command.subcommands().stream()
                    .map(CommandTree::name)
                    .collect(Collectors.joining(" ")))
            .append('\n');
      }
    }
    s.append("    end\nend\n\n");
    s.append("# Files only where the command model says so.\n");
    s.append("complete -c edlink-idem -f\n");
    for (CommandTree command : root.all()) {
      s.append("\n# ").append(String.join(" ", command.path())).append('\n');
      String at = "-n " + quote(("__edlink_idem_at " + pathOf(command)).strip());
      for (CommandTree sub : command.subcommands()) {
        s.append("complete -c edlink-idem ")
            .append(at)
            .append(" -a ")
            .append(quote(sub.name()))
            .append(" -d ")
            .append(quote(sub.summary()))
            .append('\n');
      }
      for (CommandTree.Option option : command.options()) {
        s.append("complete -c edlink-idem ").append(at);
        for (String name : option.shortNames()) {
          s.append(" -s ").append(name.substring(1));
        }
        for (String name : option.longNames()) {
          s.append(name.startsWith("--") ? " -l " + name.substring(2) : " -o " + name.substring(1));
        }
        if (option.takesValue()) {
          String values = values(option.kind(), option.values(), List.of());
          // -r: it takes a value; -x: one that is not a file name, where fish would offer files by
          // itself.
          s.append(values.equals(" -F") ? " -r" : " -x").append(values);
        }
        s.append(" -d ").append(quote(option.summary())).append('\n');
      }
      // The first positional word, then the others when they are completed differently.
      String pathAt = ("__edlink_idem_at " + pathOf(command)).strip();
      List<Map.Entry<CommandTree.Argument, String>> arguments =
          command.laterAsFirst()
              ? List.of(Map.entry(command.argument(), at))
              : List.of(
                  Map.entry(
                      command.argument(),
                      "-n " + quote(pathAt + "; and test (__edlink_idem_path --words) -eq 0")),
                  Map.entry(
                      command.later(),
                      "-n " + quote(pathAt + "; and test (__edlink_idem_path --words) -gt 0")));
      for (Map.Entry<CommandTree.Argument, String> word : arguments) {
        argument(s, word.getKey(), word.getValue());
      }
    }
    return s.toString();
  }

  /** The complete line for a positional word that {@code argument} describes, if it offers any. */
  private static void argument(StringBuilder s, CommandTree.Argument argument, String at) {
    String values = values(argument.kind(), argument.values(), argument.listKeys());
    if (!values.isEmpty()) {
      s.append("complete -c edlink-idem ")
          .append(at)
          .append(values)
          .append(" -d ")
          .append(
              quote(
                  argument.kind() == ValueKind.KEY && argument.listKeys().contains("pending")
                      ? "pending key"
                      : argument.label().toLowerCase(Locale.ROOT)))
          .append('\n');
    }
  }

  /** The arguments of a {@code complete} line that offer values of {@code kind}; empty for none. */
  private static String values(ValueKind kind, List<String> values, List<String> listKeys) {
    return switch (kind) {
      case CHOICE, DURATION -> " -a " + quote(String.join(" ", values));
      case FILE, FILE_OR_DIRECTORY -> " -F";
      case DIRECTORY -> " -a '(__fish_complete_directories)'";
      case BODY -> " -a '(__edlink_idem_body)'";
      // Those that start with the token under the cursor: list --completing is quick at any size.
      case KEY ->
          " -a "
              + quote(
                  "(__edlink_idem_keys "
                      + String.join(" ", listKeys)
                      + " \"--completing=\"(commandline -ct))");
      case PROFILE -> " -a " + quote("(__edlink_idem_keys " + String.join(" ", values) + ")");
      case NONE, TEXT -> "";
    };
  }

  private static String pathOf(CommandTree command) {
    return String.join(" ", command.path().subList(1, command.path().size()));
  }

  private static String quote(String word) {
    return "'" + word.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
