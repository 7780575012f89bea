package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.command.ShellSession;
import dev.edlinkidem.journal.postgres.PostgresCluster;
import dev.edlinkidem.sandbox.Faults;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * reconcile, the interactive shell and what Tab asks the journal for, on a PostgreSQL journal in a
 * throw-away cluster, against the sandbox: each works as on a directory, and each key is created
 * once on the sandbox whatever is run.
 */
class PostgresReconcileShellTest extends SandboxCase {
  private static final String CTRL_D = "\u0004";
  private static final String CTRL_U = "\u0015";

  private static PostgresCluster cluster;

  private final ExecutorService sessions = Executors.newCachedThreadPool();

  @BeforeAll
  static void startCluster() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(Files.createTempDirectory("edlink-idem-pg-reconcile"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void aNewJournal() throws Exception {
    cluster.dropJournal();
  }

  @AfterEach
  void stopSessions() {
    sessions.shutdownNow();
  }

  private String url() {
    return cluster.url(cluster.passwordUser());
  }

  /** The command line with the PostgreSQL journal, its password in PGPASSWORD. */
  private Cli pg() {
    return cli().env("EDLINK_IDEM_JOURNAL", url()).env("PGPASSWORD", cluster.password());
  }

  /** Posted to the PostgreSQL journal; created on the sandbox, its answer lost: pending. */
  private void postLost(String key, String body) {
    sandbox.setFaults(faults(1, 0, 0, 0, Duration.ZERO));
    Cli.Result r = pg().run("post", ASSIGNMENTS, "-d", body, "-k", key, "--retries", "0");
    sandbox.setFaults(Faults.NONE);
    assertEquals(6, r.code(), r.toString());
  }

  /** Posted to the PostgreSQL journal; dropped before the sandbox did anything: pending. */
  private void postUnsent(String key) {
    sandbox.setFaults(faults(0, 1, 0, 0, Duration.ZERO));
    Cli.Result r = pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", key, "--retries", "0");
    sandbox.setFaults(Faults.NONE);
    assertEquals(6, r.code(), r.toString());
  }

  /** How many times the sandbox created something for {@code key}, from its log. */
  private long creations(String key) {
    return log.stream()
        .filter(l -> l.contains(" key=" + key + " -> ") && l.matches(".* -> \\d{3} created.*"))
        .count();
  }

  /** The key's summary row, as list and expiring read it: "state via" ("-" for none). */
  private String row(String key) throws Exception {
    return cluster
        .psql(
            "select state || ' ' || coalesce(via, '-') from edlink_idem_entries where key = '"
                + key
                + "'")
        .strip();
  }

  /** Every record in the journal, in order: equal means nothing was written. */
  private String records() throws Exception {
    return cluster.psql(
        "select key, encode(record, 'escape') from edlink_idem_records order by id");
  }

  @Test
  void reconcileResolvesA200AndA400AndWhatItDidNotFindIsReplayedOnce() throws Exception {
    postLost("lost-ok", ESSAY); // created on the sandbox, its answer lost
    postLost("lost-bad", "{\"title\":\"x\"}"); // refused with a 400, its answer lost
    postUnsent("never-arrived"); // nothing reached the sandbox
    assertEquals(0, pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "done").code());
    int requests = stat("requests");

    Cli.Result r = pg().run("reconcile", "--all-pending");

    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("lost-ok\tsucceeded\t200\tEdlink received it on "), r.out());
    assertTrue(r.out().contains("lost-bad\tfailed\t400\t"), r.out());
    assertTrue(
        r.out()
            .contains(
                "never-arrived\tpending\t-\tnot in Edlink's request log: safe to replay:"
                    + " edlink-idem replay never-arrived"),
        r.out());
    assertFalse(r.out().contains("done\t"), "a finished entry is not among --all-pending");
    assertTrue(
        r.err().contains("reconcile: 2 resolved, 1 not in Edlink's request log, 0 skipped"),
        r.err());
    assertTrue(stat("requests") > requests, "it read the log");
    assertEquals("succeeded reconcile", row("lost-ok"));
    assertEquals("failed reconcile", row("lost-bad"));
    assertEquals("pending -", row("never-arrived"));
    assertEquals("succeeded post", row("done"));
    assertTrue(
        pg().run("show", "lost-ok", "--format", "json").out().contains("\"via\":\"reconcile\""),
        "show reads the outcome reconcile recorded");
    assertEquals(
        "never-arrived\n", pg().run("list", "--state", "pending", "--format", "keys").out());

    // Following its advice sends the one it did not find, once; the others are not sent again.
    Cli.Result replayed = pg().run("replay", "never-arrived");
    assertEquals(0, replayed.code(), replayed.toString());
    Cli.Result again = pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "lost-ok");
    assertEquals(0, again.code(), again.toString());
    assertTrue(again.out().contains("\"title\":\"Essay\""), "what the log said: " + again.out());
    assertTrue(again.err().contains("recorded response from the journal, not sent"), again.err());
    assertEquals(0, pg().run("expiring", "--within", "31d", "--fail-if-pending").code());
    for (String key : List.of("lost-ok", "never-arrived", "done")) {
      assertEquals(1, creations(key), key + " created once: " + log);
    }
    assertEquals(0, creations("lost-bad"));
    assertEquals(3, stat("creates"));
    assertFalse(Files.exists(journalDir()), "no directory journal was made");
  }

  @Test
  void reconcileByPrefixInJsonSaysAFinishedEntryHasNothingToReconcile() throws Exception {
    postLost("prefix-lost-1", ESSAY);
    assertEquals(0, pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "prefix-done-1").code());

    Cli.Result r = pg().run("reconcile", "prefix-l", "prefix-d", "--format", "json");

    assertEquals(0, r.code(), r.toString());
    List<JsonObject> lines =
        r.out().lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    assertEquals(2, lines.size(), r.out());
    JsonObject done = lines.get(0);
    assertEquals("prefix-done-1", done.get("key").getAsString());
    assertEquals("succeeded", done.get("state").getAsString());
    assertTrue(done.get("log").isJsonNull(), "the log was not asked about it");
    assertTrue(done.get("note").getAsString().contains("nothing to reconcile"), done.toString());
    JsonObject found = lines.get(1);
    assertEquals("prefix-lost-1", found.get("key").getAsString());
    assertEquals("succeeded", found.get("state").getAsString());
    assertEquals("answered", found.get("log").getAsString());
    assertTrue(Instant.parse(found.get("logged_at").getAsString()) != null, found.toString());
    assertEquals("succeeded reconcile", row("prefix-lost-1"));

    Cli.Result ambiguous = pg().run("reconcile", "prefix");
    assertEquals(2, ambiguous.code(), ambiguous.toString());
    assertEquals(1, creations("prefix-lost-1"));
    assertEquals(1, creations("prefix-done-1"));
  }

  @Test
  void aKeyAnotherProcessHoldsIsSkippedUntilItLetsGo() throws Exception {
    postLost("held-key-1", ESSAY);
    // Another process, on another machine perhaps, is sending held-key-1 now.
    cluster.psql(
        "insert into edlink_idem_leases (key, holder, expires_at)"
            + " values ('held-key-1', nextval('edlink_idem_holders'), now() + interval '1 hour')");
    String holder = cluster.psql("select holder from edlink_idem_leases").strip();
    String before = records();

    Cli.Result busy = pg().run("reconcile", "--all-pending");

    assertEquals(0, busy.code(), busy.toString());
    assertTrue(
        busy.out()
            .contains(
                "held-key-1\tskipped\t-\tin flight in another process; reconcile it when that is"
                    + " done"),
        busy.out());
    assertTrue(busy.err().contains("0 resolved, 0 not in Edlink's request log, 1 skipped"));
    assertEquals(before, records(), "nothing recorded under another's lease");
    assertEquals(holder, cluster.psql("select holder from edlink_idem_leases").strip());
    assertEquals("pending -", row("held-key-1"));

    cluster.psql("delete from edlink_idem_leases");
    Cli.Result free = pg().run("reconcile", "held-key-1");
    assertEquals(0, free.code(), free.toString());
    assertTrue(free.out().contains("held-key-1\tsucceeded\t200"), free.out());
    assertEquals("succeeded reconcile", row("held-key-1"));
    assertEquals("", cluster.psql("select key from edlink_idem_leases").strip(), "let go");
    assertEquals(1, creations("held-key-1"));
  }

  @Test
  void aLoggedInternalStaysPendingAndAnEntryPastTheLogsReachIsNotKnown() throws Exception {
    // The work is done, and Edlink logs and keeps INTERNAL as the key's answer.
    sandbox.setFaults(new Faults(0, 0, 0, 0, Duration.ZERO, 0, 1, 0));
    assertEquals(
        5,
        pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "internal-key", "--retries", "0").code());
    sandbox.setFaults(Faults.NONE);
    postUnsent("too-late");

    Cli.Result r = pg().run("reconcile", "internal-key");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("internal-key\tpending"), r.out());
    assertTrue(r.out().contains("look for the assignment in the class"), r.out());
    assertFalse(r.out().contains("safe to replay"), r.out());
    assertEquals("pending -", row("internal-key"));

    // Edlink's log keeps 30 days: past them, "not in the log" proves nothing.
    String created =
        cluster.psql("select created_ns from edlink_idem_entries where key = 'too-late'").strip();
    Instant later = Instant.ofEpochSecond(0, Long.parseLong(created)).plus(Duration.ofDays(30));
    Cli.Result late = pg().env("EDLINK_IDEM_NOW", later.toString()).run("reconcile", "too-late");
    assertEquals(0, late.code(), late.toString());
    assertTrue(
        late.out()
            .contains(
                "too-late\tpending\t-\tnot in Edlink's request log, which keeps only 30 days:"
                    + " whether Edlink received it is not known"),
        late.out());
    assertFalse(late.out().contains("new key"), late.out());
    assertEquals("pending -", row("too-late"));
    // Logged as "400 INTERNAL", not as a creation: the sandbox's count says the work was done once.
    assertEquals(1, stat("creates"), "internal-key's assignment, made once; too-late's never");
  }

  @Test
  void reconcileForAnotherHostSkipsAndWithARefusedTokenChangesNothing() throws Exception {
    postLost("needs-token", ESSAY);
    Cli.Result elsewhere =
        pg().env("EDLINK_BASE_URL", "http://127.0.0.1:1").run("reconcile", "needs-token");
    assertEquals(0, elsewhere.code(), elsewhere.toString());
    assertTrue(
        elsewhere
            .out()
            .contains(
                "needs-token\tskipped\t-\tjournaled for http://127.0.0.1:"
                    + sandbox.baseUrl().getPort()),
        elsewhere.out());

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
        assumeTrue(tries < 100, "port " + port + " was taken by another test while it was free");
        Thread.sleep(50);
      }
    }
    String before = records();
    Cli.Result r = pg().run("reconcile", "needs-token");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("needs an integration (graph) token"), r.err());
    assertEquals(before, records());
    assertEquals("pending -", row("needs-token"));
    assertEquals("", cluster.psql("select key from edlink_idem_leases").strip(), "let go");
  }

  // --- what Tab asks the journal for ---

  @Test
  void theKeysTheCompletionScriptsAskForComeFromPostgresNewestFirst() throws Exception {
    postLost("tab_a-1", ESSAY);
    assertEquals(0, pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "tabXa-2").code());
    postLost("tab_b-3", ESSAY);
    assertEquals(0, pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "other-4").code());

    // What the bash, zsh and fish scripts run on Tab after show, and after replay or reconcile.
    Cli.Result all = pg().run("list", "--format", "keys", "--completing=tab");
    assertEquals(0, all.code(), all.toString());
    assertEquals("tab_b-3\ntabXa-2\ntab_a-1\n", all.out());
    assertEquals(
        "tab_b-3\ntab_a-1\n",
        pg().run("list", "--format", "keys", "--state", "pending", "--completing=tab").out());
    assertEquals(
        "tab_b-3\ntab_a-1\n",
        pg().run("list", "--format", "keys", "--completing=tab_").out(),
        "an underscore is itself, not any character");
    assertEquals(
        "tab_a-1\n",
        pg().run("list", "--format", "keys", "--completing='tab_a").out(),
        "a quote the line started is the shell's");
    assertEquals("", pg().run("list", "--format", "keys", "--completing=%").out());
    assertEquals(
        "other-4\ntab_b-3\ntabXa-2\ntab_a-1\n",
        pg().run("list", "--format", "keys", "--completing=").out());

    // A database that refuses the role: exit 1, and nothing on stdout for a script to offer.
    Cli.Result refused =
        pg().env("PGPASSWORD", "wrong-password-5").run("list", "--format", "keys", "--completing=");
    assertEquals(1, refused.code(), refused.toString());
    assertEquals("", refused.out());
  }

  // --- the interactive shell ---

  private Map<String, String> shellEnv(String journal) {
    Map<String, String> env = new HashMap<>();
    env.put("EDLINK_TOKEN", TOKEN);
    env.put("EDLINK_BASE_URL", sandbox.baseUrl().toString());
    env.put("EDLINK_IDEM_JOURNAL", journal);
    env.put("PGPASSWORD", cluster.password());
    env.put("HOME", tmp.toString());
    env.put("XDG_STATE_HOME", tmp.resolve("state").toString());
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    return env;
  }

  private Future<Integer> start(ScriptedTerminal t, Map<String, String> env, String... globalArgs) {
    Invocation outer =
        new Invocation(
            InputStream.nullInputStream(),
            OutputStream.nullOutputStream(),
            OutputStream.nullOutputStream(),
            env,
            Invocation.Terminal.ALL,
            new SecureRandom());
    return sessions.submit(
        () -> ShellSession.run(outer, t.terminal, t.terminal.output(), globalArgs));
  }

  @Test
  void theShellCountsCompletesReplaysAndReconcilesKeysOfThePostgresJournal() throws Exception {
    postLost("pgtab-aaaa-1", ESSAY);
    postLost("pgtab-bbbb-2", ESSAY);
    assertEquals(0, pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pgtab-cccc-3").code());
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t, shellEnv(url()));
      t.waitFor(0, "[default] 2 pending > ");
      int mark = t.mark();
      t.type("rep\t");
      t.waitFor(mark, "replay ");
      mark = t.mark();
      t.type("pgtab-b\t");
      t.waitFor(mark, "bbb-2");
      mark = t.mark();
      t.type("\r");
      t.waitFor(mark, "[default] 1 pending > ");
      mark = t.mark();
      t.type("reconcile pgtab-a\t");
      t.waitFor(mark, "aaa-1");
      mark = t.mark();
      t.type("\r");
      t.waitFor(mark, "pgtab-aaaa-1\tsucceeded\t200");
      t.waitFor(mark, "[default] 0 pending > ");

      // show offers every key, with what each is; replay only pending ones, and none is left.
      mark = t.mark();
      t.type("show pgtab-\t");
      int menu = mark;
      t.waitUntil(
          () -> {
            String s = t.screen().substring(menu);
            return s.contains("pgtab-aaaa-1")
                && s.contains("pgtab-bbbb-2")
                && s.contains("pgtab-cccc-3")
                && s.contains("succeeded · ");
          },
          "the three keys offered with their state");
      t.type(CTRL_U);
      mark = t.mark();
      t.type("list --format keys\r");
      t.waitFor(mark, "pgtab-cccc-3");
      t.waitFor(mark, "[default] 0 pending > ");
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
    assertEquals("succeeded reconcile", row("pgtab-aaaa-1"));
    assertEquals("succeeded replay", row("pgtab-bbbb-2"));
    assertEquals("succeeded post", row("pgtab-cccc-3"));
    for (String key : List.of("pgtab-aaaa-1", "pgtab-bbbb-2", "pgtab-cccc-3")) {
      assertEquals(1, creations(key), key + " created once: " + log);
    }
    assertFalse(Files.exists(journalDir()), "no directory journal was made");
  }

  @Test
  void aPostgresJournalGivenToTheShellOrOnOneLineIsTheOneCommandsAndTabUse() throws Exception {
    postLost("pgline-1", ESSAY);
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "dirline-1").code());
    String directory = journalDir().toString();

    // Started with --journal postgres://...: every command, and Tab, use the database.
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t, shellEnv(directory), "--journal", url());
      t.waitFor(0, "[default] 1 pending > ");
      int mark = t.mark();
      t.type("replay pgl\t");
      t.waitFor(mark, "ine-1");
      mark = t.mark();
      t.type("\r");
      t.waitFor(mark, "[default] 0 pending > ");
      mark = t.mark();
      t.type("post " + ASSIGNMENTS + " -d '" + ESSAY + "' -k pg-from-shell\r");
      t.waitFor(mark, "200 succeeded");
      mark = t.mark();
      t.type("list --format keys --journal " + directory + "\r");
      t.waitFor(mark, "dirline-1");
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
    assertEquals("succeeded replay", row("pgline-1"));
    assertEquals("succeeded post", row("pg-from-shell"));
    assertEquals("dirline-1\n", cli().run("list", "--format", "keys").out(), "the directory's");

    // Started on the directory: a line's own --journal postgres://... is where Tab looks.
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t, shellEnv(directory));
      t.waitFor(0, "[default] 0 pending > ");
      int mark = t.mark();
      t.type("show --journal " + url() + " pg-fr\t");
      t.waitFor(mark, "om-shell");
      mark = t.mark();
      t.type("\r");
      t.waitFor(mark, "pg-from-shell");
      t.waitFor(mark, "succeeded");
      mark = t.mark();
      t.type("show dirl\t");
      t.waitFor(mark, "ine-1");
      t.type(CTRL_U);
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
    assertEquals(1, creations("pgline-1"));
    assertEquals(1, creations("pg-from-shell"));
    assertEquals(1, creations("dirline-1"));
  }
}
