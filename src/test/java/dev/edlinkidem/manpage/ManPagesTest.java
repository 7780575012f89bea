package dev.edlinkidem.manpage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The man pages say what the command model says, and the copies in docs/man are current. */
class ManPagesTest {
  private static final Path CHECKED_IN = Path.of("docs", "man");
  private static final Set<String> REQUESTS =
      Set.of(".\\\"", ".TH", ".SH", ".TP", ".PP", ".br", ".nf", ".fi", ".RS", ".RE", ".nh", ".ad");

  private final SortedMap<String, String> pages = ManPages.of(Main.commandLine(null));

  @Test
  void checkedInPagesAreThoseOfTheCurrentModel() throws IOException {
    Set<String> onDisk = new TreeSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(CHECKED_IN, "*.1")) {
      files.forEach(file -> onDisk.add(file.getFileName().toString()));
    }
    List<String> problems = new ArrayList<>();
    for (String name : pages.keySet()) {
      if (!onDisk.contains(name)) {
        problems.add(name + " is missing");
      } else if (!Files.readString(CHECKED_IN.resolve(name), StandardCharsets.UTF_8)
          .equals(pages.get(name))) {
        problems.add(name + " differs from the model");
      }
    }
    onDisk.stream()
        .filter(name -> !pages.containsKey(name))
        .forEach(name -> problems.add(name + " has no command"));
    assertTrue(
        problems.isEmpty(),
        "docs/man is out of date (" + String.join("; ", problems) + "): run scripts/generate-man");
  }

  @Test
  void thereIsAPagePerCommandNamedLikeGitsPages() {
    assertTrue(
        pages
            .keySet()
            .containsAll(
                List.of(
                    "edlink-idem.1",
                    "edlink-idem-post.1",
                    "edlink-idem-replay.1",
                    "edlink-idem-journal-merge.1",
                    "edlink-idem-config-show.1",
                    "edlink-idem-config-set-token.1")),
        pages.keySet().toString());
  }

  @Test
  void everyPageHasTheStandardSectionsAndOnlyKnownRequests() {
    for (var page : pages.entrySet()) {
      String name = page.getKey().replace(".1", "");
      String text = page.getValue();
      assertTrue(
          text.startsWith(
              ManPage.GENERATED
                  + "\n.TH \""
                  + name.toUpperCase().replace("-", "\\-")
                  + "\" \"1\" \"\" \""),
          page.getKey());
      for (String section :
          List.of(
              "NAME",
              "SYNOPSIS",
              "DESCRIPTION",
              "OPTIONS",
              "EXIT STATUS",
              "EXAMPLES",
              "SEE ALSO")) {
        assertTrue(
            text.contains("\n.SH \"" + section + "\"\n"), page.getKey() + " has no " + section);
      }
      assertTrue(
          section(text, "NAME").startsWith(name.replace("-", "\\-") + " \\- "), page.getKey());
      for (String line : text.split("\n")) {
        if (line.startsWith(".") || line.startsWith("'")) {
          assertTrue(
              REQUESTS.contains(line.split(" ", 2)[0]),
              page.getKey() + ": a text line taken for a request: " + line);
        }
      }
    }
  }

  @Test
  void theVersionComesFromTheModelAndThereIsNoDate() {
    String version = Main.commandLine(null).getCommandSpec().version()[0];
    assertTrue(
        pages
            .get("edlink-idem-post.1")
            .contains(
                "\n.TH \"EDLINK\\-IDEM\\-POST\" \"1\" \"\" \""
                    + version.replace("-", "\\-")
                    + "\" "),
        pages.get("edlink-idem-post.1"));
  }

  @Test
  void replayPageHasItsKeyArgumentAndItsOptions() {
    String replay = pages.get("edlink-idem-replay.1");
    assertTrue(
        section(replay, "ARGUMENTS").contains("[\\fIKEY\\fR...]\nKeys, or unique prefixes"),
        replay);
    assertTrue(
        section(replay, "OPTIONS")
            .contains("\n\\fB\\-\\-all\\-pending\\fR\nReplay every pending entry"),
        replay);
    assertTrue(section(replay, "OPTIONS").contains("\n\\fB\\-y\\fR, \\fB\\-\\-yes\\fR\n"), replay);
    assertTrue(
        section(replay, "OPTIONS").contains("(default: 330s"),
        "defaults are rendered as in --help");
    assertTrue(
        section(replay, "SYNOPSIS").startsWith("\\fBedlink\\-idem replay\\fR [\\fB\\-hiqvVy\\fR]"),
        replay);
    assertTrue(
        section(replay, "EXAMPLES")
            .contains("\nedlink\\-idem replay \\-\\-all\\-pending \\-\\-yes\n"),
        replay);
  }

  @Test
  void globalOptionsHaveTheirOwnSectionOnSubcommandPages() {
    String merge = pages.get("edlink-idem-journal-merge.1");
    assertTrue(
        section(merge, "GLOBAL OPTIONS").contains("\\fB\\-\\-journal\\fR=\\fIDIR\\fR"), merge);
    assertFalse(section(merge, "OPTIONS").contains("\\-\\-journal"), merge);
    assertTrue(section(merge, "OPTIONS").contains("\\fB\\-\\-dry\\-run\\fR"), merge);
    assertTrue(
        section(merge, "SEE ALSO")
            .contains("\\fBedlink\\-idem\\fR(1),\n\\fBedlink\\-idem\\-journal\\fR(1)"),
        merge);
    String root = pages.get("edlink-idem.1");
    assertTrue(section(root, "OPTIONS").contains("\\fB\\-\\-journal\\fR=\\fIDIR\\fR"), root);
    assertFalse(root.contains("GLOBAL OPTIONS"), root);
  }

  @Test
  void rootPageListsEveryCommandAndLinksEveryPage() {
    String root = pages.get("edlink-idem.1");
    for (String command : Main.commandLine(null).getSubcommands().keySet()) {
      assertTrue(
          section(root, "COMMANDS").contains("\n\\fB" + command.replace("-", "\\-") + "\\fR\n"),
          command + ":\n" + root);
    }
    for (String page : pages.keySet()) {
      String reference = "\\fB" + page.replace(".1", "").replace("-", "\\-") + "\\fR(1)";
      assertEquals(
          !page.equals("edlink-idem.1"), section(root, "SEE ALSO").contains(reference), page);
    }
    assertTrue(
        section(pages.get("edlink-idem-config.1"), "COMMANDS")
            .contains("\\fBset\\-token\\fR\nStore the token"));
  }

  @Test
  void rootPageHasTheExitCodesTheEnvironmentAndTheFiles() {
    String root = pages.get("edlink-idem.1");
    String exit = section(root, "EXIT STATUS");
    for (String code : List.of("0", "1", "2", "3", "4", "5", "6", "7", "130")) {
      assertTrue(exit.contains(".TP\n\\fB" + code + "\\fR\n"), code + ":\n" + exit);
    }
    String environment = section(root, "ENVIRONMENT");
    for (String variable :
        List.of(
            "EDLINK_TOKEN",
            "EDLINK_BASE_URL",
            "EDLINK_IDEM_JOURNAL",
            "EDLINK_IDEM_PROFILE",
            "NO_COLOR",
            "EDLINK_IDEM_NOW")) {
      assertTrue(
          environment.contains(".TP\n\\fB" + variable + "\\fR\n"), variable + ":\n" + environment);
    }
    String files = section(root, "FILES");
    for (String file :
        List.of(
            "$XDG_CONFIG_HOME/edlink\\-idem/config",
            "$XDG_CONFIG_HOME/edlink\\-idem/tokens/",
            "$XDG_STATE_HOME/edlink\\-idem/",
            "$XDG_STATE_HOME/edlink\\-idem/history")) {
      assertTrue(files.contains(".TP\n\\fB" + file + "\\fR\n"), file + ":\n" + files);
    }
    assertFalse(
        pages.get("edlink-idem-post.1").contains("ENVIRONMENT"),
        "only the root page has the environment");
  }

  @Test
  void summaryIsTheFirstSentenceUpToAColonOutsideParentheses() {
    assertTrue(
        pages
            .get("edlink-idem.1")
            .contains("\nedlink\\-idem \\- Makes POSTs to the Edlink API safe to retry\n"));
    assertTrue(
        pages
            .get("edlink-idem-config-set-token.1")
            .contains(
                "\n"
                    + "edlink\\-idem\\-config\\-set\\-token \\- Store the token for a profile"
                    + " (\\-\\-profile, default: default) in a file"));
  }

  /** A command whose footer holds more than examples. */
  @Command(
      name = "odd",
      description = "Odd.",
      footerHeading = "%nExamples:%n",
      footer = {"  odd --now", "", "Exit codes: 0 fine · 2 not fine"})
  static final class OddCommand implements Runnable {
    @Override
    public void run() {}
  }

  @Test
  void aFooterLineThatIsNotAnExampleIsRefusedRatherThanPrintedAsOne() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> ManPages.of(new CommandLine(new OddCommand())));
    assertTrue(
        e.getMessage()
            .contains("'odd': footer line 'Exit codes: 0 fine · 2 not fine' is not an example"),
        e.getMessage());
    assertTrue(e.getMessage().contains("exitCodeList"), e.getMessage());
  }

  /** The text of a section, from the line after its .SH to the next .SH. */
  static String section(String page, String title) {
    String start = "\n.SH \"" + title + "\"\n";
    int from = page.indexOf(start);
    assertTrue(from >= 0, "no section " + title);
    from += start.length();
    int to = page.indexOf("\n.SH ", from);
    return page.substring(from, to < 0 ? page.length() : to + 1);
  }
}
