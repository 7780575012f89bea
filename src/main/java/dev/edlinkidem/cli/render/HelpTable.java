package dev.edlinkidem.cli.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * A titled two-column section of the usage help, such as the environment variables, kept in the
 * command model so that --help and the man pages show the same rows.
 */
public record HelpTable(String key, String heading, List<Row> rows)
    implements CommandLine.IHelpSectionRenderer {
  /** One row: a name (a variable, a file) and what it means, both plain text. */
  public record Row(String term, String meaning) {}

  public HelpTable {
    rows = List.copyOf(rows);
  }

  /**
   * Adds this section to the usage help of {@code usage}, just before its examples (the footer).
   */
  public void addTo(UsageMessageSpec usage) {
    usage.sectionMap().put(key, this);
    List<String> keys = new ArrayList<>(usage.sectionKeys());
    keys.add(keys.indexOf(UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), key);
    usage.sectionKeys(keys);
  }

  @Override
  public String render(Help help) {
    String title = help.createHeading("%n" + heading.replace("%", "%%") + "%n");
    int longest = rows.stream().mapToInt(row -> row.term().length()).max().orElse(0);
    if (longest <= WIDEST_SIDE_BY_SIDE) {
      Map<String, String> table = new LinkedHashMap<>();
      // picocli reads table cells as format strings; these rows are plain text.
      rows.forEach(
          row -> table.put(row.term().replace("%", "%%"), row.meaning().replace("%", "%%")));
      return title + help.createTextTable(table);
    }
    // Long terms (paths) would leave the meanings a narrow column: each meaning goes under its
    // term.
    int width = help.commandSpec().usageMessage().width();
    StringBuilder text = new StringBuilder(title);
    for (Row row : rows) {
      text.append(column(help, width, 2, row.term())).append(column(help, width, 8, row.meaning()));
    }
    return text.toString();
  }

  private static final int WIDEST_SIDE_BY_SIDE = 24;

  private static String column(Help help, int width, int indent, String text) {
    return SpaceWrappedTable.column(help.colorScheme(), width, indent, text);
  }
}
