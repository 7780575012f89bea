package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.sandbox.Faults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@code post} through the real command line against the sandbox. */
class PostTest extends SandboxCase {
  @Test
  void aPostSucceedsAndIsJournaled() throws Exception {
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "--key", "essay-1");
    assertEquals(0, r.code(), r.toString());
    JsonObject body = json(r.out());
    assertEquals("Essay", body.getAsJsonObject("$data").get("title").getAsString());
    assertTrue(r.err().contains("200 succeeded · key essay-1 · 1 attempt"), r.err());
    assertEquals(1, stat("creates"));
    Entry e = entry("essay-1");
    assertEquals(EntryState.SUCCEEDED, e.state());
    assertEquals(sandbox.baseUrl() + ASSIGNMENTS, e.request().url());
    assertArrayEquals(ESSAY.getBytes(StandardCharsets.UTF_8), e.request().body());
    assertArrayEquals(
        r.stdout(), e.outcome().response().body(), "piped stdout is the body byte for byte");
  }

  @Test
  void ctrlCBeforeTheJournalWriteSaysNothingWasSentAndNothingIs() throws Exception {
    // Ctrl-C the moment the command is ready to report one: before the request is journaled.
    Cli.Result r =
        cli()
            .interrupts(
                message -> {
                  message.run();
                  return () -> {};
                })
            .run("post", ASSIGNMENTS, "-d", ESSAY, "--key", "ctrl-c-1");
    assertEquals(130, r.code(), r.toString());
    assertEquals("edlink-idem: interrupted · nothing was sent for ctrl-c-1\n", r.err());
    assertEquals(0, stat("requests"), "nothing reached the sandbox");
    assertTrue(entries().isEmpty(), "nothing was journaled");
  }

  private boolean journaled(String key) {
    try {
      return new String(journalBytes(), StandardCharsets.UTF_8).contains(key);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void ctrlCDuringTheSendSaysTheJournaledKeyStaysPending() throws Exception {
    List<Runnable> hooks = new CopyOnWriteArrayList<>();
    List<Boolean> journaledWhenReady = new CopyOnWriteArrayList<>();
    onRequest = line -> hooks.forEach(Runnable::run); // Ctrl-C while Edlink answers
    Cli.Result r =
        cli()
            .interrupts(
                message -> {
                  journaledWhenReady.add(journaled("ctrl-c-2"));
                  hooks.add(message);
                  return () -> hooks.remove(message);
                })
            .run("post", ASSIGNMENTS, "-d", ESSAY, "--key", "ctrl-c-2");
    assertEquals(List.of(false), journaledWhenReady, "ready to report before the journal write");
    assertTrue(
        r.err()
            .contains(
                "edlink-idem: interrupted · ctrl-c-2 stays pending; run 'edlink-idem replay"
                    + " ctrl-c-2'"),
        r.toString());
  }

  @Test
  void withoutAKeyARandomOneIsMadeAndReported() throws Exception {
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "--format", "json");
    assertEquals(0, r.code(), r.toString());
    JsonObject o = json(r.out());
    String key = o.get("key").getAsString();
    assertTrue(key.matches("[0-9A-Za-z]{32}"), key);
    assertEquals("succeeded", o.get("state").getAsString());
    assertEquals(200, o.get("status").getAsInt());
    assertEquals(1, o.get("attempts").getAsInt());
    assertFalse(o.get("from_journal").getAsBoolean());
    assertEquals(
        "Essay", o.getAsJsonObject("response").getAsJsonObject("$data").get("title").getAsString());
    Instant expires = Instant.parse(o.get("expires_at").getAsString());
    assertEquals(entry(key).created().plus(Duration.ofDays(30)), expires);
  }

  @Test
  void keyFromTextGivesTheSameKeyOnEveryRun() throws Exception {
    Cli.Result first =
        cli()
            .run(
                "post",
                ASSIGNMENTS,
                "-d",
                ESSAY,
                "--key-from",
                "job-17/class-1",
                "--format",
                "json");
    Cli.Result again =
        cli()
            .run(
                "post",
                ASSIGNMENTS,
                "-d",
                ESSAY,
                "--key-from",
                "job-17/class-1",
                "--format",
                "json");
    assertEquals(0, first.code(), first.toString());
    assertEquals(0, again.code(), again.toString());
    assertEquals(json(first.out()).get("key"), json(again.out()).get("key"));
    assertTrue(json(again.out()).get("from_journal").getAsBoolean());
    assertEquals(1, stat("creates"));
  }

  @Test
  void aPendingKeyPostedAgainIsSentAsAReplayWouldAndRecordedAsLearnedByReplay() throws Exception {
    sandbox.setFaults(faults(0, 1, 0, 0, Duration.ZERO));
    Cli.Result lost =
        cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "again-2", "--retries", "0");
    assertEquals(6, lost.code(), lost.toString());
    sandbox.setFaults(Faults.NONE);
    Cli.Result again = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "again-2");
    assertEquals(0, again.code(), again.toString());
    assertEquals(1, stat("creates"));
    // post and batch agree: the first send of a key is learned by post, any later one by replay.
    assertEquals("replay", entry("again-2").outcome().via());
  }

  @Test
  void aMissingFieldIsAFinal400NotRetried() throws Exception {
    Cli.Result r =
        cli().run("post", ASSIGNMENTS, "-d", "{\"title\":\"No due date\"}", "-k", "bad-1");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("Edlink answered 400"), r.err());
    assertTrue(r.err().contains("journaled as failed"), r.err());
    assertEquals(1, stat("requests"), "a final 4xx is not retried");
    assertEquals(0, stat("creates"));
    assertEquals(EntryState.FAILED, entry("bad-1").state());
    assertTrue(r.out().contains("$errors"), "the error body is printed: " + r.out());
  }

  @Test
  void anAnswerLostAfterCommitIsRetriedWithTheSameKeyAndCreatesOnce() throws Exception {
    faultOnce(faults(1, 0, 0, 0, Duration.ZERO));
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "dropped-1");
    assertEquals(0, r.code(), r.toString());
    assertEquals(1, stat("creates"));
    assertEquals(1, stat("replays"));
    assertTrue(
        r.err()
            .contains(
                "edlink-idem: Edlink answered from its memory of this key: the response to its"
                    + " first request, which was not done again (IDEMPOTENCY_KEY_REPEATED)"),
        r.err());
    assertTrue(!r.err().contains("warning"), "a repeated key is what the key is for: " + r.err());
    Entry e = entry("dropped-1");
    assertEquals(2, e.attempts().size());
    assertEquals(Attempt.Result.NO_RESPONSE, e.attempts().get(0).result());
    assertEquals(200, e.attempts().get(1).status());
  }

  @Test
  void a503IsRetried() throws Exception {
    faultOnce(faults(0, 0, 1, 0, Duration.ZERO));
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "busy-1");
    assertEquals(0, r.code(), r.toString());
    assertEquals(2, entry("busy-1").attempts().size());
    assertEquals(503, entry("busy-1").attempts().get(0).status());
    assertEquals(1, stat("creates"));
  }

  @Test
  void edlinksInternalFailureIsRetriedWithTheSameKey() throws Exception {
    faultOnce(new Faults(0, 0, 0, 0, Duration.ZERO, 1, 0, 0));
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "internal-1");
    assertEquals(0, r.code(), r.toString());
    assertEquals(400, entry("internal-1").attempts().get(0).status());
    assertEquals(EntryState.SUCCEEDED, entry("internal-1").state());
    assertEquals(1, stat("creates"));
  }

  @Test
  void internalAfterTheWorkWasDoneStaysPendingAndNeverOffersANewKeyAsSafe() throws Exception {
    // The assignment exists, and Edlink keeps answering the key with its first answer: INTERNAL.
    sandbox.setFaults(new Faults(0, 0, 0, 0, Duration.ZERO, 0, 1, 0));
    Cli.Result r =
        cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "internal-2", "--retries", "2");
    assertEquals(5, r.code(), r.toString());
    assertEquals(1, stat("creates"), "created once, though every answer said INTERNAL");
    assertEquals(3, entry("internal-2").attempts().size());
    assertEquals(EntryState.PENDING, entry("internal-2").state());
    assertTrue(r.err().contains("Edlink answered 400 INTERNAL"), r.err());
    assertTrue(r.err().contains("look for the assignment in the class before posting it"), r.err());

    sandbox.setFaults(Faults.NONE);
    Cli.Result again = cli().run("replay", "internal-2", "--retries", "0");
    assertEquals(5, again.code(), again.toString());
    assertTrue(again.err().contains("IDEMPOTENCY_KEY_REPEATED"), again.err());
    assertEquals(1, stat("creates"), "the replay got the stored answer back, and acted not");
  }

  @Test
  void a429IsRetriedAfterItsRetryAfter() throws Exception {
    faultOnce(faults(0, 0, 0, 1, Duration.ZERO));
    long t0 = System.nanoTime();
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "slow-1", "-v");
    assertEquals(0, r.code(), r.toString());
    assertEquals(429, entry("slow-1").attempts().get(0).status());
    assertTrue(r.err().contains("HTTP 429") && r.err().contains("retrying in 1s"), r.err());
    assertTrue(System.nanoTime() - t0 >= 1_000_000_000L, "waited for Retry-After: 1");
    assertEquals(1, stat("creates"));
  }

  @Test
  void fiveHundredsUntilTheRetriesRunOutLeaveItPendingWithExit5() throws Exception {
    sandbox.setFaults(faults(0, 0, 1, 0, Duration.ZERO));
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "down-1", "--retries", "1");
    assertEquals(5, r.code(), r.toString());
    assertTrue(r.err().contains("edlink-idem replay down-1"), r.err());
    assertEquals(EntryState.PENDING, entry("down-1").state());
    assertEquals(2, stat("requests"));
  }

  /**
   * A loopback port bound and not listening: connections to it are refused, and no server another
   * test starts meanwhile can take it (a free port found and closed again could be, and answer).
   */
  private static java.net.Socket refusingPort() throws java.io.IOException {
    java.net.Socket reserved = new java.net.Socket();
    reserved.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
    return reserved;
  }

  @Test
  void nothingListeningIsExit6AndPendingThenReplayCreatesOnce() throws Exception {
    java.net.Socket reserved = refusingPort();
    int port = reserved.getLocalPort();
    String base = "http://127.0.0.1:" + port;
    Cli.Result r;
    try (reserved) {
      r =
          cli()
              .env("EDLINK_BASE_URL", base)
              .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "offline-1", "--retries", "1");
    }
    assertEquals(6, r.code(), r.toString());
    Entry e = entry("offline-1");
    assertEquals(EntryState.PENDING, e.state());
    assertEquals(2, e.attempts().size());
    String deadline =
        e.created()
            .plus(Duration.ofDays(30))
            .minus(Duration.ofHours(1))
            .toString()
            .substring(0, 10);
    assertTrue(r.err().contains("run 'edlink-idem replay offline-1' before " + deadline), r.err());
    assertEquals(1, r.err().lines().count(), "one line: " + r.err());

    sandbox.close();
    sandbox =
        dev.edlinkidem.sandbox.SandboxServer.start(
            "127.0.0.1", port, null, Faults.NONE, 1, log::add);
    Cli.Result replay = cli().env("EDLINK_BASE_URL", base).run("replay", "offline-1");
    assertEquals(0, replay.code(), replay.toString());
    assertEquals(1, stat("creates"));
    assertEquals(EntryState.SUCCEEDED, entry("offline-1").state());
    assertEquals("replay", entry("offline-1").outcome().via());
  }

  @Test
  void aWarningWhoseTextIsInDescriptionIsShown() throws Exception {
    // The errors guide's sample puts a warning's text in "description", not "message".
    com.sun.net.httpserver.HttpServer stub =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    stub.createContext(
        "/",
        exchange -> {
          byte[] body =
              ("{\"$data\":{\"id\":\"a1\"},\"$request\":\"r1\",\"$warnings\":[{\"code\":"
                      + "\"FOUND_UNEXPECTED_FIELD\",\"description\":\"the field colour was"
                      + " ignored\"}]}")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8);
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    stub.start();
    try {
      Cli.Result r =
          cli()
              .env("EDLINK_BASE_URL", "http://127.0.0.1:" + stub.getAddress().getPort())
              .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "warned-1");
      assertEquals(0, r.code(), r.toString());
      assertTrue(
          r.err().contains("warning: FOUND_UNEXPECTED_FIELD: the field colour was ignored"),
          r.err());
    } finally {
      stub.stop(0);
    }
  }

  @Test
  void theSameKeyForAnotherRequestIsRefusedAndNothingIsSent() throws Exception {
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "reused").code());
    byte[] before = journalBytes();
    Cli.Result r =
        cli().run("post", ASSIGNMENTS, "-d", ESSAY.replace("Essay", "Quiz"), "-k", "reused");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("for a different request"), r.err());
    assertEquals(1, stat("requests"));
    assertArrayEquals(before, journalBytes());
  }

  @Test
  void aFinishedKeyPostedAgainReturnsTheRecordedResponseWithoutTheNetwork() throws Exception {
    Cli.Result first = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "done-1");
    assertEquals(0, first.code(), first.toString());
    sandbox.close(); // nothing could answer now
    Cli.Result again = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "done-1");
    assertEquals(0, again.code(), again.toString());
    assertArrayEquals(first.stdout(), again.stdout());
    assertTrue(again.err().contains("recorded response from the journal, not sent"), again.err());
    assertEquals(1, entry("done-1").attempts().size());
    sandbox =
        dev.edlinkidem.sandbox.SandboxServer.start("127.0.0.1", 0, null, Faults.NONE, 1, log::add);
  }

  @Test
  void aFailedKeyPostedAgainReturnsItsRecorded400() throws Exception {
    assertEquals(4, cli().run("post", ASSIGNMENTS, "-d", "{}", "-k", "bad-2").code());
    Cli.Result again = cli().run("post", ASSIGNMENTS, "-d", "{}", "-k", "bad-2");
    assertEquals(4, again.code(), again.toString());
    assertEquals(1, stat("requests"));
  }

  @Test
  void aKeyWhoseWindowEndedIsRefused() throws Exception {
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "old-1").code());
    String later = Instant.now().plus(Duration.ofDays(31)).toString();
    Cli.Result r =
        cli().env("EDLINK_IDEM_NOW", later).run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "old-1");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("window ended"), r.err());
    assertEquals(1, stat("requests"));
  }

  @Test
  void aPendingKeyPastItsReplayDeadlineIsRefused() throws Exception {
    sandbox.setFaults(faults(0, 1, 0, 0, Duration.ZERO));
    assertEquals(
        6, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "stale-1", "--retries", "0").code());
    sandbox.setFaults(Faults.NONE);
    Instant created = entry("stale-1").created();
    String pastDeadline =
        created.plus(Duration.ofDays(30)).minus(Duration.ofMinutes(30)).toString();
    Cli.Result r =
        cli()
            .env("EDLINK_IDEM_NOW", pastDeadline)
            .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "stale-1");
    assertEquals(3, r.code(), r.toString());
    Cli.Result replay = cli().env("EDLINK_IDEM_NOW", pastDeadline).run("replay", "stale-1");
    assertEquals(3, replay.code(), replay.toString());
    assertEquals(1, stat("requests"));
    String inside = created.plus(Duration.ofDays(29)).toString();
    assertEquals(0, cli().env("EDLINK_IDEM_NOW", inside).run("replay", "stale-1").code());
  }

  @Test
  void refusedCredentialsExit4AndStayPending() throws Exception {
    Cli.Result r =
        cli()
            .env("EDLINK_TOKEN", null)
            .run(
                "post",
                ASSIGNMENTS,
                "-d",
                ESSAY,
                "-k",
                "tok-1",
                "--token-file",
                Files.writeString(tmp.resolve("token"), "wrong\n").toString());
    // the sandbox accepts any bearer token unless started with one; restart it demanding TOKEN
    assertEquals(0, r.code(), r.toString());
    sandbox.close();
    sandbox =
        dev.edlinkidem.sandbox.SandboxServer.start("127.0.0.1", 0, TOKEN, Faults.NONE, 1, log::add);
    Cli.Result refused =
        cli()
            .env("EDLINK_TOKEN", "expired-token")
            .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "tok-2");
    assertEquals(4, refused.code(), refused.toString());
    assertTrue(refused.err().contains("refused the token"), refused.err());
    assertEquals(EntryState.PENDING, entry("tok-2").state());
    assertEquals(0, cli().run("replay", "tok-2").code());
    assertEquals(EntryState.SUCCEEDED, entry("tok-2").state());
  }

  @Test
  void includeShowsTheStatusLineAndHeaders() {
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-i");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("HTTP/1.1 200\r\n"), r.out());
    assertTrue(r.out().toLowerCase().contains("content-type: application/json"), r.out());
  }

  @Test
  void prettyOnATerminalRawWhenPiped() {
    Cli.Result piped = cli().run("post", ASSIGNMENTS, "-d", ESSAY);
    assertFalse(piped.out().contains("\n  "), piped.out());
    Cli.Result tty =
        cli()
            .terminal(Invocation.Terminal.ALL)
            .env("NO_COLOR", "1")
            .run("post", ASSIGNMENTS, "-d", ESSAY);
    assertTrue(tty.out().contains("\n  \"$data\": {"), tty.out());
    Cli.Result forced = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "--pretty");
    assertTrue(forced.out().contains("\n  \"$data\": {"), forced.out());
    Cli.Result raw =
        cli().terminal(Invocation.Terminal.ALL).run("post", ASSIGNMENTS, "-d", ESSAY, "--raw");
    assertFalse(raw.out().contains("\n  "), raw.out());
  }

  @Test
  void quietSaysNothingOnSuccess() {
    Cli.Result r = cli().run("-q", "post", ASSIGNMENTS, "-d", ESSAY);
    assertEquals(0, r.code());
    assertEquals("", r.err());
  }

  @Test
  void aBodyFromAFileOrStdin() throws Exception {
    Path file = Files.writeString(tmp.resolve("a.json"), ESSAY);
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", "@" + file, "-k", "from-file").code());
    Cli.Result r =
        cli()
            .stdin(ESSAY.replace("Essay", "Quiz"))
            .run("post", ASSIGNMENTS, "-d", "@-", "-k", "from-stdin");
    assertEquals(0, r.code(), r.toString());
    assertEquals("Quiz", json(r.out()).getAsJsonObject("$data").get("title").getAsString());
    assertEquals(2, stat("creates"));
  }

  @Test
  void aFullUrlOnTheBaseOriginIsAccepted() {
    Cli.Result r = cli().run("post", sandbox.baseUrl() + ASSIGNMENTS, "-d", ESSAY);
    assertEquals(0, r.code(), r.toString());
  }

  @Test
  void dryRunShowsTheRequestWithTheTokenRedactedAndSendsNothing() throws Exception {
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "dry-1", "--dry-run");
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.out().startsWith("POST " + sandbox.baseUrl() + ASSIGNMENTS + "?$idempotency=dry-1\n"),
        r.out());
    assertTrue(r.out().contains("Authorization: Bearer [redacted]"), r.out());
    assertTrue(r.out().contains(ESSAY), r.out());
    assertFalse(r.out().contains(TOKEN) || r.err().contains(TOKEN));
    assertEquals(0, stat("requests"));
    assertFalse(Files.exists(journalDir()));
  }

  @Test
  void anUnwritableJournalIsExit1AndNothingIsSent() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "");
    Cli.Result r =
        cli().env("EDLINK_IDEM_JOURNAL", file.toString()).run("post", ASSIGNMENTS, "-d", ESSAY);
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("nothing was sent"), r.err());
    Files.createDirectories(journalDir());
    Files.writeString(journalDir().resolve("entries"), ""); // the records' place is taken by a file
    Cli.Result r2 = cli().run("post", ASSIGNMENTS, "-d", ESSAY);
    assertEquals(1, r2.code(), r2.toString());
    assertEquals(0, stat("requests"));
  }

  @Test
  void theTokenIsInNoJournalFile() throws Exception {
    faultOnce(faults(1, 0, 0, 0, Duration.ZERO));
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-v").code());
    assertEquals(4, cli().run("post", ASSIGNMENTS, "-d", "{}").code());
    try (var files = Files.walk(journalDir())) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertFalse(text.contains(TOKEN), f + " holds the token");
        assertFalse(text.contains("Bearer"), f + " holds an Authorization header");
      }
    }
  }

  @Test
  void colourOnlyOnATerminalOrWhenAskedAndNeverWithNoColor() {
    String green = "\u001b[32msucceeded";
    assertFalse(cli().run("post", ASSIGNMENTS, "-d", ESSAY).err().contains(green));
    assertTrue(
        cli()
            .terminal(Invocation.Terminal.ALL)
            .run("post", ASSIGNMENTS, "-d", ESSAY)
            .err()
            .contains(green));
    assertTrue(
        cli().run("--color", "always", "post", ASSIGNMENTS, "-d", ESSAY).err().contains(green));
    assertFalse(
        cli()
            .terminal(Invocation.Terminal.ALL)
            .env("NO_COLOR", "1")
            .run("post", ASSIGNMENTS, "-d", ESSAY)
            .err()
            .contains("\u001b["));
    assertFalse(
        cli()
            .terminal(Invocation.Terminal.ALL)
            .run("--color", "never", "post", ASSIGNMENTS, "-d", ESSAY)
            .err()
            .contains("\u001b["));
    assertFalse(
        cli()
            .terminal(Invocation.Terminal.ALL)
            .env("TERM", "dumb")
            .run("post", ASSIGNMENTS, "-d", ESSAY)
            .err()
            .contains("\u001b["));
  }

  @Test
  void theSuggestedReplayCommandCarriesTheTokenFileAndAllowedHostAndWorks() throws Exception {
    java.net.Socket reserved = refusingPort();
    int port = reserved.getLocalPort();
    Path tokenFile = Files.writeString(tmp.resolve("token"), TOKEN + "\n");
    String url = "http://localhost:" + port + ASSIGNMENTS;
    Cli.Result r;
    try (reserved) {
      r =
          cli()
              .env("EDLINK_TOKEN", null)
              .run(
                  "post",
                  url,
                  "-d",
                  ESSAY,
                  "-k",
                  "hint-1",
                  "--retries",
                  "0",
                  "--allow-host",
                  "localhost",
                  "--token-file",
                  tokenFile.toString());
    }
    assertEquals(6, r.code(), r.toString());
    String hint = "edlink-idem replay hint-1 --token-file " + tokenFile + " --allow-host localhost";
    assertTrue(r.err().contains("run '" + hint + "' before "), r.err());
    assertTrue(r.err().contains("an hour before its 30-day window ends"), r.err());

    sandbox.close();
    sandbox =
        dev.edlinkidem.sandbox.SandboxServer.start(
            "127.0.0.1", port, null, Faults.NONE, 1, log::add);
    String[] words = hint.substring("edlink-idem ".length()).split(" ");
    Cli.Result replay = cli().env("EDLINK_TOKEN", null).run(words);
    assertEquals(0, replay.code(), replay.toString());
    assertEquals(1, stat("creates"));
  }

  @Test
  void aSlowAnswerShowsHowLongItHasWaitedOnATerminalOnly() throws Exception {
    sandbox.setFaults(faults(0, 0, 0, 0, Duration.ofMillis(1700)));
    Cli.Result onTerminal =
        cli()
            .terminal(new dev.edlinkidem.cli.Invocation.Terminal(false, false, true))
            .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "slow-1");
    assertEquals(0, onTerminal.code(), onTerminal.toString());
    assertTrue(
        onTerminal
            .err()
            .contains("\redlink-idem: waiting for Edlink's answer: 2 s (attempt 1 of 5)"),
        onTerminal.err());
    assertTrue(
        onTerminal.err().contains("\r\u001b[K"), "the line is taken away: " + onTerminal.err());

    Cli.Result piped = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "slow-2");
    assertEquals(0, piped.code(), piped.toString());
    assertTrue(!piped.err().contains("waiting"), "no progress in a pipe: " + piped.err());
  }

  @Test
  void aBodyFromStdinOnATerminalSaysItIsBeingRead() {
    Cli.Result r =
        cli()
            .terminal(new dev.edlinkidem.cli.Invocation.Terminal(true, false, false))
            .stdin(ESSAY)
            .run("post", ASSIGNMENTS, "-d", "@-", "-k", "stdin-1");
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.err().startsWith("edlink-idem: reading the body from stdin; end it with Ctrl-D\n"),
        r.err());
  }

  @Test
  void formatJsonForADryRunIncludedHeadersAndPretty() {
    Cli.Result dry =
        cli()
            .run(
                "post",
                ASSIGNMENTS,
                "-d",
                ESSAY,
                "-k",
                "json-dry",
                "--dry-run",
                "--format",
                "json");
    assertEquals(0, dry.code(), dry.toString());
    JsonObject request = json(dry.out());
    assertEquals(true, request.get("dry_run").getAsBoolean());
    assertEquals("POST", request.get("method").getAsString());
    assertTrue(request.get("url").getAsString().endsWith("?$idempotency=json-dry"), dry.out());
    assertEquals(
        "Bearer [redacted]", request.getAsJsonObject("headers").get("Authorization").getAsString());
    assertEquals("Essay", request.getAsJsonObject("body").get("title").getAsString());
    assertTrue(!dry.out().contains(TOKEN), "never the token");
    assertEquals(0, stat("requests"));

    Cli.Result included =
        cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "json-i", "--format", "json", "-i");
    assertEquals(0, included.code(), included.toString());
    JsonObject summary = json(included.out());
    assertTrue(summary.getAsJsonObject("headers").has("content-type"), included.out());

    Cli.Result pretty =
        cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "json-p", "--format", "json", "--pretty");
    assertEquals(0, pretty.code(), pretty.toString());
    assertTrue(pretty.out().startsWith("{\n  \"key\": \"json-p\""), pretty.out());
    assertEquals("json-p", json(pretty.out()).get("key").getAsString());
  }

  @Test
  void jsonDocumentsAreIndentedAndColouredOnATerminalAndOneLineInAPipe() {
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "doc-1").code());
    String key = "\u001b[34;1m\"key\"";
    for (String[] args :
        new String[][] {
          {"post", ASSIGNMENTS, "-d", ESSAY, "-k", "doc-2", "--dry-run", "--format", "json"},
          {"expiring", "--within", "31d", "--format", "json"},
          {"prune", "--dry-run", "--format", "json"},
          {"list", "--format", "json"},
          {"show", "doc-1", "--format", "json"},
        }) {
      Cli.Result piped = cli().run(args);
      assertEquals(1, piped.out().lines().count(), piped.toString());
      assertFalse(piped.out().contains("\u001b["), piped.out());
      Cli.Result shown = cli().terminal(Invocation.Terminal.ALL).run(args);
      assertTrue(shown.out().lines().count() > 3, "indented: " + shown.out());
      boolean keyed = shown.out().contains(key) || args[0].equals("prune");
      assertTrue(keyed && shown.out().contains("\u001b[0m"), "coloured: " + shown.out());
      Cli.Result plain = cli().terminal(Invocation.Terminal.ALL).env("NO_COLOR", "1").run(args);
      assertFalse(plain.out().contains("\u001b["), plain.out());
      assertEquals(
          JsonParser.parseString(plain.out())
              .toString()
              .replaceAll("\"(as_of|created|window_ends|replay_until)\":\"[^\"]*\"", ""),
          JsonParser.parseString(piped.out())
              .toString()
              .replaceAll("\"(as_of|created|window_ends|replay_until)\":\"[^\"]*\"", ""),
          "the same document either way");
    }
    assertEquals(1, stat("creates"), "only doc-1 was sent");
  }

  @Test
  void aJsonBodyIsColouredOnATerminalUnlessColourIsOff() {
    dev.edlinkidem.cli.Invocation.Terminal stdout =
        new dev.edlinkidem.cli.Invocation.Terminal(false, true, false);
    String[] post = {"post", ASSIGNMENTS, "-d", ESSAY, "-k", "colour-1"};
    Cli.Result coloured = cli().terminal(stdout).run(post);
    assertEquals(0, coloured.code(), coloured.toString());
    assertTrue(coloured.out().contains("\u001b[34;1m\"title\"\u001b[0m"), coloured.out());
    String[] never = {"--color", "never", "post", ASSIGNMENTS, "-d", ESSAY, "-k", "colour-1"};
    for (Cli.Result plain :
        List.of(
            cli().terminal(stdout).env("NO_COLOR", "1").run(post),
            cli().terminal(stdout).env("TERM", "dumb").run(post),
            cli().terminal(stdout).run(never),
            cli().run(post))) {
      assertEquals(0, plain.code(), plain.toString());
      assertTrue(plain.out().contains("\"title\""), plain.out());
      assertTrue(!plain.out().contains("\u001b["), plain.out());
    }
  }
}
