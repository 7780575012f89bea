package dev.edlinkidem.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table that fits a width: every column but the last keeps its width, and the last
 * (a path) is shortened in the middle, never wrapped.
 */
final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();
  private final List<String> colours = new ArrayList<>();

  Table(String... header) {
    this.header = List.of(header);
  }

  /** A row; {@code colour} is an ANSI sequence for the second column (the state), or null. */
  void add(String colour, String... cells) {
    rows.add(List.of(cells));
    colours.add(colour);
  }

  void print(PrintWriter out, int width) {
    int n = header.size();
    int[] w = new int[n];
    for (int i = 0; i < n; i++) {
      w[i] = header.get(i).length();
      for (List<String> row : rows) {
        w[i] = Math.max(w[i], row.get(i).length());
      }
    }
    int fixed = 0;
    for (int i = 0; i < n - 1; i++) {
      fixed += w[i] + 2;
    }
    int last = width > 0 ? Math.max(12, Math.min(w[n - 1], width - fixed)) : w[n - 1];
    out.println(line(header, w, last, null));
    for (int r = 0; r < rows.size(); r++) {
      out.println(line(rows.get(r), w, last, colours.get(r)));
    }
    out.flush();
  }

  private static String line(List<String> cells, int[] w, int last, String colour) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size() - 1; i++) {
      String cell = cells.get(i);
      String padded = cell + " ".repeat(w[i] - cell.length() + 2);
      b.append(i == 1 && colour != null ? colour + cell + "\u001b[0m" + " ".repeat(w[i] - cell.length() + 2) : padded);
    }
    return b.append(middle(cells.get(cells.size() - 1), last)).toString().stripTrailing();
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
