package dev.edlinkidem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every command's --help has a description, examples and the exit codes. */
class HelpTest {
  @Test
  void everyCommandsHelpHasExamplesAndExitCodes() {
    List<List<String>> paths = HelpChecks.commandPaths();
    assertTrue(paths.size() >= 14, paths.toString());
    List<String> missing = new ArrayList<>();
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Invocation invocation =
          new Invocation(
              new ByteArrayInputStream(new byte[0]),
              out,
              new ByteArrayOutputStream(),
              Map.of(),
              Invocation.Terminal.NONE,
              new SecureRandom());
      assertEquals(0, Main.run(invocation, args.toArray(String[]::new)), path.toString());
      invocation.out().flush();
      String help = out.toString(StandardCharsets.UTF_8);
      String name = String.join(" ", path);
      assertTrue(help.contains("Usage: edlink-idem"), name + ":\n" + help);
      if (!help.contains("Examples:")) {
        missing.add("'" + name + "' has no examples");
      }
      if (!help.contains("Exit codes")) {
        missing.add("'" + name + "' has no exit codes");
      }
    }
    assertEquals(List.of(), missing);
  }
}
