package dev.edlinkidem.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** What the help tests share: every command's path, and how post's help fits a terminal. */
public final class HelpChecks {
  private HelpChecks() {}

  /** Every command's path under the root, the root's (empty) first. */
  public static List<List<String>> commandPaths() {
    List<List<String>> paths = new ArrayList<>();
    walk(Main.commandLine(null), new ArrayList<>(), paths);
    return paths;
  }

  private static void walk(CommandLine cli, List<String> path, List<List<String>> out) {
    out.add(List.copyOf(path));
    for (Map.Entry<String, CommandLine> sub : cli.getSubcommands().entrySet()) {
      List<String> next = new ArrayList<>(path);
      next.add(sub.getKey());
      walk(sub.getValue(), next, out);
    }
  }

  /**
   * That post's help, as a terminal shows it from its "Usage:" line, fills more than {@code
   * narrowest} and at most {@code widest} columns with its prose, and keeps its longest example on
   * one line.
   */
  public static void assertPostHelpFits(String screen, int narrowest, int widest) {
    List<String> help = screen.lines().dropWhile(l -> !l.startsWith("Usage:")).toList();
    List<String> prose = help.subList(0, help.indexOf("Examples:"));
    int width = prose.stream().mapToInt(String::length).max().orElse(0);
    assertTrue(
        width > narrowest && width <= widest, width + " columns:\n" + String.join("\n", help));
    assertTrue(
        help.contains(
            "  edlink-idem post /api/v2/graph/classes/$CLASS/assignments -d @- --key-from"
                + " \"$CI_JOB_ID-$CLASS\" < a.json"),
        String.join("\n", help));
  }
}
