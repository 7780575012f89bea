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
import dev.edlinkidem.journal.postgres.PostgresJournal;
import dev.edlinkidem.sandbox.Faults;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * reconcile, the interactive shell and what Tab asks the journal for, on a PostgreSQL journal in a
 * throw-away cluster, against the sandbox: each works as on a directory, and each key is created
 * once on the sandbox whatever is run. Also the fleet set-up that docs/journal-format.md gives (a
 * schema and two roles per team, the runners' role with only the grants it lists, and the nightly
 * job), run as written there.
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

  /** Occurrences of {@code text} on the screen. */
  private static int count(ScriptedTerminal t, String text) {
    return t.screen().split(Pattern.quote(text), -1).length - 1;
  }

  @Test
  void aWarningAboutThePasswordFileIsSaidOnceAndNeverWhileTabCompletes() throws Exception {
    postLost("warned-key-1", ESSAY);
    // A .pgpass that others may read is ignored, as libpq ignores it, with a warning; the
    // superuser gets in without a password all the same.
    Path pgpass = Files.writeString(tmp.resolve(".pgpass"), "*:*:*:*:" + cluster.password() + "\n");
    Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-r--r--"));
    Map<String, String> env = shellEnv(cluster.url(cluster.superuser()));
    env.remove("PGPASSWORD");
    String warning = "is open to others";
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      // The process's stderr is the terminal, as when the shell runs for real.
      Invocation outer =
          new Invocation(
              InputStream.nullInputStream(),
              OutputStream.nullOutputStream(),
              t.terminal.output(),
              env,
              Invocation.Terminal.ALL,
              new SecureRandom());
      Future<Integer> session =
          sessions.submit(() -> ShellSession.run(outer, t.terminal, t.terminal.output()));
      t.waitFor(0, "[default] 1 pending > ");
      assertEquals(1, count(t, warning), "said before the first prompt:\n" + t.screen());
      int mark = t.mark();
      t.type("show warn\t");
      t.waitFor(mark, "ed-key-1");
      t.type("\t");
      t.type(CTRL_U);
      mark = t.mark();
      t.type("keygen\r");
      t.waitFor(mark, "[default] 1 pending > ");
      assertEquals(1, count(t, warning), "not again, on Tab or at the prompt:\n" + t.screen());
      mark = t.mark();
      t.type("list --format keys\r");
      t.waitFor(mark, "[default] 1 pending > ");
      assertEquals(2, count(t, warning), "a command typed says its own:\n" + t.screen());
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
  }

  // --- the fleet set-up of docs/journal-format.md, as written there ---

  private static final Path DOC = Path.of("docs/journal-format.md");

  /** A fenced block of the doc: its language and its text. */
  private record Block(String language, String text) {}

  /** The fenced blocks under the doc's heading "### {@code heading}", in order. */
  private static List<Block> blocks(String heading) throws Exception {
    String doc = Files.readString(DOC);
    int start = doc.indexOf("\n### " + heading + "\n");
    assertTrue(start >= 0, "no section '" + heading + "' in " + DOC);
    int end = doc.length();
    for (String next : List.of("\n### ", "\n## ")) {
      int at = doc.indexOf(next, start + 1);
      end = at < 0 ? end : Math.min(end, at);
    }
    Matcher m =
        Pattern.compile("```(\\w+)\n(.*?)```", Pattern.DOTALL).matcher(doc.substring(start, end));
    List<Block> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(new Block(m.group(1), m.group(2)));
    }
    return blocks;
  }

  /**
   * Runs a block of SQL for {@code team} (team_a in the doc) as its first line says: "-- psql as
   * ROLE, in the database DB". Every role but the test cluster's password role logs in without one.
   */
  private static void runSql(Block block, String team) throws Exception {
    assertEquals("sql", block.language(), block.text());
    String first = block.text().lines().findFirst().orElseThrow();
    Matcher who =
        Pattern.compile("-- psql as (a superuser|\\w+), in the database (\\w+)").matcher(first);
    assertTrue(who.matches(), "who runs it: " + first);
    Properties props = new Properties();
    props.setProperty(
        "user",
        who.group(1).equals("a superuser")
            ? cluster.superuser()
            : who.group(1).replace("team_a", team));
    String sql =
        block
            .text()
            .lines()
            .filter(l -> !l.startsWith("--"))
            .collect(Collectors.joining("\n"))
            .replace("team_a", team);
    try (Connection c =
            new org.postgresql.Driver()
                .connect(
                    "jdbc:postgresql://"
                        + cluster.host()
                        + ":"
                        + cluster.port()
                        + "/"
                        + who.group(2),
                    props);
        Statement s = c.createStatement()) {
      for (String statement : sql.split(";")) {
        if (!statement.isBlank()) {
          s.execute(statement);
        }
      }
    }
  }

  /**
   * Runs the edlink-idem lines of a shell block for {@code team}, the doc's host being the test
   * cluster, with EDLINK_IDEM_NOW set to {@code now} when it is not null. A line the test does not
   * know fails it, so that the doc cannot gain a step that is not run here.
   */
  private List<Cli.Result> runSh(Block block, String team, Instant now) {
    assertEquals("sh", block.language(), block.text());
    Cli cli = cli().env("EDLINK_IDEM_NOW", now == null ? null : now.toString());
    List<Cli.Result> results = new ArrayList<>();
    for (String line : block.text().replace("team_a", team).lines().toList()) {
      line = line.replace("db.example:5432", cluster.host() + ":" + cluster.port());
      if (line.startsWith("export EDLINK_IDEM_JOURNAL=")) {
        cli.env("EDLINK_IDEM_JOURNAL", line.substring(line.indexOf('=') + 1));
      } else if (line.startsWith("edlink-idem ")) {
        results.add(cli.run(line.substring("edlink-idem ".length()).split(" ")));
      } else {
        assertTrue(line.equals("#!/bin/sh") || line.equals("set -e"), "a line not run: " + line);
      }
    }
    return results;
  }

  /** The command line as a team's runners use it. */
  private Cli runner(String team) {
    return cli()
        .env(
            "EDLINK_IDEM_JOURNAL",
            "postgres://" + team + "_ci@" + cluster.host() + ":" + cluster.port() + "/edlink_idem");
  }

  /** As superuser, in the fleet's database. */
  private String fleetSql(String sql) throws Exception {
    return cluster.psql("\\connect edlink_idem\n" + sql).strip();
  }

  @Test
  void theFleetSetUpInTheDocWorksAsWrittenAndTheRunnersRoleNeedsNoMore() throws Exception {
    List<Block> setUp = blocks("Running it for a fleet");
    assertEquals(
        List.of("sql", "sql", "sh", "sql"),
        setUp.stream().map(Block::language).toList(),
        "once; for each team; the tables; the grants");
    runSql(setUp.get(0), "team_a");
    for (String team : List.of("team_a", "team_b")) {
      runSql(setUp.get(1), team);
      List<Cli.Result> migrated = runSh(setUp.get(2), team, null);
      assertEquals(1, migrated.size());
      assertEquals(0, migrated.get(0).code(), migrated.get(0).toString());
      assertTrue(
          migrated.get(0).out().contains("schema version 0 -> " + PostgresJournal.schemaVersion()),
          migrated.get(0).out());
      runSql(setUp.get(3), team);
    }
    assertEquals(
        "team_a_admin",
        fleetSql(
            "select distinct tableowner from pg_tables where schemaname = 'team_a'"
                + " and tablename like 'edlink_idem_%'"));

    // With those grants alone, the runners' role does all that runners do.
    Cli a = runner("team_a");
    assertEquals(0, a.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "fleet-done").code());
    sandbox.setFaults(faults(1, 0, 0, 0, Duration.ZERO));
    assertEquals(
        6, a.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "fleet-lost", "--retries", "0").code());
    sandbox.setFaults(faults(0, 1, 0, 0, Duration.ZERO));
    assertEquals(
        6, a.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "fleet-unsent", "--retries", "0").code());
    sandbox.setFaults(Faults.NONE);
    Path plan = Files.writeString(tmp.resolve("plan.jsonl"), BatchTest.lines(3));
    Cli.Result batch = a.run("batch", plan.toString(), "-q");
    assertEquals(0, batch.code(), batch.toString());
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "fleet-merged").code());
    Cli.Result merged = a.run("journal", "merge", journalDir().toString());
    assertEquals(0, merged.code(), merged.toString());
    assertTrue(merged.out().contains("1 added"), merged.out());
    Cli.Result reconciled = a.run("reconcile", "--all-pending");
    assertEquals(0, reconciled.code(), reconciled.toString());
    assertTrue(
        reconciled.err().contains("1 resolved, 1 not in Edlink's request log, 0 skipped"),
        reconciled.toString());
    Cli.Result keys = a.run("list", "--format", "keys", "--completing=fleet-");
    assertEquals("fleet-merged\nfleet-unsent\nfleet-lost\nfleet-done\n", keys.out());
    assertEquals(7, a.run("list", "--format", "keys").out().lines().count());
    assertEquals("0", fleetSql("select count(*) from team_a.edlink_idem_leases"), "given back");

    // ... and nothing more: no table made or changed, no other team's journal.
    assertEquals(
        "f|f|f|f",
        fleetSql(
            "select has_schema_privilege('team_a_ci', 'team_a', 'create'),"
                + " has_table_privilege('team_a_ci', 'team_a.edlink_idem_records', 'update'),"
                + " has_table_privilege('team_a_ci', 'team_a.edlink_idem_schema', 'update'),"
                + " has_schema_privilege('team_a_ci', 'team_b', 'usage')"));
    assertEquals("", runner("team_b").run("list", "--format", "keys").out(), "team_b's own");
    assertEquals(0, runner("team_b").run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "b-1").code());
    assertFalse(a.run("list", "--format", "keys").out().contains("b-1"));

    // The nightly job, 29 days on: nothing to prune, and the pending entry is the job's alert.
    String createdNs =
        fleetSql("select created_ns from team_a.edlink_idem_entries where key = 'fleet-unsent'");
    Instant created = Instant.ofEpochSecond(0, Long.parseLong(createdNs));
    Block nightly = blocks("Retention, in a scheduled job").get(0);
    List<Cli.Result> day29 = runSh(nightly, "team_a", created.plus(Duration.ofDays(29)));
    assertEquals(2, day29.size());
    assertEquals(0, day29.get(0).code(), day29.get(0).toString());
    assertTrue(day29.get(0).out().startsWith("removed 0 entries"), day29.get(0).out());
    assertEquals(7, day29.get(1).code(), day29.get(1).toString());
    assertTrue(day29.get(1).out().contains("fleet-unsent"), day29.get(1).out());

    // 31 days on, while a runner holds fleet-done: it is skipped and named, the rest removed.
    fleetSql(
        "insert into team_a.edlink_idem_leases (key, holder, expires_at) values ('fleet-done',"
            + " nextval('team_a.edlink_idem_holders'), now() + interval '1 hour')");
    List<Cli.Result> day31 = runSh(nightly, "team_a", created.plus(Duration.ofDays(31)));
    Cli.Result pruned = day31.get(0);
    assertEquals(0, pruned.code(), pruned.toString());
    assertTrue(pruned.out().startsWith("removed 5 entries"), pruned.out());
    assertTrue(
        pruned.out().contains("skipped fleet-done: in flight in another process"), pruned.out());
    assertTrue(pruned.out().contains("kept 1 pending entry"), pruned.out());
    fleetSql("delete from team_a.edlink_idem_leases");
    Cli.Result night32 = runSh(nightly, "team_a", created.plus(Duration.ofDays(32))).get(0);
    assertTrue(night32.out().startsWith("removed 1 entry"), night32.out());
    assertEquals("fleet-unsent\n", a.run("list", "--format", "keys").out());
    int requests = stat("requests");
    Cli.Result again = a.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "fleet-done");
    assertEquals(3, again.code(), "its tombstone refuses it: " + again);
    assertEquals(requests, stat("requests"));

    // Tables older than the tool: the runners' role cannot bring them up, and sends nothing.
    fleetSql("update team_a.edlink_idem_schema set version = 0");
    Cli.Result older = a.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "fleet-upgrade");
    assertEquals(1, older.code(), older.toString());
    assertTrue(older.err().contains("permission denied"), older.err());
    fleetSql("update team_a.edlink_idem_schema set version = 99");
    Cli.Result newer = a.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "fleet-upgrade");
    assertEquals(2, newer.code(), newer.toString());
    assertTrue(newer.err().contains("newer than this edlink-idem"), newer.err());
    fleetSql("update team_a.edlink_idem_schema set version = " + PostgresJournal.schemaVersion());
    assertEquals(requests, stat("requests"), "nothing sent");

    Cli.Result forgot =
        a.env("EDLINK_IDEM_NOW", created.plus(Duration.ofDays(62)).toString())
            .run("prune", "--tombstones");
    assertEquals(0, forgot.code(), forgot.toString());
    assertTrue(forgot.out().contains("forgot fleet-done"), forgot.out());
    assertEquals("0", fleetSql("select count(*) from team_a.edlink_idem_tombstones"));

    for (String key : List.of("fleet-done", "fleet-lost", "fleet-merged", "b-1")) {
      assertEquals(1, creations(key), key + " created once: " + log);
    }
    assertEquals(0, creations("fleet-unsent"));
    assertEquals(7, stat("creates"), "four keys and the batch's three lines");
  }
}
