package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.cli.Invocation;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * list, show, expiring and keygen through the real command line, on a journal the sandbox filled.
 */
class InspectTest extends SandboxCase {
  private Instant created;

  @BeforeEach
  void fill() throws Exception {
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "done-aaaa1").code());
    assertEquals(
        4,
        cli()
            .run("post", "/api/v2/graph/classes/c7/assignments", "-d", "{}", "-k", "failed-bbbb2")
            .code());
    sandbox.setFaults(faults(1, 0, 0, 0, Duration.ZERO));
    assertEquals(
        6,
        cli()
            .run(
                "post",
                "/api/v2/graph/classes/c9/assignments",
                "-d",
                ESSAY,
                "-k",
                "pending-cccc3",
                "--retries",
                "0")
            .code());
    sandbox.setFaults(dev.edlinkidem.sandbox.Faults.NONE);
    created = entry("pending-cccc3").created();
  }

  private String at(Duration afterCreation) {
    return created.plus(afterCreation).toString();
  }

  @Test
  void whatTabRunsOffersTheKeysThatStartWithTheWordTyped() {
    // What the completion scripts run: the quick read of the summary cache.
    assertEquals("pending-cccc3\n", cli().run("list", "--state", "pending", "--completing=").out());
    assertEquals("failed-bbbb2\n", cli().run("list", "--completing=fa").out());
    assertEquals(
        Set.copyOf(cli().run("list", "--format", "keys").out().lines().toList()),
        Set.copyOf(cli().run("list", "--completing=").out().lines().toList()));
    assertEquals("", cli().run("list", "--state", "pending", "--completing=done").out());
    Cli.Result wrong = cli().run("list", "--state", "failed", "--completing=");
    assertEquals(2, wrong.code(), wrong.toString());
    for (String other : new String[] {"--limit=1", "--wide", "--path-prefix=/x", "--format=json"}) {
      Cli.Result with = cli().run("list", "--completing=", other);
      assertEquals(2, with.code(), other + ": " + with);
    }
    // A quote or backslash the shell's line holds before the key's characters is not the key's.
    assertEquals("failed-bbbb2\n", cli().run("list", "--completing='fa").out());
    assertEquals("failed-bbbb2\n", cli().run("list", "--completing=\"failed\\-b").out());
    assertFalse(cli().run("list", "--help").out().contains("--completing"), "hidden");
  }

  @Test
  void listIsNewestFirstWithTheStateStatusAttemptsAndTimeLeft() {
    Cli.Result r = cli().run("list");
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertTrue(
        lines.get(0).matches("KEY +STATE +STATUS +TRIES +CREATED \\(UTC\\) +LEFT +PATH"),
        lines.get(0));
    assertTrue(
        lines
            .get(1)
            .matches(
                "pending-cccc3 +pending +- +1 +\\S+ \\S+ +29d 23h"
                    + " +/api/v2/graph/classes/c9/assignments"),
        lines.get(1));
    assertTrue(
        lines.get(2).matches("failed-bbbb2 +failed +400 +1 .*/api/v2/graph/classes/c7/assignments"),
        lines.get(2));
    assertTrue(lines.get(3).startsWith("done-aaaa1 "), lines.get(3));
    assertEquals(4, lines.size());
  }

  @Test
  void listFiltersByStatePathWindowAndLimit() {
    assertEquals(
        "pending-cccc3\n", cli().run("list", "--state", "pending", "--format", "keys").out());
    assertEquals(
        "failed-bbbb2\n",
        cli().run("list", "--path-prefix", "/api/v2/graph/classes/c7/", "--format", "keys").out());
    assertEquals("pending-cccc3\n", cli().run("list", "--limit", "1", "--format", "keys").out());
    assertEquals(3, cli().run("list", "--state", "all", "--format", "keys").out().lines().count());
    // At 29 days 22 hours, all three windows end within 3 hours; at 30 days they have ended.
    assertEquals(
        3,
        cli()
            .env("EDLINK_IDEM_NOW", at(Duration.ofHours(29 * 24 + 22)))
            .run("list", "--expiring-within", "3h", "--format", "keys")
            .out()
            .lines()
            .count());
    assertEquals(
        "",
        cli()
            .env("EDLINK_IDEM_NOW", at(Duration.ofDays(30)))
            .run("list", "--expiring-within", "3h", "--format", "keys")
            .out());
    assertEquals("", cli().run("list", "--expiring-within", "3h", "--format", "keys").out());
  }

  @Test
  void listShowsExpiredOnceTheWindowHasEnded() {
    Cli.Result r =
        cli()
            .env("EDLINK_IDEM_NOW", at(Duration.ofDays(30).plusMinutes(1)))
            .run("list", "--state", "pending");
    assertTrue(r.out().contains(" expired "), r.out());
  }

  @Test
  void aNarrowTerminalShortensPathsInTheMiddleAndNeverWraps() throws Exception {
    assertEquals(
        0,
        cli()
            .run("post", ASSIGNMENTS, "-d", ESSAY.replace("Essay", "Long"), "-k", "k".repeat(60))
            .code());
    for (int columns : new int[] {80, 60, 40}) {
      for (String command : new String[] {"list", "expiring"}) {
        Cli.Result r =
            onATerminal()
                .env("COLUMNS", "" + columns)
                .env("EDLINK_IDEM_NOW", at(Duration.ofDays(29)))
                .run(command);
        // The table's lines; expiring's sentences and commands around it may wrap, to stay whole
        // for copying.
        List<String> table =
            r.out()
                .lines()
                .dropWhile(l -> !l.startsWith("KEY "))
                .takeWhile(l -> !l.isEmpty())
                .toList();
        assertTrue(table.size() >= 2, r.out());
        for (String line : table) {
          assertTrue(
              line.length() <= columns,
              command + " at " + columns + ": " + line.length() + ": " + line);
        }
      }
    }
    assertTrue(
        onATerminal().env("COLUMNS", "80").run("list").out().contains("kkkkkk"),
        "a long key keeps its prefix");
    Cli.Result r = onATerminal().env("COLUMNS", "90").run("list");
    assertTrue(r.out().contains("…"), r.out());
    assertTrue(r.out().contains("/api/v"), r.out());
    for (Cli piped : List.of(cli(), cli().env("COLUMNS", "60"))) {
      String out = piped.run("list").out();
      assertTrue(
          out.contains("/api/v2/graph/classes/c9/assignments") && out.contains("k".repeat(60)),
          "piped output is never shortened, whatever COLUMNS says: " + out);
    }
  }

  /** Stdout on a terminal, without colour: lines measured as they show. */
  private Cli onATerminal() {
    return cli().terminal(new Invocation.Terminal(false, true, false)).env("NO_COLOR", "1");
  }

  @Test
  void longKeysShrinkToAUniquePrefixBeforeThePathDoes() {
    String a = "3f2b8c1e" + "0".repeat(56);
    String b = "3f2b8c1f" + "0".repeat(56);
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", a).code());
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", b).code());
    String path = ASSIGNMENTS;
    for (int columns : new int[] {120, 100}) {
      List<String> lines =
          onATerminal().env("COLUMNS", "" + columns).run("list").out().lines().toList();
      String rowA = lines.stream().filter(l -> l.startsWith("3f2b8c1e")).findFirst().orElseThrow();
      assertTrue(rowA.startsWith("3f2b8c1e…"), "the key's unique prefix: " + rowA);
      assertTrue(
          rowA.contains("/api/v2/graph/") && rowA.endsWith("/assignments"),
          columns + ": the path kept: " + rowA);
      assertTrue(rowA.length() <= columns, rowA);
    }
    String at60 = onATerminal().env("COLUMNS", "60").run("list").out();
    assertTrue(at60.lines().allMatch(l -> l.length() <= 60), at60);
    String wide = onATerminal().env("COLUMNS", "60").run("list", "--wide").out();
    assertTrue(
        wide.contains(a) && wide.contains(path), "--wide prints every column whole: " + wide);
  }

  @Test
  void theStateIsColouredOnATerminalOnly() {
    assertFalse(cli().run("list").out().contains("\u001b["));
    assertTrue(
        cli().terminal(Invocation.Terminal.ALL).run("list").out().contains("\u001b[33mpending"));
    assertFalse(
        cli()
            .terminal(Invocation.Terminal.ALL)
            .env("NO_COLOR", "1")
            .run("list")
            .out()
            .contains("\u001b["));
  }

  @Test
  void csvAndJsonHaveTheDocumentedFields() {
    Cli.Result csv = cli().run("list", "--format", "csv");
    List<String> lines = csv.out().lines().toList();
    assertEquals(
        "key,state,expired,status,attempts,created,window_ends,replay_until,method,path",
        lines.get(0));
    assertTrue(
        lines.get(1).startsWith("pending-cccc3,pending,false,,1," + created + ","), lines.get(1));
    JsonArray json =
        JsonParser.parseString(cli().run("list", "--format", "json").out()).getAsJsonArray();
    assertEquals(3, json.size());
    JsonObject pending = json.get(0).getAsJsonObject();
    assertEquals("pending-cccc3", pending.get("key").getAsString());
    assertEquals(
        created.plus(Duration.ofDays(30)).toString(), pending.get("window_ends").getAsString());
    assertTrue(pending.get("response").isJsonNull());
    assertEquals("POST", pending.getAsJsonObject("request").get("method").getAsString());
    assertEquals(
        400, json.get(1).getAsJsonObject().getAsJsonObject("response").get("status").getAsInt());
    List<String> jsonl = cli().run("list", "--format", "jsonl").out().lines().toList();
    assertEquals(3, jsonl.size());
    assertEquals(
        json.get(2).getAsJsonObject(), JsonParser.parseString(jsonl.get(2)).getAsJsonObject());
  }

  @Test
  void showPrintsTheWholeEntryWithoutTheToken() {
    Cli.Result r = cli().run("show", "done-aaaa1");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("state     succeeded (learned by post)"), r.out());
    assertTrue(r.out().contains("request   POST " + sandbox.baseUrl() + ASSIGNMENTS), r.out());
    assertTrue(r.out().contains("\"title\": \"Essay\""), r.out());
    assertTrue(
        r.out().matches("(?s).*\\n  1  \\S+ \\S+ UTC  HTTP 200  \\d+ ms  \\$request \\S+.*"),
        r.out());
    assertTrue(r.out().contains("response  200"), r.out());
    assertTrue(r.out().contains("window    ends "), r.out());
    assertFalse(r.out().contains(TOKEN) || r.out().contains("Authorization"));
    JsonObject json =
        JsonParser.parseString(cli().run("show", "done-aaaa1", "--format", "json").out())
            .getAsJsonObject();
    assertEquals("succeeded", json.get("state").getAsString());
    assertEquals(1, json.getAsJsonArray("attempt_log").size());
  }

  @Test
  void showTakesAUniquePrefixAndRefusesAmbiguousOrUnknownOnes() throws Exception {
    assertTrue(cli().run("show", "failed").out().startsWith("key       failed-bbbb2\n"));
    assertEquals(
        0,
        cli()
            .run("post", ASSIGNMENTS, "-d", ESSAY.replace("Essay", "Two"), "-k", "done-aaaa2")
            .code());
    Cli.Result ambiguous = cli().run("show", "done-a");
    assertEquals(2, ambiguous.code());
    assertTrue(ambiguous.err().contains("ambiguous: 2 keys"), ambiguous.err());
    Cli.Result unknown = cli().run("show", "nothing-like-it");
    assertEquals(2, unknown.code());
    assertEquals(1, unknown.err().lines().count(), unknown.err());
    assertEquals(2, cli().run("show", "done").code(), "a prefix under 6 characters");
  }

  @Test
  void expiringAtTheWindowBoundaries() {
    // 29 days 22 hours: inside the window and still replayable.
    Cli.Result early =
        cli().env("EDLINK_IDEM_NOW", at(Duration.ofHours(29 * 24 + 22))).run("expiring");
    assertEquals(0, early.code(), early.toString());
    assertTrue(
        early.out().startsWith("3 entries leave their 30-day window within 3d"), early.out());
    assertTrue(early.out().contains("edlink-idem replay pending-cccc3    # before"), early.out());
    // 29 days 23 hours 30 minutes: the window is open, but replay is refused (the one-hour margin).
    Cli.Result margin =
        cli()
            .env("EDLINK_IDEM_NOW", at(Duration.ofMinutes((29 * 24 + 23) * 60 + 30)))
            .run("expiring");
    assertTrue(
        margin.out().contains("edlink-idem reconcile pending-cccc3    # replay is refused"),
        margin.out());
    // reconcile can no longer settle it either: no new key is ever offered as the way out.
    assertFalse(margin.out().contains("new key"), margin.out());
    assertEquals(
        3,
        cli()
            .env("EDLINK_IDEM_NOW", at(Duration.ofMinutes((29 * 24 + 23) * 60 + 30)))
            .run("replay", "pending-cccc3")
            .code());
    // 30 days: gone from the window.
    Cli.Result after = cli().env("EDLINK_IDEM_NOW", at(Duration.ofDays(30))).run("expiring");
    assertTrue(
        after.out().startsWith("No entries leave their 30-day window within 3d"), after.out());
  }

  @Test
  void expiringFailsIfPendingForCi() {
    String soon = at(Duration.ofDays(29));
    assertEquals(7, cli().env("EDLINK_IDEM_NOW", soon).run("expiring", "--fail-if-pending").code());
    Cli.Result pendingOnly = cli().env("EDLINK_IDEM_NOW", soon).run("expiring", "--pending-only");
    assertEquals(0, pendingOnly.code());
    assertTrue(pendingOnly.out().startsWith("1 entry leaves its 30-day window"), pendingOnly.out());
    assertEquals(
        0, cli().run("expiring", "--fail-if-pending").code(), "nothing expires within 72h today");
    assertEquals(
        0,
        cli()
            .env("EDLINK_IDEM_NOW", soon)
            .run("expiring", "--within", "12h", "--fail-if-pending")
            .code());
  }

  @Test
  void expiringAsJsonForCiAlerting() {
    String soon = at(Duration.ofDays(29));
    Cli.Result r =
        cli().env("EDLINK_IDEM_NOW", soon).run("expiring", "--format", "json", "--fail-if-pending");
    assertEquals(7, r.code(), r.toString());
    JsonArray entries = JsonParser.parseString(r.out()).getAsJsonArray();
    assertEquals(3, entries.size(), r.out());
    JsonObject pending = null;
    for (var e : entries) {
      JsonObject o = e.getAsJsonObject();
      for (String field :
          List.of("key", "state", "expired", "status", "attempts", "created", "window_ends")) {
        assertTrue(o.has(field), field + " in " + o);
      }
      if (o.get("state").getAsString().equals("pending")) {
        pending = o;
      } else {
        assertTrue(o.get("resolve").isJsonNull(), o.toString());
      }
    }
    assertEquals("pending-cccc3", pending.get("key").getAsString());
    assertTrue(
        pending.get("resolve").getAsString().startsWith("edlink-idem replay pending-cccc3"),
        pending.toString());
    Cli.Result none = cli().run("expiring", "--format", "json");
    assertEquals("[]\n", none.out(), "nothing expires within 72h today");

    String lastHour = at(Duration.ofDays(30).minusMinutes(30));
    Cli.Result late =
        cli()
            .env("EDLINK_IDEM_NOW", lastHour)
            .run("--journal", journalDir().toString(), "expiring", "--format", "json");
    JsonObject onlyReconcile =
        JsonParser.parseString(late.out()).getAsJsonArray().asList().stream()
            .map(e -> e.getAsJsonObject())
            .filter(o -> o.get("state").getAsString().equals("pending"))
            .findFirst()
            .orElseThrow();
    assertEquals(
        "edlink-idem --journal " + journalDir() + " reconcile pending-cccc3",
        onlyReconcile.get("resolve").getAsString(),
        "the journal the command was given, in the last hour's reconcile too");
  }

  @Test
  void keygenPrintsFreshKeysOrUuids() {
    List<String> keys = cli().run("keygen", "-n", "50").out().lines().toList();
    assertEquals(50, keys.size());
    assertEquals(50, new HashSet<>(keys).size());
    keys.forEach(k -> assertTrue(k.matches("[0-9A-Za-z]{32}"), k));
    String uuid = cli().run("keygen", "--uuid").out().trim();
    assertTrue(
        uuid.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), uuid);
  }

  @Test
  void badOptionsAreUsageErrors() {
    for (String[] args :
        List.of(
            new String[] {"list", "--state", "lost"},
            new String[] {"list", "--format", "xml"},
            new String[] {"list", "--limit", "0"},
            new String[] {"list", "--expiring-within", "soon"},
            new String[] {"expiring", "--within", "-1h"},
            new String[] {"keygen", "-n", "0"},
            new String[] {"show"},
            new String[] {"show", "x", "--format", "yaml"})) {
      Cli.Result r = cli().run(args);
      assertEquals(2, r.code(), String.join(" ", args) + "\n" + r);
      assertEquals(1, r.err().lines().count(), r.err());
    }
  }
}
