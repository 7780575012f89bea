package dev.edlinkidem.completion;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes the bash completion script: two generated lookup tables and the functions that walk the
 * line.
 */
final class BashScript {
  private BashScript() {}

  private static final String HEADER =
      """
      # bash completion for edlink-idem. Load it with:  source <(edlink-idem completion bash)
      # or save it as ~/.local/share/bash-completion/completions/edlink-idem
      # Works best with bash-completion loaded (file names, keys with a colon, --option=value).

      """;

  private static final String FUNCTIONS =
      """

      # Completes an edlink-idem command line: walks the words before the cursor to find the
      # (sub)command, then offers its subcommands, its options, or the value under the cursor.
      _edlink_idem() {
        local cur words cword
        if declare -F _get_comp_words_by_ref >/dev/null; then
          # readline splits words at a colon, which keys may hold
          _get_comp_words_by_ref -n : cur words cword
        else
          words=("${COMP_WORDS[@]}")
          cword=$COMP_CWORD
          cur=${COMP_WORDS[COMP_CWORD]}
        fi
        local path=edlink-idem subcommands options argument argument_values kind values
        # npos: the positional words typed after the (sub)command, before the cursor
        local option= word i=1 npos=0 REPLY
        local -a passed=()
        __edlink_idem_command "$path"
        while (( i < cword )); do
          word=${words[i]}
          case $word in
            -*)
              __edlink_idem_option "$path" "$word"
              if [[ -n $kind ]]; then
                (( i++ ))
                # readline splits --option=value at the =
                [[ ${words[i]-} == = ]] && (( i++ ))
                if (( i >= cword )); then
                  option=$word
                  break
                fi
                case $word in
                  --journal | --base-url | --profile)
                    __edlink_idem_unquote "${words[i]}"
                    passed+=("$word" "$REPLY")
                    ;;
                esac
              fi
              ;;
            *)
              if [[ " $subcommands " == *" $word "* ]]; then
                path+=" $word"
                __edlink_idem_command "$path"
                npos=0
              else
                (( npos++ ))
              fi
              ;;
          esac
          (( i++ ))
        done
        # right after "--option=" the word under the cursor is the "=" itself
        [[ $cur == = ]] && cur=
        COMPREPLY=()
        if [[ -n $option ]]; then
          __edlink_idem_option "$path" "$option"
        elif [[ $cur == -* ]]; then
          kind=words values=$options
        else
          COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))
          kind=$argument values=$argument_values
          if (( npos > 0 )) && [[ $later != same ]]; then
            kind=$later values=$later_values
          fi
        fi
        case $kind in
          words) COMPREPLY+=($(compgen -W "$values" -- "$cur")) ;;
          file) __edlink_idem_files ;;
          directory) __edlink_idem_files -d ;;
          body) __edlink_idem_body ;;
          keys) __edlink_idem_keys $values "--completing=$cur" ;;
          profiles) __edlink_idem_keys $values ;;
        esac
        if declare -F __ltrim_colon_completions >/dev/null; then
          __ltrim_colon_completions "$cur"
        fi
        return 0
      }

      # File names, or directory names with -d: bash-completion's when it is loaded.
      __edlink_idem_files() {
        if declare -F _filedir >/dev/null; then
          _filedir "$@"
        else
          compopt -o filenames 2>/dev/null
          local name
          while IFS= read -r name; do
            COMPREPLY+=("$name")
          done < <(compgen "${1:--f}" -- "$cur")
        fi
      }

      # -d takes JSON, @FILE or @- (stdin): after an @, offer @- and file names.
      __edlink_idem_body() {
        [[ $cur == @* ]] || return 0
        local name quoted prefix=${cur#@}
        [[ - == "$prefix"* ]] && COMPREPLY+=(@-)
        while IFS= read -r name; do
          [[ -d $name ]] && name+=/
          printf -v quoted %q "$name"
          COMPREPLY+=("@$quoted")
        done < <(compgen -f -- "$prefix")
        # a directory is a step on the way: no space after it
        if [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == */ ]]; then
          compopt -o nospace 2>/dev/null
        fi
        return 0
      }

      # The journal's keys, from the tool itself ("$@" is its list command), with the line's
      # --journal, --base-url and --profile so that they come from the same journal. Anything that
      # goes wrong there (no journal, no java) shows as no keys, never as an error.
      __edlink_idem_keys() {
        # A key holds no quote or backslash: any in the word are the line's quoting.
        local tool=${words[0]} key want=${cur//[\\\\\\\'\\"]/}
        [[ $tool == '~/'* ]] && tool=$HOME/${tool#'~/'}
        while IFS= read -r key; do
          [[ $key == "$want"* ]] && COMPREPLY+=("$key")
        done < <("$tool" ${passed[@]+"${passed[@]}"} "$@" </dev/null 2>/dev/null)
        return 0
      }

      # Sets REPLY to a value as typed, without its quotes and with ~ expanded, as the tool gets it.
      __edlink_idem_unquote() {
        REPLY=$1
        case $REPLY in
          \\'*\\' | \\"*\\")
            REPLY=${REPLY:1:${#REPLY}-2}
            return
            ;;
          *\\\\*)
            # a\\ b is "a b": each backslash keeps the character after it.
            local out= rest=$REPLY
            while [[ $rest == *\\\\* ]]; do
              out+=${rest%%\\\\*}
              rest=${rest#*\\\\}
              out+=${rest:0:1}
              rest=${rest:1}
            done
            REPLY=$out$rest
            ;;
        esac
        case $REPLY in
          '~') REPLY=$HOME ;;
          '~/'*) REPLY=$HOME/${REPLY#'~/'} ;;
        esac
      }

      complete -F _edlink_idem edlink-idem
      """;

  static String of(CommandTree root) {
    StringBuilder s = new StringBuilder(ShellKind.GENERATED).append('\n').append(HEADER);
    s.append(
        "# What the command at path $1 offers: subcommands, options, and what its arguments"
            + " are.\n");
    s.append("__edlink_idem_command() {\n");
    s.append("  subcommands= options= argument= argument_values= later= later_values=\n");
    s.append("  case $1 in\n");
    for (CommandTree command : root.all()) {
      s.append("    ").append(quote(String.join(" ", command.path()))).append(")\n");
      if (!command.subcommands().isEmpty()) {
        s.append("      subcommands=").append(quote(names(command.subcommands()))).append('\n');
      }
      s.append("      options=")
          .append(
              quote(
                  command.options().stream()
                      .flatMap(o -> o.names().stream())
                      .collect(Collectors.joining(" "))))
          .append('\n');
      String first = argument("argument", command.argument());
      if (!first.isEmpty()) {
        s.append("      ").append(first).append('\n');
      }
      String later =
          command.laterAsFirst()
              ? first.isEmpty() ? "" : "later=same"
              : argument("later", command.later());
      if (!later.isEmpty()) {
        s.append("      ").append(later).append('\n');
      }
      s.append("      ;;\n");
    }
    s.append("  esac\n}\n\n");
    s.append(
        "# What option $2 of the command at path $1 takes: kind is empty for a flag, none for free"
            + " text.\n");
    s.append("__edlink_idem_option() {\n");
    s.append("  kind= values=\n");
    s.append("  case \"$1 $2\" in\n");
    for (CommandTree command : root.all()) {
      for (CommandTree.Option option : command.options()) {
        if (!option.takesValue()) {
          continue;
        }
        String pattern =
            option.names().stream()
                .map(n -> quote(String.join(" ", command.path()) + " " + n))
                .collect(Collectors.joining(" | "));
        String kind = kind(option.kind());
        s.append("    ").append(pattern).append(") kind=").append(kind.isEmpty() ? "none" : kind);
        if (!option.values().isEmpty()) {
          s.append(" values=").append(quote(String.join(" ", option.values())));
        }
        s.append(" ;;\n");
      }
    }
    s.append("  esac\n}\n");
    return s.append(FUNCTIONS).toString();
  }

  /**
   * The variables that say how a positional word is completed ({@code name} and {@code
   * name_values}); empty when there is nothing to offer.
   */
  private static String argument(String name, CommandTree.Argument argument) {
    String kind = kind(argument.kind());
    if (kind.isEmpty()) {
      return "";
    }
    List<String> values =
        argument.kind() == ValueKind.KEY ? argument.listKeys() : argument.values();
    return name
        + "="
        + kind
        + (values.isEmpty() ? "" : " " + name + "_values=" + quote(String.join(" ", values)));
  }

  /** How the script completes a kind of value; empty when there is nothing to offer. */
  private static String kind(ValueKind kind) {
    return switch (kind) {
      case CHOICE, DURATION -> "words";
      case FILE, FILE_OR_DIRECTORY -> "file";
      case DIRECTORY -> "directory";
      case BODY -> "body";
      // The tool lists them itself: the journal's keys that start with the word under the cursor
      // (list --completing, quick on a large journal), or the profiles (config list --names).
      case KEY -> "keys";
      case PROFILE -> "profiles";
      case NONE, TEXT -> "";
    };
  }

  private static String names(List<CommandTree> commands) {
    return commands.stream().map(CommandTree::name).collect(Collectors.joining(" "));
  }

  private static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
