package dev.edlinkidem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TyposTest {
  private static final List<String> COMMANDS =
      List.of(
          "post",
          "batch",
          "replay",
          "list",
          "show",
          "expiring",
          "prune",
          "keygen",
          "reconcile",
          "journal",
          "config",
          "shell",
          "completion",
          "sandbox",
          "help");

  @ParameterizedTest
  @CsvSource({
    "lsit,list",
    "pots,post",
    "exipring,expiring",
    "expring,expiring",
    "replya,replay",
    "sandobx,sandbox",
    "reconsile,reconcile",
    "hepl,help",
    "prun,prune"
  })
  void aMistypedCommandIsRecognised(String typed, String meant) {
    assertEquals(Optional.of(meant), Typos.meant(typed, COMMANDS));
  }

  @ParameterizedTest
  @CsvSource({"frobnicate", "xyz", "postman", "list", "a"})
  void aWordTooFarOrExactGetsNoGuess(String typed) {
    assertEquals(Optional.empty(), Typos.meant(typed, COMMANDS));
  }

  @ParameterizedTest
  @CsvSource({"--dryrun,--dry-run", "--jorunal,--journal", "--retires,--retries", "--kye,--key"})
  void aMistypedOptionIsRecognised(String typed, String meant) {
    List<String> options =
        List.of("--dry-run", "--journal", "--retries", "--key", "--key-from", "-k", "-d");
    assertEquals(Optional.of(meant), Typos.meant(typed, options));
  }

  @org.junit.jupiter.api.Test
  void aOneLetterNameGetsNoGuess() {
    assertEquals(Optional.empty(), Typos.meant("-Q", List.of("-q", "-h", "-v", "-V", "-d")));
    assertEquals(Optional.empty(), Typos.meant("-x", List.of("-d", "-k", "-i")));
  }
}
