package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.DiskFaults;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.sandbox.Faults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The journal's disk failing at each step of a command, one step at a time, as SQLite's I/O-error
 * tests do: every write and every force (fsync) of post and replay, with the answer arriving or
 * lost. Whatever failed, the tool's words must be true, and doing what they say must end in exactly
 * one creation: "nothing was sent" only when Edlink saw nothing, and then no entry is left that a
 * later replay would send; otherwise the replay command, and replaying it creates nothing more.
 */
// Alone: a DiskFaults plan is process-wide, so another test journaling meanwhile would take
// the planned failure or shift the count of steps.
@Isolated
class JournalStepFaultsTest extends SandboxCase {
  private static final String EIO = "Input/output error";

  private int run;

  /**
   * A command whose journal steps fail in turn: {@code setUp} prepares its key with no disk fault,
   * {@code answer} is what the sandbox does to the command's first request.
   */
  private record Scenario(
      String name, Setup setUp, Faults answer, Function<Ctx, Cli.Result> command) {}

  private interface Setup {
    void run(Ctx c);
  }

  private record Ctx(Cli cli, String key) {}

  private static Cli.Result post(Ctx c) {
    return c.cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", c.key(), "--retries", "0");
  }

  private final List<Scenario> scenarios =
      List.of(
          new Scenario("post, answered", c -> {}, Faults.NONE, JournalStepFaultsTest::post),
          new Scenario(
              "post, answer lost",
              c -> {},
              faults(1, 0, 0, 0, Duration.ZERO),
              JournalStepFaultsTest::post),
          new Scenario(
              "replay, answered",
              c -> {
                sandbox.setFaults(faults(0, 1, 0, 0, Duration.ZERO)); // lost before it arrived
                Cli.Result pending = post(c);
                assertEquals(6, pending.code(), pending.toString());
                sandbox.setFaults(Faults.NONE);
              },
              Faults.NONE,
              c -> c.cli().run("replay", c.key())),
          new Scenario(
              "replay, answer lost",
              c -> {
                sandbox.setFaults(faults(0, 1, 0, 0, Duration.ZERO));
                assertEquals(6, post(c).code());
                sandbox.setFaults(Faults.NONE);
              },
              faults(1, 0, 0, 0, Duration.ZERO),
              c -> c.cli().run("replay", c.key(), "--retries", "0")),
          new Scenario("batch, answered", c -> {}, Faults.NONE, this::batch),
          new Scenario(
              "batch, answer lost", c -> {}, faults(1, 0, 0, 0, Duration.ZERO), this::batch));

  /** A one-line batch whose line is this run's own; its key is derived from the line. */
  private Cli.Result batch(Ctx c) {
    Path file = tmp.resolve(c.key() + ".jsonl");
    try {
      Files.writeString(
          file,
          "{\"path\":\""
              + ASSIGNMENTS
              + "\",\"body\":{\"title\":\""
              + c.key()
              + "\",\"description\":\"d\",\"due_date\":\"2026-12-01T23:59:00Z\","
              + "\"grading_type\":\"points\"}}\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return c.cli().run("batch", file.toString(), "--retries", "0");
  }

  @Test
  void everyFailingWriteOrForceTellsTheTruthAndItsAdviceCreatesOnce() throws Exception {
    List<String> cases = new ArrayList<>();
    for (Scenario s : scenarios) {
      for (DiskFaults.Step step : DiskFaults.Step.values()) {
        int steps = attempt(s, step, 0, cases);
        assertTrue(steps > 0, s.name() + " takes " + step + " steps");
        for (int n = 1; n <= steps; n++) {
          attempt(s, step, n, cases);
        }
      }
    }
    assertTrue(cases.size() > 20, "cases tried: " + cases);
    System.out.println("journal step faults: " + cases.size() + " cases: " + cases);
  }

  /**
   * Runs the scenario with step {@code n} of its kind failing (0: none, to count them), checks what
   * was said against what the sandbox saw, follows the advice, and returns the steps counted.
   */
  private int attempt(Scenario s, DiskFaults.Step step, int n, List<String> cases)
      throws Exception {
    String key = "step-" + (++run);
    Ctx ctx = new Ctx(cli().env("EDLINK_IDEM_JOURNAL", tmp.resolve("j-" + run).toString()), key);
    s.setUp().run(ctx);
    Cli cli = ctx.cli();
    Path journal = tmp.resolve("j-" + run);
    int requestsBefore = stat("requests");
    int createsBefore = stat("creates");
    if (s.answer().any()) {
      faultOnce(s.answer());
    }
    Cli.Result r;
    int counted;
    String failedAt;
    try (DiskFaults.Plan plan = DiskFaults.fail(step, n, EIO)) {
      r = s.command().apply(ctx);
      counted = plan.seen();
      failedAt = plan.failedAt();
    }
    sandbox.setFaults(Faults.NONE);
    onRequest = line -> {};
    String what = s.name() + ", " + step + " " + n + " failing (" + failedAt + "): " + r;
    cases.add(s.name() + "/" + step + "/" + n);
    boolean edlinkSawIt = stat("requests") > requestsBefore;
    boolean saidNothingSent = r.err().contains("nothing was sent");

    if (n == 0) {
      assertFalse(saidNothingSent, what);
    }
    if (s.name().startsWith("batch")) {
      assertFalse(
          saidNothingSent && edlinkSawIt, "said nothing was sent, but Edlink saw it: " + what);
      if (r.code() != 0) {
        // What a CI job does with a failed batch, and what its summary says for pending lines.
        assertTrue(
            r.err().contains("run the same batch again to finish"),
            "the summary says that running it again finishes the line: " + what);
        Cli.Result again = s.command().apply(ctx);
        assertEquals(0, again.code(), "the batch run again: " + again + "\nafter " + what);
      }
    } else if (saidNothingSent) {
      assertFalse(edlinkSawIt, "said nothing was sent, but Edlink saw it: " + what);
      assertEquals(1, r.code(), what);
      // As the words invite: post it again with a new key, then a routine replay of the journal.
      Cli.Result again = cli.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", key + "-new");
      assertEquals(0, again.code(), again.toString());
    } else if (r.code() != 0) {
      assertTrue(
          r.err().contains("edlink-idem replay " + key) || r.err().contains("replay it"),
          "a failure after a possible send names the replay: " + what);
      Cli.Result replay = cli.run("replay", key);
      assertEquals(0, replay.code(), "the replay the tool named: " + replay + "\nafter " + what);
    }
    Cli.Result routine = cli.run("replay", "--all-pending", "--yes");
    assertEquals(0, routine.code(), routine.toString());
    int creates = stat("creates") - createsBefore;
    assertEquals(1, creates, "one effect for one intent: " + what);
    if (saidNothingSent) {
      try (FileJournal j = FileJournal.open(journal)) {
        List<Entry> left = j.entries().stream().filter(e -> e.key().equals(key)).toList();
        assertTrue(left.isEmpty(), "no sendable entry is left for " + key + ": " + left);
      }
    }
    return counted;
  }
}
