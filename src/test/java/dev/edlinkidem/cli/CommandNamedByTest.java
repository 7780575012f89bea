package dev.edlinkidem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.cli.command.KeygenCommand;
import dev.edlinkidem.cli.command.PostCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Main registers only the command a line names; everything else still sees every command. */
class CommandNamedByTest {
  @Test
  void findsTheFirstWordThatIsNotAGlobalOptionsValue() {
    assertEquals(KeygenCommand.class, Main.commandNamedBy(new String[] {"keygen", "-n", "3"}));
    assertEquals(
        KeygenCommand.class, Main.commandNamedBy(new String[] {"--journal", "post", "keygen"}));
    assertEquals(
        PostCommand.class,
        Main.commandNamedBy(new String[] {"--profile", "sandbox", "-q", "post", "/x"}));
    assertEquals(PostCommand.class, Main.commandNamedBy(new String[] {"--journal=/tmp/j", "post"}));
    assertNull(Main.commandNamedBy(new String[] {"psot"}));
    assertNull(Main.commandNamedBy(new String[] {"--help"}));
    assertNull(
        Main.commandNamedBy(new String[] {"-h", "batch"}), "the root's help, with every command");
    assertNull(Main.commandNamedBy(new String[] {}));
  }

  private static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Invocation invocation =
        new Invocation(
            new ByteArrayInputStream(new byte[0]),
            out,
            err,
            Map.of(),
            Invocation.Terminal.NONE,
            new SecureRandom());
    int code = Main.run(invocation, args);
    invocation.out().flush();
    invocation.err().flush();
    return new String[] {
      String.valueOf(code),
      out.toString(StandardCharsets.UTF_8),
      err.toString(StandardCharsets.UTF_8)
    };
  }

  @Test
  void aMistypedCommandIsStillAUsageError() {
    String[] r = run("psot", "/x");
    assertEquals("2", r[0]);
    assertTrue(
        r[2].contains("Unmatched arguments from index 0: 'psot'") && r[2].contains("--help"), r[2]);
  }

  @Test
  void theRootsHelpListsEveryCommandAndGlobalOptionsWorkAfterTheCommand() {
    String[] help = run("--help");
    for (Class<?> command : EdlinkIdem.COMMANDS) {
      String name = command.getAnnotation(picocli.CommandLine.Command.class).name();
      assertTrue(help[1].contains("  " + name + " "), name + " in\n" + help[1]);
    }
    String[] keys = run("keygen", "-n", "2", "--color", "never");
    assertEquals("0", keys[0], keys[2]);
    assertEquals(2, keys[1].lines().count());
  }
}
