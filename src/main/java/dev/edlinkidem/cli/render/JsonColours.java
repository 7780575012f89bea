package dev.edlinkidem.cli.render;

/**
 * Indented JSON, coloured as jq and HTTPie colour it on a terminal: keys blue and bold, strings
 * green, numbers cyan, true, false and null yellow; brackets and punctuation as they are. Only the
 * escape codes are added: without them the text is what it was, byte for byte.
 */
public final class JsonColours {
  static final String KEY = "\u001b[34;1m";
  static final String STRING = "\u001b[32m";
  static final String NUMBER = "\u001b[36m";
  static final String LITERAL = "\u001b[33m";

  private JsonColours() {}

  /** {@code json} (valid JSON, as gson writes it) with colours. */
  public static String paint(String json) {
    StringBuilder out = new StringBuilder(json.length() + json.length() / 4);
    int i = 0;
    while (i < json.length()) {
      char c = json.charAt(i);
      if (c == '"') {
        int end = endOfString(json, i);
        String token = json.substring(i, end);
        out.append(isKey(json, end) ? KEY : STRING).append(token).append(Style.RESET);
        i = end;
      } else if (c == '-' || Character.isDigit(c)) {
        int end = i + 1;
        while (end < json.length() && "0123456789+-.eE".indexOf(json.charAt(end)) >= 0) {
          end++;
        }
        out.append(NUMBER).append(json, i, end).append(Style.RESET);
        i = end;
      } else if (json.startsWith("true", i) || json.startsWith("null", i)) {
        out.append(LITERAL).append(json, i, i + 4).append(Style.RESET);
        i += 4;
      } else if (json.startsWith("false", i)) {
        out.append(LITERAL).append("false").append(Style.RESET);
        i += 5;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** The index just past the string that starts at {@code start}, its escapes skipped. */
  private static int endOfString(String json, int start) {
    int i = start + 1;
    while (i < json.length() && json.charAt(i) != '"') {
      i += json.charAt(i) == '\\' ? 2 : 1;
    }
    return Math.min(i + 1, json.length());
  }

  /** Whether the string that ends at {@code end} is a member's name: a colon follows it. */
  private static boolean isKey(String json, int end) {
    int i = end;
    while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
      i++;
    }
    return i < json.length() && json.charAt(i) == ':';
  }
}
