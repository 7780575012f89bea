package dev.edlinkidem.tty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TmuxTest {
  @TempDir Path tmp;

  private Tmux start(String script) {
    assumeTrue(
        Tmux.available(), "tmux not installed: apt-get install tmux (.ci/run does, as root)");
    return Tmux.start(
        List.of("sh", "-c", script),
        Map.of("PATH", System.getenv("PATH"), "GREETING", "hello"),
        tmp,
        40,
        10);
  }

  @Test
  void typesIntoATerminalOfTheGivenSizeAndReadsTheScreen() {
    Tmux terminal =
        start("stty size; pwd; printf 'name: '; read name; echo \"$GREETING $name\"; sleep 600");
    try {
      terminal.waitFor("10 40");
      terminal.waitFor(tmp.toString());
      assertEquals(
          "name:", terminal.waitForCursorLine(l -> l.startsWith("name:"), "the prompt").strip());
      terminal.sendKeys("Ada Lovelace").sendKey("Enter");
      assertTrue(terminal.waitFor("hello Ada Lovelace").contains("name: Ada Lovelace"));
      assertTrue(terminal.alive());
    } finally {
      terminal.close();
    }
    assertFalse(terminal.alive(), "closing ends the command");
  }

  @Test
  void waitingFailsWithTheScreenWhenTheTextNeverComes() {
    try (Tmux terminal = start("echo ready; sleep 600")) {
      terminal.waitFor("ready");
      AssertionError e =
          assertThrows(
              AssertionError.class,
              () -> terminal.waitFor(s -> s.contains("never"), "'never'", Duration.ofMillis(300)));
      assertTrue(
          e.getMessage().contains("waiting for 'never'") && e.getMessage().contains("ready"),
          e.getMessage());
    }
  }
}
