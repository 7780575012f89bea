package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A mistyped command or option says what was meant; {@code help} shows any command's help. */
class HelpAndTyposTest {
  @TempDir Path tmp;

  private Cli cli() {
    return new Cli().env("HOME", tmp.toString()).env("EDLINK_IDEM_JOURNAL", tmp.toString());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "lsit|unknown command 'lsit'; did you mean 'list'? (see 'edlink-idem --help')",
        "pots /x|unknown command 'pots'; did you mean 'post'? (see 'edlink-idem --help')",
        "exipring|unknown command 'exipring'; did you mean 'expiring'? (see 'edlink-idem --help')",
        "journal merg x|unknown command 'merg'; did you mean 'merge'? (see 'edlink-idem journal"
            + " --help')",
        "post /x --dryrun|unknown option '--dryrun'; did you mean '--dry-run'? (see 'edlink-idem"
            + " post --help')",
        "post /x --dryrun=yes|unknown option '--dryrun'; did you mean '--dry-run'? (see"
            + " 'edlink-idem post --help')",
        "--jornal /tmp/j list|unknown option '--jornal'; did you mean '--journal'? (see"
            + " 'edlink-idem --help')",
        "frobnicate|unknown command 'frobnicate' (see 'edlink-idem --help')",
        "confg show|unknown command 'confg'; did you mean 'config'? (see 'edlink-idem --help')",
        "--profile ci confg show|unknown command 'confg'; did you mean 'config'? (see"
            + " 'edlink-idem --help')",
        "help lsit|unknown command 'lsit'; did you mean 'list'? (see 'edlink-idem --help')",
        "help journal merg|unknown command 'merg'; did you mean 'merge'? (see 'edlink-idem"
            + " journal --help')"
      })
  void aMistakeGetsOneLineAndTheLikelyMeaning(String line, String message) {
    Cli.Result r = cli().run(line.split(" "));
    assertEquals(2, r.code(), r.toString());
    assertEquals("edlink-idem: " + message + "\n", r.err());
    assertEquals("", r.out());
  }

  @Test
  void helpShowsWhatDashDashHelpShows() {
    for (List<String> command :
        List.<List<String>>of(
            List.of(), List.of("post"), List.of("journal", "merge"), List.of("help"))) {
      List<String> help = new java.util.ArrayList<>(List.of("help"));
      help.addAll(command);
      List<String> dashDash = new java.util.ArrayList<>(command);
      dashDash.add("--help");
      Cli.Result viaHelp = cli().run(help.toArray(String[]::new));
      Cli.Result viaOption = cli().run(dashDash.toArray(String[]::new));
      assertEquals(0, viaHelp.code(), viaHelp.toString());
      assertEquals(viaOption.out(), viaHelp.out(), command.toString());
      assertTrue(viaHelp.out().startsWith("Usage: edlink-idem"), viaHelp.out());
      assertEquals("", viaHelp.err());
    }
  }

  @Test
  void theRootsHelpListsHelpAndPointsToIt() {
    String out = cli().run("--help").out();
    assertTrue(out.contains("\n  help "), out);
    assertTrue(out.contains("edlink-idem help <command>"), out);
  }
}
