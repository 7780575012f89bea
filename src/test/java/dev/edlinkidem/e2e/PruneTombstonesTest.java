package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.DiskFaults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A batch re-run after its window is refused, and stays refused after prune removes the entries:
 * prune keeps a tombstone per key, and only {@code prune --tombstones} lets the keys be sent again.
 */
// Alone: one test plans a DiskFaults failure, which is process-wide, so another test
// journaling meanwhile could take it.
@Isolated
class PruneTombstonesTest extends SandboxCase {
  private final String day31 = Instant.now().plus(Duration.ofDays(31)).toString();

  private Path plan() throws Exception {
    Path f = tmp.resolve("plan.jsonl");
    Files.writeString(f, BatchTest.lines(5), StandardCharsets.UTF_8);
    return f;
  }

  private Cli.Result at31(String... args) {
    return cli().env("EDLINK_IDEM_NOW", day31).run(args);
  }

  @Test
  void aPrunedBatchRunAgainIsRefusedUntilItsTombstonesAreForgotten() throws Exception {
    Path f = plan();
    assertEquals(0, cli().run("batch", f.toString()).code());
    assertEquals(5, stat("creates"));
    List<String> keys = entries().stream().map(e -> e.key()).toList();

    Cli.Result before = at31("batch", f.toString());
    assertEquals(3, before.code(), "refused at day 31, before prune: " + before);

    Cli.Result pruned = at31("prune");
    assertEquals(0, pruned.code(), pruned.toString());
    assertTrue(pruned.out().contains("removed 5 entries"), pruned.out());
    assertEquals(0, entries().size());

    Cli.Result after = at31("batch", f.toString());
    assertEquals(3, after.code(), "still refused after prune: " + after);
    assertTrue(after.err().contains("prune removed its entry"), after.err());
    assertEquals(5, stat("creates"), "nothing created twice: " + log);

    String key = keys.get(0);
    Cli.Result post =
        at31(
            "post",
            "/api/v2/graph/classes/00000000-0000-4000-8000-000000000001/assignments",
            "-d",
            "{\"title\":\"again\"}",
            "-k",
            key);
    assertEquals(3, post.code(), post.toString());
    assertTrue(post.err().contains("'edlink-idem prune --tombstones' forgets"), post.err());
    Cli.Result show = at31("show", key);
    assertEquals(2, show.code(), show.toString());
    assertTrue(show.err().contains("prune removed it after its"), show.err());

    // Another job's journal, with the same lines still pending there, merged in: not taken.
    Path other = tmp.resolve("other");
    sandbox.setFaults(faults(0, 1, 0, 0, Duration.ZERO)); // every answer lost before the work
    cli().env("EDLINK_IDEM_JOURNAL", other.toString()).run("batch", f.toString(), "--retries", "0");
    sandbox.setFaults(faults(0, 0, 0, 0, Duration.ZERO));
    Cli.Result merged = at31("journal", "merge", other.toString());
    assertTrue(merged.err().contains("pruned here after its window ended"), merged.toString());
    assertEquals(0, entries().size(), "no pruned key merged back");

    Cli.Result dry = at31("prune", "--tombstones", "--dry-run");
    assertEquals(0, dry.code(), dry.toString());
    assertTrue(dry.out().contains("would forget 5 pruned keys"), dry.out());
    assertEquals(3, at31("batch", f.toString()).code(), "a dry run forgets nothing");

    Cli.Result forgot = at31("prune", "--tombstones");
    assertTrue(forgot.out().contains("forgot 5 pruned keys"), forgot.out());
    int sent = stat("requests");
    Cli.Result fresh = at31("batch", f.toString());
    assertEquals(0, fresh.code(), "sent again, as asked: " + fresh);
    // The sandbox's clock is the real one, so it still knows the keys and answers from memory.
    assertEquals(sent + 5, stat("requests"), log.toString());
  }

  @Test
  void aKeyPrunedUnderAClockAheadStaysRefusedWhenTheClockSaysItsWindowIsOpen() throws Exception {
    Path f = plan();
    assertEquals(0, cli().run("batch", f.toString()).code());
    assertEquals(0, at31("prune").code(), "pruned under a what-if clock, a month early");

    // Back at the real now the window looks open; but which clock is right cannot be told here,
    // and if it is this one that is behind, Edlink has forgotten the keys: refused, not sent.
    Cli.Result again = cli().run("batch", f.toString());
    assertEquals(3, again.code(), again.toString());
    assertEquals(5, stat("requests"), "nothing sent: " + log);
    assertEquals(0, entries().size());
  }

  @Test
  void anotherRequestUnderAKeyPrunedEarlyIsRefusedNotAnsweredWithTheFirstOnesResponse()
      throws Exception {
    Path f = plan();
    assertEquals(0, cli().run("batch", f.toString()).code());
    String key = entries().get(0).key();
    assertEquals(0, at31("prune").code());

    Cli.Result post =
        cli()
            .run(
                "post",
                "/api/v2/graph/classes/00000000-0000-4000-8000-000000000001/assignments",
                "-d",
                "{\"title\":\"something else\"}",
                "-k",
                key);
    assertEquals(3, post.code(), post.toString());
    assertEquals(5, stat("requests"), "nothing sent: " + log);
  }

  @Test
  void aTombstoneThatCannotBeWrittenLeavesTheEntriesInPlace() throws Exception {
    Path f = plan();
    assertEquals(0, cli().run("batch", f.toString()).code());
    Cli.Result pruned;
    try (DiskFaults.Plan fault =
        DiskFaults.failOn(DiskFaults.Step.FORCE, "tombstones.jsonl", "Input/output error")) {
      pruned = at31("prune");
      assertTrue(String.valueOf(fault.failedAt()).endsWith("tombstones.jsonl"), pruned.toString());
    }
    assertEquals(1, pruned.code(), pruned.toString());
    assertTrue(pruned.err().contains("it is unchanged"), pruned.err());
    assertEquals(5, entries().size(), "no entry removed without its tombstone");
    assertEquals(3, at31("batch", f.toString()).code());
    assertEquals(5, stat("creates"));
  }

  @Test
  void tombstonesAndIncludePendingTogetherAreAUsageError() {
    Cli.Result r = cli().run("prune", "--tombstones", "--include-pending");
    assertEquals(2, r.code(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
  }
}
