package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.cli.HelpChecks;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.command.ShellSession;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.sandbox.Faults;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Size;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The interactive shell on a scripted JLine terminal, against the real sandbox. */
class ShellTest extends SandboxCase {
  private static final String CTRL_C = "\u0003";
  private static final String CTRL_D = "\u0004";
  private static final String CTRL_P = "\u0010";

  private final ExecutorService sessions = Executors.newCachedThreadPool();

  @AfterEach
  void stopSessions() {
    sessions.shutdownNow();
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("EDLINK_TOKEN", TOKEN);
    env.put("EDLINK_BASE_URL", sandbox.baseUrl().toString());
    env.put("EDLINK_IDEM_JOURNAL", journalDir().toString());
    env.put("HOME", tmp.toString());
    env.put("XDG_STATE_HOME", tmp.resolve("state").toString());
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    return env;
  }

  private Future<Integer> start(ScriptedTerminal t, String... globalArgs) {
    Invocation outer =
        new Invocation(
            InputStream.nullInputStream(),
            OutputStream.nullOutputStream(),
            OutputStream.nullOutputStream(),
            env(),
            Invocation.Terminal.ALL,
            new SecureRandom());
    return sessions.submit(
        () -> ShellSession.run(outer, t.terminal, t.terminal.output(), globalArgs));
  }

  private String pendingPost() throws Exception {
    sandbox.setFaults(faults(1, 0, 0, 0, Duration.ZERO));
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "--retries", "0");
    sandbox.setFaults(Faults.NONE);
    assertEquals(6, r.code(), r.toString());
    return newestKey();
  }

  private String newestKey() throws Exception {
    return cli().run("list", "--format", "keys", "--limit", "1").out().strip();
  }

  private Path history() {
    return tmp.resolve("state/edlink-idem/history");
  }

  @Test
  void tabCompletesTheCommandAndAPendingKeyThenReplaysIt() throws Exception {
    String first = pendingPost();
    String second = pendingPost();
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY).code());
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t);
      t.waitFor(0, "[default] 2 pending > ");
      int mark = t.mark();
      t.type("rep\t");
      t.waitFor(mark, "replay ");
      mark = t.mark();
      t.type(second.substring(0, 8) + "\t");
      t.waitFor(mark, second.substring(8));
      mark = t.mark();
      t.type("\r");
      t.waitFor(mark, "[default] 1 pending > ");
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
    assertEquals(EntryState.SUCCEEDED, entry(second).state());
    assertEquals(EntryState.PENDING, entry(first).state());
  }

  @Test
  void historyIsKeptInTheStateDirectoryAcrossSessions() throws Exception {
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY).code());
    String key = newestKey();
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t);
      t.waitFor(0, "0 pending > ");
      t.type("list --format keys\r");
      t.waitFor(0, key);
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
    assertTrue(
        Files.readString(history()).contains("list --format keys"), Files.readString(history()));
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history())));
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t);
      t.waitFor(0, "0 pending > ");
      assertFalse(t.screen().contains(key));
      t.type(CTRL_P + "\r");
      t.waitFor(0, key);
      t.type("exit\r");
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void ctrlCClearsTheLineOrInterruptsTheRequestAndTheEntryStaysPending() throws Exception {
    sandbox.setFaults(faults(0, 0, 0, 0, Duration.ofSeconds(60)));
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t);
      t.waitFor(0, "0 pending > ");
      int mark = t.mark();
      t.type("bogus-command");
      t.waitFor(mark, "bogus-command");
      t.type(CTRL_C);
      t.waitFor(mark, "0 pending > ");
      mark = t.mark();
      t.type("post " + ASSIGNMENTS + " -d '" + ESSAY + "'\r");
      t.waitUntil(() -> stat("in_progress") == 1, "request at the sandbox");
      t.type(CTRL_C);
      t.waitFor(mark, "1 pending (exit 130) > ");
      assertTrue(t.screen().contains("stays pending"), t.screen());
      assertFalse(
          t.screen().contains("bogus-command'"), "the cleared line never ran:\n" + t.screen());
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
    List<Entry> entries = entries();
    assertEquals(1, entries.size());
    assertEquals(EntryState.PENDING, entries.get(0).state());
  }

  @Test
  void theShellsGlobalOptionsApplyToEveryCommandUnlessItGivesItsOwn() throws Exception {
    Path other = tmp.resolve("other-journal");
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t, "--journal", other.toString());
      t.waitFor(0, "0 pending > ");
      int mark = t.mark();
      t.type("post " + ASSIGNMENTS + " -d '" + ESSAY + "'\r");
      t.waitFor(mark, "0 pending > ");
      mark = t.mark();
      t.type("post " + ASSIGNMENTS + " -d '" + ESSAY + "' --journal " + journalDir() + "\r");
      t.waitFor(mark, "0 pending > ");
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
    assertEquals(
        1,
        cli().run("list", "--format", "keys", "--journal", other.toString()).out().lines().count());
    assertEquals(1, entries().size(), "the line's own --journal won");
  }

  @Test
  void aLineWithASpaceFirstOrHoldingTheTokenIsNotKeptInTheHistory() throws Exception {
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t);
      t.waitFor(0, "pending > ");
      t.type(TOKEN + "\r"); // pasted at the prompt by mistake
      t.waitFor(0, "unknown command");
      t.type(" keygen --token-typed-here-" + "sk-spaced-out\r");
      t.waitFor(0, "sk-spaced-out");
      t.type("keygen -n 1\r");
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
    String kept = Files.readString(history());
    assertTrue(kept.contains("keygen -n 1"), kept);
    assertFalse(kept.contains(TOKEN), kept);
    assertFalse(kept.contains("sk-spaced-out"), kept);
  }

  @Test
  void aLineWithAProxyPasswordIsNotKeptInTheHistory() throws Exception {
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t);
      t.waitFor(0, "pending > ");
      t.type("config show --proxy http://alice:pw-in-url-1@proxy.corp:3128\r");
      t.waitFor(0, "alice:xxxxx@proxy.corp");
      t.type("config show --proxy=bob:pw-bare-2@proxy.corp\r");
      t.waitFor(0, "bob:xxxxx@proxy.corp");
      t.type("config show --proxy 'http://carol:pw in quotes 3@proxy.corp:3128'\r");
      t.waitFor(0, "carol:xxxxx@proxy.corp");
      t.type("config show --proxy http://proxy.corp:3128\r");
      t.waitFor(0, "http://proxy.corp:3128  (flag --proxy)");
      t.type("keygen -n 1\r");
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
    String kept = Files.readString(history());
    assertTrue(kept.contains("keygen -n 1"), kept);
    assertTrue(kept.contains("--proxy http://proxy.corp:3128"), "no password, kept: " + kept);
    for (String password : List.of("pw-in-url-1", "pw-bare-2", "pw in quotes 3")) {
      assertFalse(kept.contains(password), kept);
    }
  }

  @Test
  void setTokenAsksWithoutEchoing() throws Exception {
    String secret = "sk-live-7d1e9-typed-not-shown";
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t);
      t.waitFor(0, "pending > ");
      t.type("config set-token\r");
      t.waitFor(0, "Token for profile default: ");
      t.type(secret + "\r");
      t.waitFor(0, "stored in");
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
      assertFalse(t.screen().contains(secret), t.screen());
    }
    Path token = tmp.resolve("config/edlink-idem/tokens/default");
    assertEquals(secret + "\n", Files.readString(token));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
    assertFalse(Files.readString(history()).contains(secret));
  }

  @Test
  void helpTheToolsNameOutOfHabitAndNoShellInAShell() throws Exception {
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t);
      t.waitFor(0, "0 pending > ");
      int mark = t.mark();
      t.type("help\r");
      t.waitFor(mark, "Ctrl-D or 'exit' leaves");
      assertTrue(t.screen().indexOf("Usage: edlink-idem", mark) > 0, t.screen());
      mark = t.mark();
      t.type("help prune\r");
      t.waitFor(mark, "Usage: edlink-idem prune");
      mark = t.mark();
      t.type("help lsit\r");
      t.waitFor(mark, "unknown command 'lsit'; did you mean 'list'?");
      mark = t.mark();
      t.type("keygen | cat\r");
      t.waitFor(mark, "pipes are not supported in the shell");
      t.waitFor(mark, "0 pending (exit 2) > ");
      mark = t.mark();
      t.type("list > out\r");
      t.waitFor(mark, "redirection is not supported in the shell");
      t.waitFor(mark, "0 pending (exit 2) > ");
      mark = t.mark();
      t.type("clear\r");
      t.waitFor(mark, "0 pending > ");
      mark = t.mark();
      t.type("edlink-idem keygen --uuid\r");
      // Not the prompt: it is drawn again as soon as the line is typed, before the command runs.
      int keygen = mark;
      t.waitUntil(
          () ->
              t.screen()
                  .substring(keygen)
                  .matches("(?s).*\\b[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-.*"),
          "a UUID from keygen");
      mark = t.mark();
      t.type("shell\r");
      t.waitFor(mark, "already in the shell");
      t.waitFor(mark, "0 pending (exit 2) > ");
      t.type("list --state nonsense\r");
      t.waitFor(mark, "(see 'edlink-idem list --help')");
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void aBodyTypedAfterDashDAtDashEndsWithCtrlDAndCtrlCThereSendsNothing() throws Exception {
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t);
      t.waitFor(0, "0 pending > ");
      int mark = t.mark();
      t.type("post " + ASSIGNMENTS + " -d @- -k typed-body-key-1\r");
      t.type(ESSAY + "\r");
      t.type(CTRL_D);
      t.waitFor(mark, "200 succeeded");
      t.waitFor(mark, "0 pending > ");
      mark = t.mark();
      t.type("post " + ASSIGNMENTS + " -d @- -k never-sent-key-1\r");
      t.type("{\"title\":");
      t.waitFor(mark, "{\"title\":");
      t.type(CTRL_C);
      t.waitFor(mark, "interrupted while reading the body; nothing was journaled or sent");
      t.waitFor(mark, "0 pending (exit 130) > ");
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
    assertEquals(
        "Essay",
        json(new String(
                entry("typed-body-key-1").request().body(),
                java.nio.charset.StandardCharsets.UTF_8))
            .get("title")
            .getAsString());
    assertEquals(1, entries().size());
  }

  @Test
  void anUnclosedQuoteAsksForTheRestAndTildeIsHome() throws Exception {
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      Future<Integer> session = start(t);
      t.waitFor(0, "0 pending > ");
      int mark = t.mark();
      int cut = ESSAY.indexOf(',') + 1; // a new line between JSON members is still JSON
      t.type(
          "post "
              + ASSIGNMENTS
              + " --journal ~/j2 -k split-line-key -d '"
              + ESSAY.substring(0, cut)
              + "\r");
      t.waitFor(mark, "quote> ");
      assertEquals(0, stat("creates"), "half a line is not sent");
      t.type(ESSAY.substring(cut) + "'\r");
      t.waitFor(mark, "200 succeeded");
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
    assertEquals(
        "split-line-key\n",
        cli().run("list", "--format", "keys", "--journal", tmp.resolve("j2").toString()).out());
  }

  @Test
  void helpFitsTheShellsTerminalAndKeepsEachExampleOnOneLine() throws Exception {
    try (ScriptedTerminal t = new ScriptedTerminal()) {
      t.terminal.setSize(new Size(100, 50));
      Future<Integer> session = start(t);
      t.waitFor(0, "0 pending > ");
      int mark = t.mark();
      t.type("help post\r");
      t.waitFor(mark, "< a.json\n");
      HelpChecks.assertPostHelpFits(t.screen().substring(mark), 90, 100);
      t.type(CTRL_D);
      assertEquals(0, session.get(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void withoutATerminalTheShellRefusesInsteadOfWaiting() {
    Cli.Result r = cli().run("shell");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("needs a terminal"), r.err());
  }
}
