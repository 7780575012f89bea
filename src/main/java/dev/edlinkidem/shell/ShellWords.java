package dev.edlinkidem.shell;

import java.util.ArrayList;
import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

/**
 * Splits a line into words as a POSIX shell does, so that what works in bash works in the shell: a
 * backslash is literal inside single quotes and escapes only {@code " \ $ `} inside double quotes;
 * quoted and unquoted pieces next to each other make one word ({@code 'it'\''s'}); an unclosed
 * quote or a final backslash asks for the rest of the line. No globbing, no variables.
 */
final class ShellWords implements Parser {
  @Override
  public ParsedLine parse(String line, int cursor, ParseContext context) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    int rawStart = 0;
    // Where the cursor is: in which word, how far into its value and into its raw text.
    int cursorWord = -1;
    int cursorInValue = 0;
    int cursorInRaw = 0;
    char cursorQuote = 0;
    int cursorRawStart = cursor;
    int cursorRawEnd = cursor;
    boolean emptyAtCursor = false;
    char operator = 0;
    for (int i = 0; i <= line.length(); i++) {
      if (i == cursor) {
        if (word != null) {
          cursorWord = words.size();
          cursorInValue = word.length();
          cursorInRaw = i - rawStart;
          cursorRawStart = rawStart;
        } else if (i == line.length() || Character.isWhitespace(line.charAt(i))) {
          cursorWord = words.size();
          emptyAtCursor = true;
        } else {
          cursorWord = words.size();
          cursorRawStart = i;
        }
        cursorQuote = quote;
      }
      if (i == line.length()) {
        break;
      }
      char c = line.charAt(i);
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          word.append(c);
        }
        continue;
      }
      if (quote == '"') {
        if (c == '"') {
          quote = 0;
        } else if (c == '\\'
            && i + 1 < line.length()
            && "\"\\$`\n".indexOf(line.charAt(i + 1)) >= 0) {
          char next = line.charAt(++i);
          if (next != '\n') {
            word.append(next);
          }
        } else {
          word.append(c);
        }
        continue;
      }
      if (Character.isWhitespace(c)) {
        if (word != null) {
          if (cursorWord == words.size() && !emptyAtCursor) {
            cursorRawEnd = i;
          }
          words.add(word.toString());
          word = null;
        }
        continue;
      }
      if (word == null) {
        word = new StringBuilder();
        rawStart = i;
      }
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '\\') {
        if (i + 1 == line.length()) {
          if (asksForMore(context)) {
            throw new EOFError(-1, -1, "escaped new line", "newline");
          }
        } else if (line.charAt(++i) != '\n') {
          word.append(line.charAt(i));
        }
      } else {
        if (operator == 0 && OPERATORS.indexOf(c) >= 0) {
          operator = c;
        }
        word.append(c);
      }
    }
    if (quote != 0 && asksForMore(context)) {
      throw new EOFError(-1, -1, "unclosed quote", quote == '\'' ? "quote" : "dquote");
    }
    if (word != null) {
      if (cursorWord == words.size() && !emptyAtCursor) {
        cursorRawEnd = line.length();
      }
      words.add(word.toString());
    }
    if (emptyAtCursor) {
      // The cursor stands between words (or after the last): it completes a new, empty one there.
      words.add(cursorWord, "");
    }
    return new Words(
        line,
        cursor,
        words,
        cursorWord,
        cursorInValue,
        cursorInRaw,
        cursorRawEnd - cursorRawStart,
        cursorQuote,
        operator);
  }

  /** What a POSIX shell would take as a pipe, a redirection or a list, outside quotes. */
  private static final String OPERATORS = "|<>;&";

  /**
   * Why the shell cannot run a line as bash would: a pipe, a redirection, or more than one command
   * (an unquoted, unescaped {@code | < > ; &}); null when there is none.
   */
  static String unsupported(ParsedLine line) {
    if (!(line instanceof Words w) || w.operator() == 0) {
      return null;
    }
    return switch (w.operator()) {
      case '|' ->
          "pipes are not supported in the shell; run the command in your own shell to pipe"
              + " its output";
      case '<', '>' ->
          "redirection is not supported in the shell; run the command in your own"
              + " shell to read or write a file";
      default -> "'" + w.operator() + "' is not supported in the shell: one command a line";
    };
  }

  /**
   * Enter on an unfinished line asks for more, and the continuation prompt says what is missing.
   */
  private static boolean asksForMore(ParseContext context) {
    return context == ParseContext.ACCEPT_LINE || context == ParseContext.SECONDARY_PROMPT;
  }

  /** A parsed line, and how to write a completed word back into it. */
  private record Words(
      String line,
      int cursor,
      List<String> words,
      int wordIndex,
      int wordCursor,
      int rawWordCursor,
      int rawWordLength,
      char quote,
      char operator)
      implements CompletingParsedLine {
    @Override
    public String word() {
      return words.get(wordIndex);
    }

    @Override
    public CharSequence escape(CharSequence candidate, boolean complete) {
      String text = candidate.toString();
      if (quote == '\'') {
        return "'" + text.replace("'", "'\\''") + (complete ? "'" : "");
      }
      if (quote == '"') {
        return "\"" + text.replaceAll("([\"\\\\$`])", "\\\\$1") + (complete ? "\"" : "");
      }
      return text.replaceAll("([\\s'\"\\\\])", "\\\\$1");
    }
  }
}
