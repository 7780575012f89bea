package dev.edlinkidem.cli.render;

import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;

/**
 * A picocli text table whose last column wraps at spaces only. picocli's own wrapping breaks lines
 * where the JDK's line BreakIterator allows, which is after a '.', a '/' or a quote as well: {@code
 * https://ed.} / {@code link}. Here a word wider than the column is put on a line of its own and
 * overflows the column, whole, rather than being cut.
 */
final class SpaceWrappedTable extends TextTable {
  private final Column[] columns;

  SpaceWrappedTable(ColorScheme colorScheme, Column... columns) {
    super(colorScheme, columns);
    this.columns = columns();
  }

  /**
   * {@code text} wrapped to {@code width} columns, each line indented by {@code indent}. (A String,
   * not a table, so that a caller that never runs it loads neither class.)
   */
  static String column(ColorScheme colorScheme, int width, int indent, String text) {
    TextTable table =
        new SpaceWrappedTable(colorScheme, new Column(width, indent, Column.Overflow.WRAP));
    table.indentWrappedLines = 0;
    table.addRowValues(text);
    return table.toString();
  }

  @Override
  public Cell putValue(int row, int col, Text value) {
    Column column = columns[col];
    boolean last = col == columns.length - 1;
    if (!last || column.overflow == Column.Overflow.TRUNCATE || value.plainString().isEmpty()) {
      return super.putValue(row, col, value);
    }
    // From index 0 of its own buffer: getStyledChars counts from there.
    Text text = value.concat("");
    String plain = text.plainString();
    int indent = column.indent;
    int start = 0;
    while (true) {
      int end = lineEnd(plain, start, column.width - indent);
      text.getStyledChars(start, end - start, textAt(row, col), indent);
      start = end;
      while (start < plain.length() && plain.charAt(start) == ' ') {
        start++;
      }
      if (start == plain.length()) {
        return new Cell(col, row);
      }
      addEmptyRow();
      row++;
      indent = column.indent + indentWrappedLines;
    }
  }

  /**
   * Where the line that starts at {@code start} ends: after the last word that fits in {@code
   * room}, or after the first word when even that one does not fit. As picocli counts, a word fits
   * with the space after it, unless it ends the text.
   */
  static int lineEnd(String text, int start, int room) {
    int end = wordEnd(text, start);
    while (end < text.length()) {
      int next = wordEnd(text, end);
      if (next - start + (next < text.length() ? 1 : 0) > room) {
        break;
      }
      end = next;
    }
    return end;
  }

  /** The end of the word at or after {@code from}, with the spaces before it. */
  private static int wordEnd(String text, int from) {
    int i = from;
    while (i < text.length() && text.charAt(i) == ' ') {
      i++;
    }
    while (i < text.length() && text.charAt(i) != ' ') {
      i++;
    }
    return i;
  }

  /** As picocli writes the table, but a cell wider than its column (a long word) overflows it. */
  @Override
  public StringBuilder toString(StringBuilder text) {
    for (int row = 0; row < rowCount(); row++) {
      StringBuilder line = new StringBuilder();
      for (int col = 0; col < columns.length; col++) {
        Text cell = textAt(row, col);
        line.append(cell).append(" ".repeat(Math.max(0, columns[col].width - length(cell))));
      }
      int end = line.length();
      while (end > 0 && line.charAt(end - 1) == ' ') {
        end--;
      }
      text.append(line, 0, end).append(System.lineSeparator());
    }
    return text;
  }

  private static int length(Text cell) {
    return cell.plainString().length();
  }
}
