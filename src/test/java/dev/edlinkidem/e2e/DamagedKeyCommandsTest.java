package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.torture.Hostile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * show, replay and reconcile of a key listed as pending whose records are damaged: the journal's
 * damage (exit 1, as the exit codes say of a journal that cannot be read), not the user's bad input
 * (exit 2), said in a message whole in itself, with nothing sent for it. "damaged-1" has its begin
 * record damaged; "fine-0001", journaled after it, is a readable pending key. Most of these failed
 * at 475438a or before it (the eighth review).
 */
class DamagedKeyCommandsTest extends SandboxCase {
  private static final String DAMAGED =
      "the entry of damaged-1 cannot be read: its records are damaged: ";

  private static Path entryFile(Path dir, String key) throws Exception {
    byte[] hash =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(key.getBytes(StandardCharsets.UTF_8));
    String hex = java.util.HexFormat.of().formatHex(hash);
    return dir.resolve("entries").resolve(hex.substring(0, 2)).resolve(hex + ".jsonl");
  }

  private void pending(String key) {
    sandbox.setFaults(faults(1, 0, 0, 0, Duration.ZERO));
    Cli.Result lost = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", key, "--retries", "0");
    assertEquals(6, lost.code(), lost.toString());
    sandbox.setFaults(dev.edlinkidem.sandbox.Faults.NONE);
  }

  /** Flips a byte inside the key's first record of {@code type}: its checksum no longer holds. */
  private void damage(String key, String type) throws Exception {
    Path file = entryFile(journalDir(), key);
    byte[] bytes = Files.readAllBytes(file);
    int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("\"type\":\"" + type + "\"");
    assertTrue(at > 0, "a " + type + " record");
    bytes[at + 9] ^= 0x01;
    Files.write(file, bytes);
  }

  private void damagedAndFine() throws Exception {
    pending("damaged-1");
    pending("fine-0001");
    damage("damaged-1", "begin");
  }

  private static boolean warned(Cli.Result r) {
    return r.err().lines().anyMatch(l -> l.startsWith("edlink-idem: warning: the journal has"));
  }

  private static void noStackTrace(Cli.Result r) {
    assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
    assertFalse(r.err().contains("internal error"), r.err());
  }

  @Test
  void showAndReplayExit1WithTheWarningAboveAndSendNothing() throws Exception {
    damagedAndFine();
    int sent = stat("requests");
    for (List<String> command :
        List.of(
            List.of("show", "damaged-1"),
            List.of("show", "damaged-1", "--format", "json"),
            List.of("replay", "damaged-1", "--yes"),
            List.of("replay", "fine-0001", "damaged-1", "--yes"),
            List.of("replay", "damaged-1", "fine-0001", "--yes", "--format", "json"),
            List.of("replay", "fine-0001", "damage", "--yes"))) {
      Cli.Result r = cli().run(command.toArray(String[]::new));
      assertEquals(1, r.code(), command + ": " + r);
      assertEquals("", r.out(), command + ": " + r);
      List<String> lines = r.err().lines().toList();
      assertEquals(2, lines.size(), command + ": " + r);
      assertTrue(warned(r), command + ": " + r);
      assertTrue(lines.get(1).startsWith("edlink-idem: " + DAMAGED), command + ": " + r);
      assertTrue(lines.get(1).contains("checksum mismatch"), command + ": " + r);
      // Said once: replay's "nothing was sent", not also show's words.
      assertEquals(
          command.get(0).equals("replay"),
          lines.get(1).endsWith("; nothing was sent"),
          command + ": " + r);
      assertFalse(lines.get(1).contains("nothing was done"), command + ": " + r);
      noStackTrace(r);
    }
    assertEquals(sent, stat("requests"), "nothing sent");
    assertEquals(EntryState.PENDING, entry("fine-0001").state());
  }

  /** Under --quiet the warning is not printed: the message says what is damaged by itself. */
  @Test
  void underQuietTheMessageNamesTheDamageItself() throws Exception {
    damagedAndFine();
    for (List<String> command :
        List.of(
            List.of("--quiet", "show", "damaged-1"),
            List.of("--quiet", "replay", "damaged-1", "--yes"))) {
      Cli.Result r = cli().run(command.toArray(String[]::new));
      assertEquals(1, r.code(), command + ": " + r);
      assertEquals(1, r.err().lines().count(), command + ": " + r);
      assertFalse(r.err().contains("see above"), command + ": " + r);
      assertTrue(r.err().contains(DAMAGED), command + ": " + r);
      assertTrue(r.err().contains("checksum mismatch"), command + ": " + r);
    }
  }

  /**
   * --all-pending skipped a pending entry it could not read without a word (a file journal's
   * problems are those of its last read, here fine-0001's: none) and exited 0. It now names it,
   * warns, replays the others and exits 1.
   */
  @Test
  void replayOfAllPendingNamesAPendingEntryItCannotReadAndExits1() throws Exception {
    damagedAndFine();
    int sent = stat("requests");
    Cli.Result r = cli().run("replay", "--all-pending", "--yes");
    assertEquals(1, r.code(), r.toString());
    assertTrue(warned(r), r.toString());
    String line = lineStarting(r.out(), "damaged-1\t");
    assertTrue(
        line.startsWith("damaged-1\tunreadable\t-\t" + DAMAGED) && line.endsWith("; not sent"),
        r.toString());
    assertTrue(
        r.err().contains("replay: 1 resolved, 0 still pending, 0 refused, 1 unreadable (not sent)"),
        r.toString());
    assertEquals(sent + 1, stat("requests"), "fine-0001 alone was sent");
    assertEquals(EntryState.SUCCEEDED, entry("fine-0001").state());
    noStackTrace(r);
  }

  /**
   * A readable key whose attempt record is damaged, replayed before another key: the damage was not
   * reported, as the second key's read replaced the journal's problems.
   */
  @Test
  void replayOfSeveralKeysReportsTheDamageMetInEach() throws Exception {
    pending("attempt-bad");
    pending("fine-0001");
    damage("attempt-bad", "attempt");
    Cli.Result r = cli().run("replay", "attempt-bad", "fine-0001", "--yes");
    assertEquals(0, r.code(), r.toString());
    assertTrue(warned(r), "the first key's damaged record is reported: " + r);
  }

  /**
   * reconcile of the pending damaged key said "no longer pending" (untrue) and exited 0; it now
   * says its records are damaged, records nothing, and exits 1.
   */
  @Test
  void reconcileSaysTheRecordsAreDamagedAndExits1() throws Exception {
    damagedAndFine();
    Cli.Result r = cli().run("reconcile", "damaged-1");
    assertEquals(1, r.code(), r.toString());
    assertFalse(r.out().contains("no longer pending"), r.toString());
    String line = lineStarting(r.out(), "damaged-1\t");
    assertTrue(
        line.startsWith("damaged-1\tskipped\t-\t" + DAMAGED)
            && line.contains("checksum mismatch")
            && line.endsWith("; nothing was recorded"),
        r.toString());
    noStackTrace(r);
  }

  /**
   * reconcile --all-pending with readable keys after the damaged one: the damaged record was named
   * nowhere, as a file journal's problems are those of its last read (the ninth review). The key's
   * line names it.
   */
  @Test
  void reconcileOfAllPendingNamesTheDamagedRecordWhenGoodKeysFollow() throws Exception {
    damagedAndFine();
    Cli.Result r = cli().run("reconcile", "--all-pending");
    assertEquals(1, r.code(), r.toString());
    assertTrue(lineStarting(r.out(), "damaged-1\t").contains("checksum mismatch"), r.toString());
    assertTrue(r.out().contains("fine-0001\t"), "the readable key is reconciled: " + r);
  }

  /** A key another process removes while reconcile reads the log is no longer pending. */
  @Test
  void aKeyRemovedWhileReconcileReadsTheLogIsNoLongerPending() throws Exception {
    damagedAndFine();
    pending("gone-0001");
    List<Throwable> failed = new CopyOnWriteArrayList<>();
    onRequest =
        line -> {
          if (line.contains("GET /api/v2/graph/requests")) {
            onRequest = l -> {};
            try (FileJournal other = FileJournal.open(journalDir())) {
              other.remove(List.of("gone-0001"), false);
            } catch (Throwable t) {
              failed.add(t);
            }
          }
        };
    Cli.Result r = cli().run("reconcile", "--all-pending");
    assertTrue(failed.isEmpty(), failed.toString());
    assertEquals("gone-0001\tskipped\t-\tno longer pending", lineStarting(r.out(), "gone-0001"));
  }

  /**
   * Nothing to send, one pending entry refused (its window ended) and one unreadable: the early
   * return skipped the summary, its hint and the unreadable count (the ninth review).
   */
  @Test
  void replayOfAllPendingWithNothingToSendStillSummarises() throws Exception {
    sandbox.setFaults(faults(0, 1, 0, 0, Duration.ZERO));
    Cli.Result old =
        cli()
            .time(Hostile.off(Duration.ofDays(-40)))
            .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "old-0001", "--retries", "0");
    assertEquals(6, old.code(), old.toString());
    sandbox.setFaults(dev.edlinkidem.sandbox.Faults.NONE);
    pending("damaged-1");
    damage("damaged-1", "begin");
    Cli.Result r = cli().run("replay", "--all-pending", "--yes");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.out().contains("old-0001\trefused"), r.toString());
    assertTrue(r.out().contains("damaged-1\tunreadable"), r.toString());
    assertTrue(
        r.err().contains("0 resolved, 0 still pending, 1 refused (their windows have ended")
            && r.err().contains(", 1 unreadable (not sent)"),
        r.toString());
  }

  /** With --format json, one object per key on stdout, the unreadable one too. */
  @Test
  void replayOfAllPendingAsJsonHasAnObjectForTheUnreadableKey() throws Exception {
    damagedAndFine();
    Cli.Result r = cli().run("replay", "--all-pending", "--yes", "--format", "json");
    assertEquals(1, r.code(), r.toString());
    List<JsonObject> objects =
        r.out().lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    assertEquals(
        List.of("damaged-1", "fine-0001"),
        objects.stream().map(o -> o.get("key").getAsString()).sorted().toList(),
        r.toString());
    JsonObject damaged =
        objects.stream()
            .filter(o -> o.get("key").getAsString().equals("damaged-1"))
            .findFirst()
            .orElseThrow();
    assertEquals("unreadable", damaged.get("state").getAsString());
    assertTrue(damaged.get("reason").getAsString().startsWith(DAMAGED), damaged.toString());
  }

  private static String lineStarting(String text, String start) {
    return text.lines().filter(l -> l.startsWith(start)).findFirst().orElse("<none>");
  }

  /** A key the journal does not have stays bad input. */
  @Test
  void aMissingKeyIsStillBadInput() throws Exception {
    damagedAndFine();
    for (List<String> command :
        List.of(List.of("show", "nosuchkey-1"), List.of("replay", "nosuchkey-1", "--yes"))) {
      Cli.Result r = cli().run(command.toArray(String[]::new));
      assertEquals(2, r.code(), command + ": " + r);
      assertTrue(r.err().contains("no entry has a key starting with"), r.err());
    }
  }
}
