package dev.edlinkidem.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edlinkidem.cli.Main;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class ValueKindTest {
  private final CommandLine model = Main.commandLine(null);

  private CommandSpec command(String... path) {
    CommandLine cli = model;
    for (String name : path) {
      cli = cli.getSubcommands().get(name);
    }
    return cli.getCommandSpec();
  }

  private ValueKind option(String name, String... path) {
    return ValueKind.of(command(path).findOption(name));
  }

  @Test
  void keysAreOnlyTheJournalsKeys() {
    assertEquals(ValueKind.KEY, ValueKind.of(command("replay").positionalParameters().get(0)));
    assertEquals(ValueKind.KEY, ValueKind.of(command("show").positionalParameters().get(0)));
    assertEquals(ValueKind.KEY, ValueKind.of(command("reconcile").positionalParameters().get(0)));
    assertEquals(ValueKind.TEXT, option("--key", "post"), "post --key names a new key");
  }

  @Test
  void valuesOfEveryKind() {
    assertEquals(ValueKind.NONE, option("--dry-run", "post"));
    assertEquals(ValueKind.BODY, option("--data", "post"));
    assertEquals(ValueKind.FILE, option("--token-file", "post"));
    assertEquals(ValueKind.DIRECTORY, option("--journal", "list"), "inherited from the root");
    assertEquals(
        ValueKind.FILE_OR_DIRECTORY,
        ValueKind.of(command("journal", "merge").positionalParameters().get(0)));
    assertEquals(ValueKind.DURATION, option("--within", "expiring"));
    assertEquals(ValueKind.DURATION, option("--latency", "sandbox"));
    assertEquals(ValueKind.PROFILE, option("--profile", "show"));
    assertEquals(ValueKind.TEXT, option("--path-prefix", "list"));
    assertEquals(ValueKind.CHOICE, option("--state", "list"));
    assertEquals(
        List.of("pending", "succeeded", "failed", "all"),
        ValueKind.choices(command("list").findOption("--state")));
    assertEquals(
        List.of("table", "json", "jsonl", "csv", "keys"),
        ValueKind.choices(command("list").findOption("--format")));
    assertEquals(
        List.of("auto", "always", "never"), ValueKind.choices(command().findOption("--color")));
    assertEquals(List.of(), ValueKind.choices(command("post").findOption("--dry-run")));
  }
}
