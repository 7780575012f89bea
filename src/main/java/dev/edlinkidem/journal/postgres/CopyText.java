package dev.edlinkidem.journal.postgres;

import java.nio.charset.StandardCharsets;

/**
 * The fields of one row of {@code COPY ... TO STDOUT} in PostgreSQL's text format: UTF-8 (the
 * driver's client encoding), fields between tabs, the row ended by a newline, {@code \N} for null,
 * and a backslash before the characters the format escapes ({@code \\ \b \f \n \r \t \v}). The
 * server writes no other escapes on output (octal and hex are for input).
 */
final class CopyText {
  private CopyText() {}

  /** The row's {@code count} fields; a field that is null is null. */
  static String[] fields(byte[] row, int count) {
    int end = row.length;
    if (end > 0 && row[end - 1] == '\n') {
      end--;
    }
    String text = new String(row, 0, end, StandardCharsets.UTF_8);
    // Most rows hold no backslash at all (no null, nothing escaped): their fields are as written.
    boolean escaped = text.indexOf('\\') >= 0;
    String[] fields = new String[count];
    int start = 0;
    for (int i = 0; i < count; i++) {
      int tab = i == count - 1 ? text.length() : text.indexOf('\t', start);
      if (tab < 0) {
        throw new IllegalStateException(
            "a COPY row has " + (i + 1) + " fields, not " + count + ": " + text);
      }
      fields[i] = escaped ? field(text, start, tab) : text.substring(start, tab);
      start = tab + 1;
    }
    return fields;
  }

  private static String field(String text, int from, int to) {
    if (to - from == 2 && text.charAt(from) == '\\' && text.charAt(from + 1) == 'N') {
      return null;
    }
    int slash = text.indexOf('\\', from);
    if (slash < 0 || slash >= to) {
      return text.substring(from, to);
    }
    StringBuilder b = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      char ch = text.charAt(i);
      if (ch != '\\' || i + 1 == to) {
        b.append(ch);
        continue;
      }
      char next = text.charAt(++i);
      b.append(
          switch (next) {
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'v' -> '\u000b';
            default -> next; // a backslash, or a character the format need not have escaped
          });
    }
    return b.toString();
  }
}
