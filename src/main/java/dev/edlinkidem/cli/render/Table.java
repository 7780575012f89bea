package dev.edlinkidem.cli.render;

import dev.edlinkidem.journal.Neighbours;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A plain-text table that fits a width, never wrapping: the first column (a key) is shortened
 * first, at its end, down to a prefix that still names one entry (which commands accept); then the
 * last (a path) in the middle; a terminal narrower than that gets each line cut.
 */
public final class Table {
  private static final Pattern COLOUR_CODE = Pattern.compile("\u001b\\[[0-9;]*m");

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();
  private final List<String> colours = new ArrayList<>();
  private final Map<String, String> texts = new HashMap<>();

  public Table(String... header) {
    this.header = List.of(header);
  }

  /** A row; {@code colour} is an ANSI sequence for the second column (the state), or null. */
  public void add(String colour, String... cells) {
    // Past the key, a column's texts repeat from row to row: each is kept once, so that a table
    // of a hundred thousand rows holds a few thousand texts besides its keys.
    for (int i = 1; i < cells.length; i++) {
      cells[i] = texts.computeIfAbsent(cells[i], text -> text);
    }
    rows.add(List.of(cells));
    colours.add(colour);
  }

  /**
   * Prints the table in {@code width} columns (0: no limit); keys are shortened to no fewer than
   * {@code keyFloor} columns, their ellipsis included.
   */
  public void print(PrintWriter out, int width, int keyFloor) {
    int n = header.size();
    int[] w = widths();
    int last = w[n - 1];
    int first = w[0];
    if (width > 0) {
      int over = total(w) - width;
      if (over > 0) {
        first = Math.max(Math.min(Math.max(keyFloor, header.get(0).length()), w[0]), w[0] - over);
        over -= w[0] - first;
      }
      if (over > 0) {
        last = Math.max(Math.min(12, w[n - 1]), w[n - 1] - over);
      }
      w[0] = first;
    }
    // Not println, which flushes at each line: a hundred thousand rows would be as many writes.
    String newline = System.lineSeparator();
    out.print(fit(line(header, w, last, null), width) + newline);
    for (int r = 0; r < rows.size(); r++) {
      out.print(fit(line(rows.get(r), w, last, colours.get(r)), width) + newline);
    }
    out.flush();
  }

  /**
   * Whether printing in {@code width} columns shortens keys, and so needs a floor for them: the
   * table is wider than that.
   */
  public boolean shortensKeys(int width) {
    return width > 0 && total(widths()) > width;
  }

  private int[] widths() {
    int n = header.size();
    int[] w = new int[n];
    for (int i = 0; i < n; i++) {
      w[i] = header.get(i).length();
      for (List<String> row : rows) {
        w[i] = Math.max(w[i], row.get(i).length());
      }
    }
    return w;
  }

  private static int total(int[] w) {
    int sum = 0;
    for (int x : w) {
      sum += x + 2;
    }
    return sum - 2;
  }

  /** The last resort: a line cut at the width (colour codes take no columns). */
  private static String fit(String line, int width) {
    if (width <= 0 || line.length() <= width || visible(line) <= width) {
      return line; // no wider with its colour codes than without
    }
    String plain = COLOUR_CODE.matcher(line).replaceAll("");
    return plain.substring(0, width - 1) + "…";
  }

  /**
   * The columns {@code line} takes: its length without the colour codes {@link #COLOUR_CODE}
   * matches, counted without a matcher, as each of a hundred thousand rows would make one.
   */
  private static int visible(String line) {
    int n = line.length();
    int columns = n;
    for (int i = line.indexOf('\u001b'); i >= 0; i = line.indexOf('\u001b', i + 1)) {
      if (i + 1 < n && line.charAt(i + 1) == '[') {
        int j = i + 2;
        while (j < n && (line.charAt(j) >= '0' && line.charAt(j) <= '9' || line.charAt(j) == ';')) {
          j++;
        }
        if (j < n && line.charAt(j) == 'm') {
          columns -= j + 1 - i;
          i = j;
        }
      }
    }
    return columns;
  }

  private static String line(List<String> cells, int[] w, int last, String colour) {
    StringBuilder b = new StringBuilder(128);
    for (int i = 0; i < cells.size() - 1; i++) {
      String cell = i == 0 ? head(cells.get(i), w[0]) : cells.get(i);
      if (i == 1 && colour != null) {
        b.append(colour).append(cell).append(Style.RESET);
      } else {
        b.append(cell);
      }
      for (int pad = w[i] - cell.length() + 2; pad > 0; pad--) {
        b.append(' ');
      }
    }
    b.append(middle(cells.get(cells.size() - 1), last));
    int end = b.length();
    while (end > 0 && Character.isWhitespace(b.charAt(end - 1))) {
      end--;
    }
    b.setLength(end);
    return b.toString();
  }

  /** Keys are never cut to fewer columns than this, the ellipsis included. */
  private static final int KEY_FLOOR = 8;

  /**
   * How many leading characters a key must share with another for {@link #uniqueKeyWidth} to give
   * it more than the floor: the keys whose neighbours it needs ({@link
   * dev.edlinkidem.journal.Journal#neighboursSharing}). A key that shares fewer with both of its
   * neighbours needs at most one more than it shares, plus its ellipsis: the floor.
   */
  public static final int SHARED_PAST_FLOOR = KEY_FLOOR - 1;

  /**
   * The columns a key needs to stay unique among a journal's keys, the ellipsis included: one more
   * character than it shares with its neighbours in key order ({@code around}, as {@link
   * dev.edlinkidem.journal.Journal#neighbours} finds them), at least 8; the longest such of {@code
   * shown}. A key {@code around} leaves out is taken to share fewer than {@link #SHARED_PAST_FLOOR}
   * characters with both (as {@link dev.edlinkidem.journal.Journal#neighboursSharing} leaves them
   * out).
   */
  public static int uniqueKeyWidth(Collection<String> shown, Map<String, Neighbours> around) {
    int widest = 0;
    for (String key : shown) {
      Neighbours next = around.getOrDefault(key, ALONE);
      int shared = Math.max(common(key, next.before()), common(key, next.after()));
      int needed = Math.min(key.length(), shared + 1);
      widest = Math.max(widest, needed < key.length() ? needed + 1 : needed);
    }
    return Math.max(KEY_FLOOR, widest);
  }

  private static final Neighbours ALONE = new Neighbours(null, null);

  private static int common(String a, String b) {
    if (b == null) {
      return 0;
    }
    int i = 0;
    while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  /** {@code 3vQpX7a…}: the end goes, the prefix stays. */
  static String head(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }

  /** {@code /api/v2/graph/cl…/assignments}: the middle goes, both ends stay. */
  static String middle(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int keep = max - 1;
    int head = (keep + 1) / 2;
    return text.substring(0, head) + "…" + text.substring(text.length() - (keep - head));
  }
}
