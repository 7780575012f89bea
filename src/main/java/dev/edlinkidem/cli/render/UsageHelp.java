package dev.edlinkidem.cli.render;

import java.util.IllegalFormatException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The usage help as picocli lays it out, but with prose wrapped at spaces only, so that a URL, a
 * path or a quoted word is never cut, and with the examples never wrapped: each is a line to copy.
 */
public final class UsageHelp extends Help {
  /**
   * The width in a pipe or a file: the same on every machine, whatever COLUMNS says, and picocli's
   * default.
   */
  public static final int PIPE_WIDTH = 80;

  /**
   * Narrower, the option table's descriptions get 30 columns or fewer, a few words a line (and
   * picocli refuses under 55).
   */
  public static final int NARROWEST = 60;

  /**
   * Wider, a line of prose is too long for the eye to find the next one; and at 120 every example
   * of ours still fits on one line.
   */
  public static final int WIDEST = 120;

  /** An example's trailing comment: "(a unique prefix...)" or "# ...", after two spaces or more. */
  private static final Pattern COMMENTED = Pattern.compile("(.*\\S) {2,}(\\(.*\\)|#.*)");

  public UsageHelp(CommandSpec spec, ColorScheme colorScheme) {
    super(spec, colorScheme);
  }

  /**
   * How wide help is printed, given how wide stdout's lines may be ({@code Invocation.columns()}, 0
   * when stdout is not a terminal): a terminal's width, from {@link #NARROWEST} to {@link #WIDEST};
   * {@link #PIPE_WIDTH} for a pipe or a file.
   */
  public static int width(int columns) {
    return columns <= 0 ? PIPE_WIDTH : Math.max(NARROWEST, Math.min(WIDEST, columns));
  }

  private int width() {
    return commandSpec().usageMessage().width();
  }

  @Override
  public String description(Object... params) {
    return wrapped(commandSpec().usageMessage().description(), params);
  }

  @Override
  public String header(Object... params) {
    return wrapped(commandSpec().usageMessage().header(), params);
  }

  /**
   * The examples, one a line, never wrapped: a line wider than the help is printed whole. A comment
   * after one that does not fit goes on the next line, under it.
   */
  @Override
  public String footer(Object... params) {
    StringBuilder text = new StringBuilder();
    for (String raw : commandSpec().usageMessage().footer()) {
      for (String line : format(raw, params).split("\\R", -1)) {
        Matcher commented = COMMENTED.matcher(line);
        if (line.length() <= width() || !commented.matches()) {
          text.append(line).append(System.lineSeparator());
        } else if (commented.group(1).length() + 2 + commented.group(2).length() <= width()) {
          text.append(commented.group(1)).append("  ").append(commented.group(2));
          text.append(System.lineSeparator());
        } else {
          text.append(commented.group(1)).append(System.lineSeparator());
          int indent = line.indexOf(line.strip()) + 4;
          TextTable comment = table(new Column(width(), indent, Column.Overflow.WRAP));
          comment.addRowValues(commented.group(2));
          comment.toString(text);
        }
      }
    }
    return text.toString();
  }

  @Override
  public TextTable createTextTable(Map<?, ?> map) {
    int keys = map.keySet().stream().mapToInt(key -> String.valueOf(key).length()).max().orElse(7);
    int left = Math.min(width() - 4, keys + 3);
    TextTable table =
        table(
            new Column(left, 2, Column.Overflow.SPAN),
            new Column(width() - left, 2, Column.Overflow.WRAP));
    map.forEach(
        (key, value) ->
            table.addRowValues(format(String.valueOf(key)), format(String.valueOf(value))));
    return table;
  }

  @Override
  public String commandList(Map<String, Help> subcommands) {
    if (subcommands.isEmpty()) {
      return "";
    }
    int names = subcommands.keySet().stream().mapToInt(String::length).max().orElse(0);
    int left = Math.min(names, width() / 2) + 2;
    TextTable table =
        table(
            new Column(left, 2, Column.Overflow.SPAN),
            new Column(width() - left, 2, Column.Overflow.WRAP));
    subcommands.forEach(
        (name, sub) -> {
          UsageMessageSpec usage = sub.commandSpec().usageMessage();
          String[] first = usage.header().length > 0 ? usage.header() : usage.description();
          Text[] lines = colorScheme().text(format(first.length > 0 ? first[0] : "")).splitLines();
          for (int i = 0; i < lines.length; i++) {
            table.addRowValues(
                i == 0 ? sub.commandNamesText(", ") : colorScheme().text(""), lines[i]);
          }
        });
    return table.toString();
  }

  @Override
  public Layout createDefaultLayout(
      List<OptionSpec> options, List<PositionalParamSpec> positionals, ColorScheme scheme) {
    Column[] picocli =
        TextTable.forDefaultColumns(
                scheme, calcLongOptionColumnWidth(options, positionals, scheme), width())
            .columns();
    return new Layout(
        scheme,
        new SpaceWrappedTable(scheme, picocli),
        createDefaultOptionRenderer(),
        createDefaultParameterRenderer());
  }

  /** Lines of text, each wrapped to the help's width. */
  private String wrapped(String[] lines, Object... params) {
    TextTable table = table(new Column(width(), 0, Column.Overflow.WRAP));
    table.indentWrappedLines = 0;
    for (String line : lines) {
      table.addRowValues(format(line, params));
    }
    return table.toString();
  }

  private TextTable table(Column... columns) {
    return new SpaceWrappedTable(colorScheme(), columns);
  }

  /**
   * A line of the model as picocli formats it: {@code %n} is a line break and {@code %%} a percent
   * sign; a line that is not a valid format is printed as it is.
   */
  private static String format(String line, Object... params) {
    try {
      return line == null ? "" : String.format(line, params);
    } catch (IllegalFormatException e) {
      return line;
    }
  }
}
