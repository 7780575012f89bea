package dev.edlinkidem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.cli.command.KeygenCommand;
import dev.edlinkidem.cli.command.PostCommand;
import dev.edlinkidem.e2e.Cli;
import java.util.List;
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

  @Test
  void eachCommandIsFoundByTheNameItsAnnotationGives() {
    assertEquals(15, EdlinkIdem.COMMANDS.size());
    EdlinkIdem.COMMANDS.forEach(
        (name, command) ->
            assertEquals(
                command.getAnnotation(picocli.CommandLine.Command.class).name(),
                name,
                command.getSimpleName()));
    assertEquals(
        List.of("post", "batch", "replay", "list", "show", "expiring", "prune", "keygen"),
        List.copyOf(EdlinkIdem.COMMANDS.keySet()).subList(0, 8),
        "help's order");
  }

  @Test
  void aMistypedCommandIsAUsageErrorThatSaysWhichOneWasMeant() {
    Cli.Result r = new Cli().run("psot", "/x");
    assertEquals(2, r.code());
    assertEquals(
        "edlink-idem: unknown command 'psot'; did you mean 'post'? (see 'edlink-idem --help')\n",
        r.err());
  }

  @Test
  void theRootsHelpListsEveryCommandAndGlobalOptionsWorkAfterTheCommand() {
    String help = new Cli().run("--help").out();
    for (Class<?> command : EdlinkIdem.COMMANDS.values()) {
      String name = command.getAnnotation(picocli.CommandLine.Command.class).name();
      assertTrue(help.contains("  " + name + " "), name + " in\n" + help);
    }
    Cli.Result keys = new Cli().run("keygen", "-n", "2", "--color", "never");
    assertEquals(0, keys.code(), keys.err());
    assertEquals(2, keys.out().lines().count());
  }

  @Test
  void theVersionAloneIsAnsweredByTheRootAndTheVersionWithMoreAsBefore() {
    assertTrue(Main.asksVersionOnly(new String[] {"--version"}));
    assertTrue(Main.asksVersionOnly(new String[] {"-V"}));
    assertFalse(Main.asksVersionOnly(new String[] {"--version", "post"}));
    assertFalse(Main.asksVersionOnly(new String[] {"post", "--version"}));
    for (String[] args :
        List.of(
            new String[] {"--version"}, new String[] {"-V"}, new String[] {"--version", "-q"})) {
      Cli.Result r = new Cli().run(args);
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().matches("edlink-idem \\S+\n"), r.out());
    }
  }
}
