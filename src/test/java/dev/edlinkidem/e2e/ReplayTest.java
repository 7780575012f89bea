package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.sandbox.Faults;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code replay} through the real command line against the sandbox. */
class ReplayTest extends SandboxCase {
  /** Posts with every answer lost after the work is done: created on the sandbox, pending here. */
  private void postLost(String key) {
    sandbox.setFaults(faults(1, 0, 0, 0, Duration.ZERO));
    Cli.Result r =
        cli()
            .run(
                "post",
                ASSIGNMENTS,
                "-d",
                ESSAY.replace("Essay", key),
                "-k",
                key,
                "--retries",
                "0");
    assertEquals(6, r.code(), r.toString());
    sandbox.setFaults(Faults.NONE);
  }

  @Test
  void allPendingResolvesEveryPendingEntryWithOneCreationEach() throws Exception {
    for (String key : new String[] {"lost-aaaa1", "lost-bbbb2", "lost-cccc3"}) {
      postLost(key);
    }
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "fine-1").code());
    assertEquals(4, stat("creates"));
    Cli.Result r = cli().run("replay", "--all-pending", "--yes");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.err().contains("replay: 3 resolved, 0 still pending, 0 refused"), r.err());
    assertEquals(4, stat("creates"), "replays create nothing new");
    assertEquals(3, stat("replays"));
    assertEquals(3, r.out().lines().count(), r.out());
    assertTrue(r.out().contains("lost-aaaa1\tsucceeded\t200"), r.out());
    for (String key : new String[] {"lost-aaaa1", "lost-bbbb2", "lost-cccc3"}) {
      assertEquals(EntryState.SUCCEEDED, entry(key).state());
    }
  }

  @Test
  void aUniquePrefixOfSixCharactersNamesAKey() throws Exception {
    postLost("prefix-test-key");
    Cli.Result r = cli().run("replay", "prefix");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("\"$data\""), "a single key prints the body: " + r.out());
    assertEquals(EntryState.SUCCEEDED, entry("prefix-test-key").state());
  }

  @Test
  void anAmbiguousPrefixIsAUsageError() throws Exception {
    postLost("shared-1");
    postLost("shared-2");
    Cli.Result r = cli().run("replay", "shared");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("ambiguous"), r.err());
  }

  @Test
  void aFinishedEntryPrintsItsRecordedResponseWithoutSending() throws Exception {
    Cli.Result post = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "finished-1");
    int requests = stat("requests");
    Cli.Result r = cli().run("replay", "finished-1");
    assertEquals(0, r.code(), r.toString());
    assertArrayEquals(post.stdout(), r.stdout());
    assertEquals(requests, stat("requests"));
    assertTrue(r.err().contains("recorded response from the journal, not sent"), r.err());
  }

  @Test
  void entriesPastTheirWindowAreRefusedAndCounted() throws Exception {
    postLost("expiring-1");
    Instant created = entry("expiring-1").created();
    String after = created.plus(Duration.ofDays(30)).toString();
    Cli.Result r = cli().env("EDLINK_IDEM_NOW", after).run("replay", "--all-pending", "--yes");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.out().contains("expiring-1\trefused"), r.out());
    assertEquals(EntryState.PENDING, entry("expiring-1").state());
  }

  @Test
  void onATerminalAllPendingAsksFirst() throws Exception {
    postLost("ask-1");
    Cli.Result no =
        cli().terminal(Invocation.Terminal.ALL).stdin("n\n").run("replay", "--all-pending");
    assertEquals(130, no.code(), no.toString());
    assertTrue(no.err().contains("Replay 1 pending request to"), no.err());
    assertEquals(EntryState.PENDING, entry("ask-1").state());
    Cli.Result yes =
        cli().terminal(Invocation.Terminal.ALL).stdin("y\n").run("replay", "--all-pending");
    assertEquals(0, yes.code(), yes.toString());
    assertEquals(EntryState.SUCCEEDED, entry("ask-1").state());
  }

  @Test
  void withoutATerminalItNeverAsks() throws Exception {
    postLost("no-ask-1");
    Cli.Result r = cli().stdin("").run("replay", "--all-pending");
    assertEquals(0, r.code(), r.toString());
    assertEquals(EntryState.SUCCEEDED, entry("no-ask-1").state());
  }

  @Test
  void stillNoAnswerIsCountedAsStillPending() throws Exception {
    postLost("again-1");
    postLost("again-2");
    sandbox.setFaults(faults(0, 1, 0, 0, Duration.ZERO));
    Cli.Result r = cli().run("replay", "--all-pending", "--retries", "0");
    assertEquals(6, r.code(), r.toString());
    assertTrue(r.err().contains("replay: 0 resolved, 2 still pending, 0 refused"), r.err());
    assertTrue(
        r.out().contains("again-1\tpending\t-\texit 6"),
        "no status when no response came: " + r.out());
  }

  @Test
  void aReplayToAnotherHostThanTheBaseUrlIsRefused() throws Exception {
    postLost("moved-1");
    Cli.Result r = cli().env("EDLINK_BASE_URL", "https://ed.link").run("replay", "moved-1");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("refusing to send the token"), r.err());
  }

  @Test
  void allPendingWithRefusedAndLiveEntriesReplaysTheLiveOnesAndExits3() throws Exception {
    postLost("early-1");
    postLost("late-1"); // journaled a moment later, so its deadline is a moment later too
    Instant earlyDeadline =
        entry("early-1").created().plus(Duration.ofDays(30)).minus(Duration.ofHours(1));
    Cli.Result r =
        cli()
            .env("EDLINK_IDEM_NOW", earlyDeadline.toString())
            .run("replay", "--all-pending", "--yes");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.out().contains("early-1\trefused"), r.out());
    assertTrue(r.out().contains("late-1\tsucceeded\t200"), r.out());
    assertEquals(EntryState.PENDING, entry("early-1").state());
    assertEquals(EntryState.SUCCEEDED, entry("late-1").state());
    assertTrue(r.err().contains("replay: 1 resolved, 0 still pending, 1 refused"), r.err());
  }

  @Test
  void anEntryForAnotherOriginIsRefusedAndTheOthersAreStillReplayed() throws Exception {
    Cli.Result offline =
        cli()
            .env("EDLINK_BASE_URL", "http://127.0.0.1:1")
            .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "elsewhere-1", "--retries", "0");
    assertEquals(6, offline.code(), offline.toString());
    postLost("here-1");
    Cli.Result r = cli().run("replay", "--all-pending");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.out().contains("elsewhere-1\trefused\t-\trefusing to send the token"), r.out());
    assertEquals(EntryState.SUCCEEDED, entry("here-1").state());
    assertTrue(r.err().contains("replay: 1 resolved, 0 still pending, 1 refused"), r.err());
  }
}
