package dev.edlinkidem.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.cli.Main;
import dev.edlinkidem.shell.CommandCompleter.KeyChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jline.reader.Candidate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandCompleterTest {
  @TempDir Path dir;

  private final List<List<String>> lookups = new ArrayList<>();

  private CommandCompleter completer() {
    CommandCompleter.KeyLookup keys =
        (globals, prefix) -> {
          lookups.add(globals);
          return Stream.of(
                  new KeyChoice("pendAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true, "29d left"),
                  new KeyChoice("pendBBBBBBBBBBBBBBBBBBBBBBBBBBBB", true, "3d left"),
                  new KeyChoice("doneCCCCCCCCCCCCCCCCCCCCCCCCCCCC", false, "succeeded"))
              .filter(k -> k.key().startsWith(prefix))
              .toList();
        };
    return new CommandCompleter(
        Main.commandLine(null).getCommandSpec(),
        keys,
        () -> Set.of("default", "staging"),
        Shell.BUILTINS,
        dir,
        path -> path.startsWith("~/") ? dir + path.substring(1) : path);
  }

  private List<String> values(String line) {
    List<String> words = new ArrayList<>(Arrays.asList(line.split(" ", -1)));
    String word = words.remove(words.size() - 1);
    List<Candidate> candidates = completer().candidates(words, word);
    return candidates.stream()
        .sorted()
        .map(Candidate::value)
        .filter(v -> v.startsWith(word))
        .toList();
  }

  @Test
  void commandsAndBuiltinsAtTheStart() {
    assertEquals(List.of("reconcile", "replay"), values("re"));
    assertTrue(
        values("").containsAll(List.of("post", "replay", "list", "exit", "quit", "help")),
        values("").toString());
    assertEquals(1, values("").stream().filter("help"::equals).count(), "help once");
    assertTrue(!values("").contains("shell"), "the shell is not offered inside the shell");
    assertEquals(List.of("merge", "migrate"), values("journal m"));
    assertEquals(
        List.of("replay"), values("edlink-idem rep"), "the tool's name typed out of habit");
  }

  @Test
  void keysWherePositionalKeysGoPendingFirst() {
    assertEquals(
        List.of("pendAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "pendBBBBBBBBBBBBBBBBBBBBBBBBBBBB"),
        values("replay "),
        "replay acts on pending entries only, as the completion scripts say");
    assertEquals(List.of(), values("replay done"));
    assertEquals(
        List.of(
            "pendAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "pendBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
            "doneCCCCCCCCCCCCCCCCCCCCCCCCCCCC"),
        values("show "),
        "show takes any key, pending first");
    assertEquals(List.of("pendBBBBBBBBBBBBBBBBBBBBBBBBBBBB"), values("show pendB"));
    assertEquals(
        List.of("pendAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "pendBBBBBBBBBBBBBBBBBBBBBBBBBBBB"),
        values("reconcile --all-pending pend"));
    assertEquals(List.of(), values("post --key "), "post --key is a new key");
    assertEquals(List.of(), values("show pendAAAAAAAAAAAAAAAAAAAAAAAAAAAA "), "show takes one key");
  }

  @Test
  void theLinesOwnJournalReachesTheKeyLookup() {
    values("--journal /tmp/other replay ");
    values("show --profile=staging ");
    assertEquals(
        List.of(List.of("--journal", "/tmp/other"), List.of("--profile=staging")), lookups);
  }

  @Test
  void optionsOfTheCommandAndInheritedOnesNotTwice() {
    List<String> list = values("list --");
    assertTrue(
        list.containsAll(List.of("--state", "--format", "--journal", "--profile", "--help")),
        list.toString());
    assertFalse(values("list --format keys --").contains("--format"), "given already");
    assertTrue(values("post /x --allow-host a --").contains("--allow-host"), "repeatable");
  }

  @Test
  void valuesByKind() {
    assertEquals(List.of("csv", "json", "jsonl", "keys", "table"), values("list --format "));
    assertEquals(List.of("--state=pending"), values("list --state=p"));
    assertEquals(List.of("always", "auto"), values("list --color a"));
    assertTrue(values("expiring --within ").contains("72h"));
    assertEquals(List.of("staging"), values("list --profile s"));
    assertEquals(List.of(), values("list --path-prefix "), "free text");
  }

  @Test
  void fileNamesAfterAtAndForFileOptions() throws Exception {
    Files.writeString(dir.resolve("essay.json"), "{}");
    Files.createDirectory(dir.resolve("bodies"));
    Files.writeString(dir.resolve("bodies/one.json"), "{}");
    Files.writeString(dir.resolve(".hidden"), "");
    assertEquals(List.of("@bodies/", "@essay.json"), values("post /x -d @"));
    assertEquals(List.of("@bodies/one.json"), values("post /x -d @bodies/"));
    assertEquals(List.of("@", "@-"), values("post /x -d "));
    assertEquals(
        List.of("-d@essay.json"), values("post /x -d@es"), "a short option's value attached");
    assertEquals(List.of("@~/essay.json"), values("post /x -d @~/es"), "~ is the home directory");
    assertEquals(List.of("essay.json"), values("post /x --token-file es"));
    assertEquals(List.of("bodies/"), values("list --journal "), "directories only");
    String absolute = dir + "/ess";
    assertEquals(List.of(dir + "/essay.json"), values("journal merge " + absolute));
  }
}
