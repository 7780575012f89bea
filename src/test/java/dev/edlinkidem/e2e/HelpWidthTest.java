package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.cli.HelpChecks;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.Main;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/**
 * --help fits the terminal it is printed on (80 columns in a pipe or a file), and wraps prose at
 * spaces only: an example, a URL, a path or a quoted word is never cut.
 */
class HelpWidthTest {
  @TempDir Path tmp;

  private Cli cli() {
    return new Cli().env("HOME", tmp.toString()).env("EDLINK_IDEM_JOURNAL", tmp.toString());
  }

  /** {@code --help} on a terminal {@code columns} wide (COLUMNS, as a shell sets it). */
  private String helpOnATerminal(int columns, String... command) {
    return help(cli().terminal(Invocation.Terminal.ALL).env("COLUMNS", "" + columns), command);
  }

  private static String help(Cli cli, String... command) {
    List<String> args = new ArrayList<>(List.of(command));
    args.add("--help");
    Cli.Result r = cli.run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.toString());
    return r.out();
  }

  @Test
  void theIssuesExamplesAndUrlsAreWholeAt80Columns() {
    String post = help(cli(), "post");
    assertTrue(
        post.contains(
            "\n  edlink-idem post /api/v2/graph/classes/$CLASS/assignments -d @- --key-from"
                + " \"$CI_JOB_ID-$CLASS\" < a.json\n"),
        post);
    assertTrue(
        post.contains(
            "\n  edlink-idem post /api/v2/my/classes/$CLASS/assignments -d"
                + " '{\"title\":\"Essay\",...}' --dry-run\n"),
        post);
    assertTrue(post.contains("https://ed.link)."), post);
    String batch = help(cli(), "batch");
    assertTrue(
        batch.contains(
            "\n  jq -c '{path: \"/api/v2/graph/classes/\\(.class)/assignments\", body:"
                + " .assignment}' plan.json \\\n"),
        batch);
    String root = help(cli());
    assertTrue(root.contains("~/.local/state/edlink-idem"), root);
    assertTrue(root.contains("(docs/configuration.md)."), root);
  }

  /**
   * At any width, the words of every command's help are those of its help on an unlimited line:
   * wrapping only moves words to the next line, and never cuts one.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 60, 80, 100, 140})
  void noWordOfAnyHelpIsCut(int columns) {
    for (List<String> command : HelpChecks.commandPaths()) {
      String[] words = command.toArray(String[]::new);
      String help = columns == 0 ? help(cli(), words) : helpOnATerminal(columns, words);
      assertEquals(
          wordsOf(unwrapped(command)), wordsOf(help), String.join(" ", command) + ":\n" + help);
    }
  }

  @Test
  void aTerminalsWidthIsUsedFrom60To120Columns() {
    assertWidth(100, helpOnATerminal(100));
    assertWidth(120, helpOnATerminal(200));
    assertWidth(60, helpOnATerminal(40));
  }

  @Test
  void aPipeGets80ColumnsWhateverColumnsSays() {
    String plain = help(cli());
    assertWidth(80, plain);
    assertEquals(plain, help(cli().env("COLUMNS", "140")));
    // The help command prints what --help prints, at the same width.
    Cli.Result viaHelp = cli().terminal(Invocation.Terminal.ALL).env("COLUMNS", "140").run("help");
    assertEquals(helpOnATerminal(140), viaHelp.out());
  }

  /**
   * The lines of {@code help} fill {@code width} columns, but for a few at the ends of paragraphs.
   */
  private static void assertWidth(int width, String help) {
    int widest = widest(help);
    assertTrue(widest <= width && widest > width - 10, "widest line " + widest + ":\n" + help);
  }

  /**
   * The widest line of a help, but for the overflowing examples: each of those is on a line of its
   * own, whole, however wide.
   */
  private static int widest(String help) {
    String examples = help.substring(help.lastIndexOf("\nExamples:\n"));
    return help.substring(0, help.length() - examples.length())
        .lines()
        .mapToInt(String::length)
        .max()
        .orElse(0);
  }

  private static List<String> wordsOf(String text) {
    return Arrays.asList(text.strip().split("\\s+"));
  }

  /** A command's help as picocli prints it on a line that never ends: nothing wrapped. */
  private static String unwrapped(List<String> command) {
    CommandLine cli = Main.commandLine(null);
    cli.setUsageHelpWidth(10_000);
    for (String word : command) {
      cli = cli.getSubcommands().get(word);
    }
    return cli.getUsageMessage(Ansi.OFF);
  }
}
