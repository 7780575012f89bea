package dev.edlinkidem.completion;

import static org.junit.jupiter.api.Assertions.fail;

import dev.edlinkidem.cli.Main;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The scripts in completions/ are what the command model generates today. */
class CheckedInScriptsTest {
  @ParameterizedTest
  @EnumSource(ShellKind.class)
  void theCheckedInScriptIsUpToDate(ShellKind shell) throws Exception {
    Path file = Path.of("completions", shell.fileName());
    String fix = ": run scripts/generate-completions and commit the result.";
    if (!Files.isRegularFile(file)) {
      fail(file + " is missing" + fix);
    }
    String generated = shell.script(Main.commandLine(null));
    String checkedIn = Files.readString(file, StandardCharsets.UTF_8);
    if (!generated.equals(checkedIn)) {
      fail(file + " is stale" + fix + " " + firstDifference(generated, checkedIn));
    }
  }

  /**
   * Where two texts part, as a line number and both lines, so that the failure says what changed.
   */
  static String firstDifference(String expected, String actual) {
    String[] want = expected.split("\n", -1);
    String[] have = actual.split("\n", -1);
    for (int i = 0; i < Math.max(want.length, have.length); i++) {
      String w = i < want.length ? want[i] : "(end of file)";
      String h = i < have.length ? have[i] : "(end of file)";
      if (!w.equals(h)) {
        return "Line " + (i + 1) + " is\n  " + h + "\nbut the command model generates\n  " + w;
      }
    }
    return "They differ.";
  }
}
