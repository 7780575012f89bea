package dev.edlinkidem.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.cli.Main;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandTreeTest {
  private final CommandTree root = CommandTree.of(Main.commandLine(null));

  private CommandTree at(String path) {
    return root.all().stream()
        .filter(c -> String.join(" ", c.path()).equals(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no command " + path));
  }

  private CommandTree.Option option(String path, String name) {
    return at(path).options().stream()
        .filter(o -> o.names().contains(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(path + " has no " + name));
  }

  @Test
  void walksNestedCommands() {
    List<String> paths = root.all().stream().map(c -> String.join(" ", c.path())).toList();
    assertTrue(
        paths.containsAll(
            List.of(
                "edlink-idem",
                "edlink-idem replay",
                "edlink-idem journal merge",
                "edlink-idem config show",
                "edlink-idem config set-token",
                "edlink-idem completion")),
        paths.toString());
    assertEquals(
        List.of("merge", "migrate"),
        at("edlink-idem journal").subcommands().stream().map(CommandTree::name).toList());
  }

  @Test
  void nestedCommandsHaveTheInheritedGlobalOptions() {
    assertEquals(ValueKind.DIRECTORY, option("edlink-idem journal merge", "--journal").kind());
    assertEquals(
        List.of("auto", "always", "never"), option("edlink-idem config show", "--color").values());
    assertEquals(List.of("-q"), option("edlink-idem list", "--quiet").shortNames());
  }

  @Test
  void configSetOffersTheSettingsFirstAndThenNothing() {
    CommandTree set = at("edlink-idem config set");
    assertEquals(ValueKind.CHOICE, set.argument().kind());
    assertEquals(
        List.of(
            "base-url",
            "journal",
            "journal-password-file",
            "token-file",
            "retries",
            "proxy",
            "noproxy",
            "cacert"),
        set.argument().values());
    assertEquals(ValueKind.TEXT, set.later().kind());
    assertTrue(!set.laterAsFirst());
  }

  @Test
  void helpOffersTheCommands() {
    CommandTree.Argument command = at("edlink-idem help").argument();
    assertEquals(ValueKind.CHOICE, command.kind());
    assertEquals(root.subcommands().stream().map(CommandTree::name).toList(), command.values());
    assertTrue(
        command.values().containsAll(List.of("post", "journal", "help")),
        command.values().toString());
    assertEquals(
        ValueKind.TEXT,
        at("edlink-idem help").later().kind(),
        "after 'help journal' the commands are not offered again");
  }

  @Test
  void replayAndReconcileOfferPendingKeysAndShowEveryKey() {
    List<String> pending = List.of("list", "--format", "keys", "--state", "pending");
    assertEquals(pending, at("edlink-idem replay").argument().listKeys());
    assertEquals(pending, at("edlink-idem reconcile").argument().listKeys());
    assertEquals(List.of("list", "--format", "keys"), at("edlink-idem show").argument().listKeys());
    assertTrue(at("edlink-idem replay").argument().repeatable());
    assertEquals(ValueKind.NONE, at("edlink-idem list").argument().kind());
    assertTrue(at("edlink-idem replay").laterAsFirst());
    assertEquals(ValueKind.NONE, at("edlink-idem show").later().kind(), "show takes one key");
    assertEquals(List.of("bash", "zsh", "fish"), at("edlink-idem completion").argument().values());
  }

  @Test
  void summariesAreOneShortLine() {
    assertEquals(
        "Journal directory or postgres://USER@HOST:PORT/DB",
        option("edlink-idem list", "--journal").summary());
    assertEquals("How many keys", option("edlink-idem keygen", "-n").summary());
    assertEquals("List journal entries, newest first", at("edlink-idem list").summary());
    for (CommandTree command : root.all()) {
      assertTrue(
          !command.summary().isEmpty() && command.summary().length() <= 120,
          command.path().toString());
    }
  }
}
