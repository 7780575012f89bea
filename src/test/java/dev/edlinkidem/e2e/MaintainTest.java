package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.sandbox.Faults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** prune, reconcile and journal merge through the real command line against the sandbox. */
class MaintainTest extends SandboxCase {
  private void postLost(String key, String body) {
    sandbox.setFaults(faults(1, 0, 0, 0, Duration.ZERO));
    assertEquals(6, cli().run("post", ASSIGNMENTS, "-d", body, "-k", key, "--retries", "0").code());
    sandbox.setFaults(Faults.NONE);
  }

  private void postUnsent(String key) {
    sandbox.setFaults(faults(0, 1, 0, 0, Duration.ZERO));
    assertEquals(
        6, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", key, "--retries", "0").code());
    sandbox.setFaults(Faults.NONE);
  }

  @Test
  void pruneRemovesEndedWindowsKeepsPendingAndReportsBytes() throws Exception {
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "old-done").code());
    postUnsent("old-pending");
    Instant t = entry("old-pending").created();
    String later = t.plus(Duration.ofDays(30)).plusSeconds(1).toString();
    byte[] before = journalBytes();
    Cli.Result dry = cli().env("EDLINK_IDEM_NOW", later).run("prune", "--dry-run");
    assertEquals(0, dry.code(), dry.toString());
    assertTrue(dry.out().contains("would remove old-done"), dry.out());
    assertTrue(dry.out().contains("kept 1 pending entry whose window has ended"), dry.out());
    assertArrayEquals(before, journalBytes(), "a dry run changes nothing");

    Cli.Result r = cli().env("EDLINK_IDEM_NOW", later).run("prune");
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.out()
            .matches(
                "(?s)removed 1 entry whose 30-day window ended before .*; reclaimed \\d+(\\.\\d)?"
                    + " (B|KiB) .*"),
        r.out());
    assertEquals(List.of("old-pending"), entries().stream().map(Entry::key).toList());

    Cli.Result all = cli().env("EDLINK_IDEM_NOW", later).run("prune", "--include-pending");
    assertTrue(all.out().startsWith("removed 1 entry"), all.out());
    assertTrue(entries().isEmpty());
  }

  @Test
  void pruneAndForgettingTombstonesInJson() throws Exception {
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "old-done").code());
    postUnsent("old-pending");
    String later =
        entry("old-pending").created().plus(Duration.ofDays(30)).plusSeconds(1).toString();
    byte[] before = journalBytes();
    Cli.Result dry =
        cli().env("EDLINK_IDEM_NOW", later).run("prune", "--dry-run", "--format", "json");
    assertEquals(0, dry.code(), dry.toString());
    assertEquals(1, dry.out().lines().count(), "one line in a pipe: " + dry.out());
    JsonObject d = JsonParser.parseString(dry.out()).getAsJsonObject();
    assertEquals(
        List.of(
            "dry_run",
            "as_of",
            "removed",
            "kept_pending",
            "skipped",
            "bytes_before",
            "bytes_after"),
        List.copyOf(d.keySet()));
    assertTrue(d.get("dry_run").getAsBoolean());
    assertEquals(later, d.get("as_of").getAsString());
    assertEquals("[\"old-done\"]", d.get("removed").toString());
    assertEquals("[\"old-pending\"]", d.get("kept_pending").toString());
    assertEquals("[]", d.get("skipped").toString());
    assertTrue(d.get("bytes_after").getAsLong() < d.get("bytes_before").getAsLong(), dry.out());
    assertArrayEquals(before, journalBytes(), "a dry run changes nothing");

    Cli.Result r = cli().env("EDLINK_IDEM_NOW", later).run("prune", "--format", "json");
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertFalse(o.get("dry_run").getAsBoolean());
    assertEquals("[\"old-done\"]", o.get("removed").toString());
    assertEquals(List.of("old-pending"), entries().stream().map(Entry::key).toList());

    Cli.Result forgot =
        cli().env("EDLINK_IDEM_NOW", later).run("prune", "--tombstones", "--format", "json");
    assertEquals(0, forgot.code(), forgot.toString());
    JsonObject f = JsonParser.parseString(forgot.out()).getAsJsonObject();
    assertEquals(List.of("dry_run", "forgotten"), List.copyOf(f.keySet()));
    JsonObject one = f.getAsJsonArray("forgotten").get(0).getAsJsonObject();
    assertEquals("old-done", one.get("key").getAsString());
    assertEquals(
        entry("old-pending").created().plus(Duration.ofDays(30)).toString().substring(0, 10),
        one.get("window_ends").getAsString().substring(0, 10));
  }

  @Test
  void pruneLeavesEntriesInsideTheirWindow() throws Exception {
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "fresh").code());
    Instant t = entry("fresh").created();
    Cli.Result r =
        cli()
            .env("EDLINK_IDEM_NOW", t.plus(Duration.ofDays(30)).minusSeconds(1).toString())
            .run("prune");
    assertTrue(r.out().startsWith("removed 0 entries"), r.out());
    assertEquals(1, entries().size());
  }

  @Test
  void reconcileResolvesA200AndA400AndSaysWhatItDidNotFind() throws Exception {
    postLost("lost-ok", ESSAY); // created on the sandbox, answer lost
    postLost("lost-bad", "{\"title\":\"x\"}"); // a 400 on the sandbox, answer lost
    postUnsent("never-arrived"); // dropped before anything was done
    int requests = stat("requests");
    Cli.Result r = cli().run("reconcile", "--all-pending");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("lost-ok\tsucceeded\t200\tEdlink received it on "), r.out());
    assertTrue(r.out().contains("lost-bad\tfailed\t400\t"), r.out());
    assertTrue(
        r.out()
            .contains(
                "never-arrived\tpending\t-\tnot in Edlink's request log: safe to replay:"
                    + " edlink-idem replay never-arrived"),
        r.out());
    assertTrue(
        r.err().contains("reconcile: 2 resolved, 1 not in Edlink's request log, 0 skipped"),
        r.err());
    assertEquals(EntryState.SUCCEEDED, entry("lost-ok").state());
    assertEquals("reconcile", entry("lost-ok").outcome().via());
    assertEquals(EntryState.FAILED, entry("lost-bad").state());
    assertEquals(EntryState.PENDING, entry("never-arrived").state());
    assertEquals(0, stat("creates") - 1, "reconcile created nothing");
    assertTrue(stat("requests") > requests, "it read the log");
    // The recorded response is what the log said, and post of the same key now returns it.
    Cli.Result again = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "lost-ok");
    assertEquals(0, again.code(), again.toString());
    assertTrue(again.out().contains("\"title\":\"Essay\""), again.out());
  }

  @Test
  void reconcileInJsonGivesAnObjectPerKey() throws Exception {
    postLost("lost-ok", ESSAY);
    postUnsent("never-arrived");
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "done").code());
    Cli.Result r = cli().run("reconcile", "lost-ok", "never-arrived", "done", "--format", "json");
    assertEquals(0, r.code(), r.toString());
    List<JsonObject> lines =
        r.out().lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    assertEquals(3, lines.size(), r.out());
    for (JsonObject o : lines) {
      assertEquals(
          List.of("key", "state", "status", "log", "logged_at", "request_id", "note"),
          List.copyOf(o.keySet()),
          o.toString());
    }
    JsonObject done = lines.get(0);
    assertEquals("done", done.get("key").getAsString());
    assertEquals("succeeded", done.get("state").getAsString());
    assertEquals(200, done.get("status").getAsInt());
    assertTrue(done.get("log").isJsonNull(), "the log was not asked about it");
    JsonObject ok = lines.get(1);
    assertEquals("lost-ok", ok.get("key").getAsString());
    assertEquals("succeeded", ok.get("state").getAsString());
    assertEquals(200, ok.get("status").getAsInt());
    assertEquals("answered", ok.get("log").getAsString());
    assertTrue(Instant.parse(ok.get("logged_at").getAsString()) != null);
    assertTrue(ok.get("note").getAsString().startsWith("Edlink received it on "), ok.toString());
    JsonObject absent = lines.get(2);
    assertEquals("never-arrived", absent.get("key").getAsString());
    assertEquals("pending", absent.get("state").getAsString());
    assertTrue(absent.get("status").isJsonNull());
    assertEquals("absent", absent.get("log").getAsString());
    assertTrue(absent.get("logged_at").isJsonNull());
    assertTrue(absent.get("note").getAsString().contains("safe to replay"), absent.toString());
    assertEquals(EntryState.SUCCEEDED, entry("lost-ok").state());
  }

  @Test
  void reconcileOutsideTheWindowSaysTheOutcomeIsUnknownAndNeverANewKey() throws Exception {
    // Edlink's log keeps 30 days: an entry that old may have been carried out and forgotten, and a
    // new key would then make a second assignment.
    postUnsent("too-late");
    String later = entry("too-late").created().plus(Duration.ofDays(30)).toString();
    Cli.Result r = cli().env("EDLINK_IDEM_NOW", later).run("reconcile", "too-late");
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.out()
            .contains(
                "too-late\tpending\t-\tnot in Edlink's request log, which keeps only 30 days:"
                    + " whether Edlink received it is not known: look for the assignment in the"
                    + " class: only the class can say now"),
        r.out());
    assertFalse(r.out().contains("new key"), r.out());
  }

  @Test
  void reconcileWithARefusedTokenExits4AndChangesNothing() throws Exception {
    postLost("needs-token", ESSAY);
    // The same port, which the entry's URL names, with a sandbox demanding another token. Another
    // test class's server may take the port the moment it is let go: then try again a while.
    int port = sandbox.baseUrl().getPort();
    sandbox.close();
    for (int tries = 0; ; tries++) {
      try {
        sandbox =
            dev.edlinkidem.sandbox.SandboxServer.start(
                "127.0.0.1", port, "the-graph-token", Faults.NONE, 1, log::add);
        break;
      } catch (java.net.BindException taken) {
        org.junit.jupiter.api.Assumptions.assumeTrue(
            tries < 100, "port " + port + " was taken by another test while it was free");
        Thread.sleep(50);
      }
    }
    byte[] before = journalBytes();
    Cli.Result r = cli().run("reconcile", "needs-token");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("needs an integration (graph) token"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertArrayEquals(before, journalBytes());
  }

  @Test
  void reconcileSkipsEntriesJournaledForAnotherHost() throws Exception {
    postLost("elsewhere", ESSAY);
    Cli.Result r = cli().env("EDLINK_BASE_URL", "http://127.0.0.1:1").run("reconcile", "elsewhere");
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.out()
            .contains(
                "elsewhere\tskipped\t-\tjournaled for http://127.0.0.1:"
                    + sandbox.baseUrl().getPort()),
        r.out());
  }

  @Test
  void reconcileReadsTheLogNewestFirstAcrossPagesDownToAKeyOnlyOlderRecordsHold() throws Exception {
    postLost("early-key", ESSAY);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (int i = 0; i < 2500; i++) { // three pages of 1000, all newer than the key
      http.send(
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create(sandbox.baseUrl() + "/api/v2/graph/notes?$idempotency=n" + i))
              .header("Authorization", "Bearer x")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
              .build(),
          java.net.http.HttpResponse.BodyHandlers.discarding());
    }
    Cli.Result r = cli().run("reconcile", "early-key");
    assertTrue(r.out().contains("early-key\tsucceeded\t200"), r.out());
    List<String> reads =
        log.stream().filter(line -> line.contains(" GET /api/v2/graph/requests ")).toList();
    assertEquals(3, reads.size(), String.join("\n", reads));
  }

  @Test
  void reconcileLeavesALoggedInternalPendingAndAdvisesReplayingThenLooking() throws Exception {
    // The work is done, and Edlink logs and keeps INTERNAL as the key's answer.
    sandbox.setFaults(new Faults(0, 0, 0, 0, Duration.ZERO, 0, 1, 0));
    assertEquals(
        5,
        cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "internal-key", "--retries", "0").code());
    sandbox.setFaults(Faults.NONE);

    Cli.Result r = cli().run("reconcile", "internal-key");

    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("internal-key\tpending"), r.out());
    assertTrue(r.out().contains("look for the assignment in the class"), r.out());
    assertFalse(r.out().contains("safe to replay"), r.out());
    assertEquals(EntryState.PENDING, entry("internal-key").state());
    assertEquals(1, stat("creates"));
  }

  /**
   * Here: "shared" pending and "clash". There (the journal returned): "shared" succeeded, "theirs"
   * new, "clash" another request.
   */
  private Cli twoJournals(Path other) {
    postLost("shared", ESSAY);
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "clash").code());
    Cli there = cli().env("EDLINK_IDEM_JOURNAL", other.toString());
    assertEquals(0, there.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "shared").code());
    assertEquals(0, there.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "theirs").code());
    assertEquals(
        0,
        there
            .run("post", ASSIGNMENTS, "-d", ESSAY.replace("Essay", "Other"), "-k", "clash")
            .code());
    return there;
  }

  @Test
  void mergeTwoJournalsWithOverlappingKeys() throws Exception {
    Path other = tmp.resolve("other-journal");
    Cli there = twoJournals(other);

    byte[] before = journalBytes();
    Cli.Result dry = cli().run("journal", "merge", other.toString(), "--dry-run");
    assertArrayEquals(before, journalBytes());
    assertTrue(dry.out().contains("would merge 3 entries"), dry.out());

    Cli.Result r = cli().run("journal", "merge", other.toString());
    assertEquals(3, r.code(), r.toString());
    assertTrue(
        r.out()
            .contains(
                "merged 3 entries from "
                    + other
                    + ": 1 added, 1 folded together, 1 left untouched"),
        r.out());
    assertTrue(
        r.err().contains("left clash untouched: the same key for a different request"), r.err());
    assertEquals(EntryState.SUCCEEDED, entry("shared").state());
    assertEquals(2, entry("shared").attempts().size());
    assertEquals(EntryState.SUCCEEDED, entry("theirs").state());
    assertTrue(new String(entry("clash").request().body()).contains("Essay"));
  }

  @Test
  void mergeInJsonNamesEachKeyAndWhatBecameOfIt() throws Exception {
    Path other = tmp.resolve("other-journal");
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "same").code());
    Cli there = twoJournals(other);
    Files.writeString(
        tmp.resolve("export.jsonl"),
        there.run("list", "--format", "jsonl").out()
            + cli()
                .run("list", "--format", "jsonl")
                .out()
                .lines()
                .filter(l -> l.contains("\"same\""))
                .findFirst()
                .orElseThrow()
            + "\n");

    Cli.Result r =
        cli().run("journal", "merge", tmp.resolve("export.jsonl").toString(), "--format", "json");
    assertEquals(3, r.code(), r.toString());
    assertTrue(
        r.err().contains("edlink-idem: left clash untouched: the same key for a different request"),
        "exit 3 says why on stderr too: " + r.err());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(
        List.of("dry_run", "source", "entries", "added", "folded", "untouched", "unchanged"),
        List.copyOf(o.keySet()));
    assertFalse(o.get("dry_run").getAsBoolean());
    assertEquals(tmp.resolve("export.jsonl").toString(), o.get("source").getAsString());
    assertEquals(4, o.get("entries").getAsInt());
    assertEquals("[\"theirs\"]", o.get("added").toString());
    assertEquals("[\"shared\"]", o.get("folded").toString());
    JsonObject clash = o.getAsJsonArray("untouched").get(0).getAsJsonObject();
    assertEquals("clash", clash.get("key").getAsString());
    assertTrue(clash.get("reason").getAsString().contains("different request"), r.out());
    assertEquals(1, o.get("unchanged").getAsInt());
    assertEquals(EntryState.SUCCEEDED, entry("theirs").state());
  }

  @Test
  void mergeAnExportAndRefuseABadOne() throws Exception {
    Path other = tmp.resolve("other");
    Cli there = cli().env("EDLINK_IDEM_JOURNAL", other.toString());
    assertEquals(0, there.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "exported-1").code());
    assertEquals(4, there.run("post", ASSIGNMENTS, "-d", "{}", "-k", "exported-2").code());
    Path export =
        Files.writeString(
            tmp.resolve("export.jsonl"), there.run("list", "--format", "jsonl").out());
    Cli.Result r = cli().run("journal", "merge", export.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(EntryState.SUCCEEDED, entry("exported-1").state());
    assertEquals(EntryState.FAILED, entry("exported-2").state());
    assertArrayEquals(
        there.run("show", "exported-1", "--format", "json").out().getBytes(),
        cli().run("show", "exported-1", "--format", "json").out().getBytes(),
        "the entry arrives whole");

    byte[] before = journalBytes();
    Path bad =
        Files.writeString(
            tmp.resolve("bad.jsonl"), Files.readString(export) + "{\"key\":\"half\"}\n");
    Cli.Result refused = cli().run("journal", "merge", bad.toString());
    assertEquals(2, refused.code(), refused.toString());
    assertTrue(refused.err().contains("line 3 is not a whole entry"), refused.err());
    assertArrayEquals(before, journalBytes(), "nothing merged");
    assertEquals(2, cli().run("journal", "merge", tmp.resolve("missing.jsonl").toString()).code());
    Path badKey =
        Files.writeString(
            tmp.resolve("bad-key.jsonl"),
            Files.readString(export)
                    .lines()
                    .findFirst()
                    .orElseThrow()
                    .replace("\"exported-", "\"has space-")
                + "\n");
    Cli.Result invalid = cli().run("journal", "merge", badKey.toString());
    assertEquals(2, invalid.code(), invalid.toString());
    assertTrue(invalid.err().contains("invalid key 'has space-"), invalid.err());
    assertEquals(2, cli().run("journal", "merge", journalDir().toString()).code());
  }
}
