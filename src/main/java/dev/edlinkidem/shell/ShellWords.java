package dev.edlinkidem.shell;

import org.jline.reader.impl.DefaultParser;

/**
 * Splits a line into words as a POSIX shell does: a backslash is literal inside single quotes and
 * escapes only {@code " \ $ `} inside double quotes, so {@code -d '{"a":"x\ny"}'} keeps its JSON.
 */
final class ShellWords extends DefaultParser {
  ShellWords() {
    escapeChars(new char[] {'\\'});
    quoteChars(new char[] {'\'', '"'});
  }

  @Override
  public boolean isEscapeChar(CharSequence buffer, int pos) {
    if (pos < 0 || buffer.charAt(pos) != '\\') {
      return false;
    }
    char quote = 0;
    for (int i = 0; i < pos; i++) {
      char c = buffer.charAt(i);
      if (quote == '\'') {
        quote = c == '\'' ? 0 : quote;
      } else if (c == '\\') {
        i++;
      } else if (quote == '"') {
        quote = c == '"' ? 0 : quote;
      } else if (c == '\'' || c == '"') {
        quote = c;
      }
    }
    if (quote == '\'') {
      return false;
    }
    if (quote == '"') {
      return pos + 1 < buffer.length() && "\"\\$`".indexOf(buffer.charAt(pos + 1)) >= 0;
    }
    return true;
  }
}
