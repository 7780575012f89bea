package dev.edlinkidem.manpage;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Text as troff's man macros read it: escaped, with picocli's bold and italic as font changes. */
final class Troff {
  private static final Pattern ANSI = Pattern.compile("\u001B\\[([0-9;]*)m");

  private Troff() {}

  /**
   * Plain text on one line, escaped so that troff prints it as it is: a backslash, a hyphen that
   * must stay an ASCII minus (options, paths), quotes and accents troff would curl, and any
   * character outside ASCII (as {@code \[uXXXX]}, whatever encoding troff assumes).
   */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    text.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '\\' -> out.append("\\e");
                case '-' -> out.append("\\-");
                case '\'' -> out.append("\\(aq");
                case '`' -> out.append("\\(ga");
                case '~' -> out.append("\\(ti");
                case '^' -> out.append("\\(ha");
                case '\n', '\r' ->
                    throw new IllegalArgumentException("one line at a time, not: " + text);
                case '\t' -> out.append(' ');
                default -> {
                  if (c < 0x20 || c == 0x7F) {
                    throw new IllegalArgumentException("control character " + c + " in: " + text);
                  }
                  if (c < 0x80) {
                    out.append((char) c);
                  } else {
                    out.append(String.format("\\[u%04X]", c));
                  }
                }
              }
            });
    return out.toString();
  }

  /**
   * Text that picocli styled with ANSI escape codes (bold for commands and options, italic for
   * their values), escaped, with each style turned into the matching troff font.
   */
  static String styled(String ansi) {
    StringBuilder out = new StringBuilder(ansi.length() + 16);
    char font = 'R';
    Matcher m = ANSI.matcher(ansi);
    int from = 0;
    while (m.find()) {
      if (m.start() > from) {
        out.append(escape(ansi.substring(from, m.start())));
      }
      char next = font;
      for (String code : m.group(1).split(";", -1)) {
        next =
            switch (code) {
              case "1" -> 'B';
              case "3" -> 'I';
              default -> 'R';
            };
      }
      if (next != font) {
        out.append("\\f").append(next);
        font = next;
      }
      from = m.end();
    }
    out.append(escape(ansi.substring(from)));
    if (font != 'R') {
      out.append("\\fR");
    }
    return out.toString();
  }

  /**
   * An escaped text line that troff will not take for a request: one starting with a dot or a
   * quote.
   */
  static String line(String escaped) {
    return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
  }
}
