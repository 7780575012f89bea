package dev.edlinkidem.completion;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes the zsh completion script: one {@code _arguments} function per command, generated from the
 * tree.
 */
final class ZshScript {
  private ZshScript() {}

  // compinit reads the #compdef tag from the first line only, so the "generated" line comes second.
  private static final String HEADER =
      """
      #compdef edlink-idem
      %s
      # zsh completion for edlink-idem. Install: save it as _edlink-idem in a directory on $fpath
      # before compinit runs (e.g. ~/.zfunc, with fpath=(~/.zfunc $fpath) in ~/.zshrc),
      # or load it with:  source <(edlink-idem completion zsh)

      _edlink-idem() {
        # Nested commands shift $words: keep the line before the cursor for the key lookup.
        local -a _edlink_idem_line
        _edlink_idem_line=("${(@)words[1,CURRENT-1]}")
        _edlink-idem_cmd
      }

      # The journal's keys, from the tool itself ("$@" is its list command), with the line's
      # --journal, --base-url and --profile so that they come from the same journal. Anything that
      # goes wrong there (no journal, no java) shows as no keys, never as an error.
      _edlink-idem_keys() {
        local -a keys passed
        local i REPLY tool
        _edlink-idem_value "$_edlink_idem_line[1]"
        tool=$REPLY
        for (( i = 2; i <= $#_edlink_idem_line; i++ )); do
          case $_edlink_idem_line[i] in
            (--journal|--base-url|--profile)
              if (( i < $#_edlink_idem_line )); then
                _edlink-idem_value "$_edlink_idem_line[i+1]"
                passed+=("$_edlink_idem_line[i]" "$REPLY")
              fi
              (( i++ ))
              ;;
            (--journal=*|--base-url=*|--profile=*)
              _edlink-idem_value "$_edlink_idem_line[i]"
              passed+=("$REPLY")
              ;;
          esac
        done
        keys=(${(f)"$("$tool" "${passed[@]}" "$@" </dev/null 2>/dev/null)"})
        _wanted keys expl "${_edlink_idem_what:-journal key}" compadd -a keys
      }

      # Sets REPLY to a word as typed, unquoted and with ~ expanded, as the tool gets it.
      _edlink-idem_value() {
        REPLY=${(Q)1}
        [[ $REPLY == '~' || $REPLY == '~/'* ]] && REPLY=$HOME${REPLY#'~'}
      }

      # -d takes JSON, @FILE or @- (stdin): file names complete after the @.
      _edlink-idem_body() {
        if compset -P '@'; then
          _alternative 'stdin:standard input:(-)' 'files:file:_files'
        else
          _message 'JSON, @FILE, or @- for standard input'
        fi
      }
      """;

  private static final String FOOTER =
      """

      if [[ $funcstack[1] == _edlink-idem ]]; then
        # autoloaded from $fpath: this file is the body of _edlink-idem
        _edlink-idem "$@"
      else
        compdef _edlink-idem edlink-idem
      fi
      """;

  static String of(CommandTree root) {
    StringBuilder s = new StringBuilder(HEADER.formatted(ShellKind.GENERATED));
    for (CommandTree command : root.all()) {
      s.append('\n').append(function(command));
    }
    return s.append(FOOTER).toString();
  }

  private static String functionName(CommandTree command) {
    List<String> path = command.path();
    return "_edlink-idem_cmd"
        + (path.size() > 1 ? "_" + String.join("_", path.subList(1, path.size())) : "");
  }

  private static String function(CommandTree command) {
    List<String> specs = new ArrayList<>();
    for (CommandTree.Option option : command.options()) {
      specs.addAll(specs(option));
    }
    // The first positional word, then the others when they are completed differently.
    List<CommandTree.Argument> arguments =
        command.laterAsFirst()
            ? List.of(command.argument())
            : List.of(command.argument(), command.later());
    for (CommandTree.Argument argument : arguments) {
      if (argument.kind() != ValueKind.NONE) {
        specs.add(
            quote(
                (argument.repeatable() ? "*:" : ":")
                    + argument.label()
                    + ":"
                    + action(argument.kind(), argument.values(), argument.listKeys())));
      }
    }
    StringBuilder f = new StringBuilder("# ").append(String.join(" ", command.path())).append('\n');
    f.append(functionName(command)).append("() {\n");
    if (command.subcommands().isEmpty()) {
      f.append("  _arguments -s -S");
      specs.forEach(spec -> f.append(" \\\n    ").append(spec));
      return f.append("\n}\n").toString();
    }
    f.append("  local curcontext=$curcontext state state_descr line ret=1\n");
    f.append("  typeset -A opt_args\n");
    f.append("  _arguments -C -s -S");
    specs.forEach(spec -> f.append(" \\\n    ").append(spec));
    f.append(" \\\n    '(-): :->command' \\\n    '(-)*:: :->argument' && ret=0\n");
    f.append("  case $state in\n");
    f.append("    (command)\n");
    f.append("      local -a commands\n");
    f.append("      commands=(\n");
    for (CommandTree sub : command.subcommands()) {
      f.append("        ")
          .append(quote(sub.name().replace(":", "\\:") + ":" + sub.summary()))
          .append('\n');
    }
    f.append("      )\n");
    f.append("      _describe -t commands ")
        .append(quote(String.join(" ", command.path()) + " command"))
        .append(" commands && ret=0\n");
    f.append("      ;;\n");
    f.append("    (argument)\n");
    f.append("      curcontext=${curcontext%:*:*}:")
        .append(String.join("-", command.path()))
        .append("-$words[1]:\n");
    f.append("      case $words[1] in\n");
    for (CommandTree sub : command.subcommands()) {
      f.append("        (")
          .append(sub.name())
          .append(") ")
          .append(functionName(sub))
          .append(" && ret=0 ;;\n");
    }
    f.append("      esac\n");
    f.append("      ;;\n");
    f.append("  esac\n");
    f.append("  return ret\n");
    return f.append("}\n").toString();
  }

  /** The {@code _arguments} specs of one option: one per name, each excluding the others. */
  private static List<String> specs(CommandTree.Option option) {
    List<String> specs = new ArrayList<>();
    String exclusion =
        option.repeatable()
            ? "*"
            : option.names().size() > 1 ? "(" + String.join(" ", option.names()) + ")" : "";
    for (String name : option.names()) {
      StringBuilder spec = new StringBuilder(exclusion).append(name);
      if (option.takesValue()) {
        // --name=: the value in the same word after =, or in the next; -n+: right after it, or in
        // the next.
        spec.append(name.startsWith("--") ? "=" : "+");
      }
      spec.append('[').append(description(option.summary())).append(']');
      if (option.takesValue()) {
        spec.append(':')
            .append(option.label().replace(":", "\\:"))
            .append(':')
            .append(action(option.kind(), option.values(), List.of()));
      }
      specs.add(quote(spec.toString()));
    }
    return specs;
  }

  private static String action(ValueKind kind, List<String> values, List<String> listKeys) {
    return switch (kind) {
      case CHOICE, DURATION -> "(" + String.join(" ", values) + ")";
      case FILE, FILE_OR_DIRECTORY -> "_files";
      case DIRECTORY -> "_files -/";
      // In braces: _arguments then calls the function with these arguments only, not its own -J
      // group options.
      case BODY -> "{_edlink-idem_body}";
      // Those that start with the word before the cursor: list --completing is quick at any size.
      case KEY ->
          "{_edlink-idem_keys " + String.join(" ", listKeys) + " \"--completing=${(Q)PREFIX}\"}";
      case PROFILE ->
          "{_edlink_idem_what=profile _edlink-idem_keys " + String.join(" ", values) + "}";
      // A single space: show the label, offer nothing.
      case NONE, TEXT -> " ";
    };
  }

  private static String description(String text) {
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:");
  }

  private static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
