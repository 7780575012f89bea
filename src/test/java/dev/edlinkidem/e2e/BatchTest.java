package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code batch}: many lines, concurrently, each created exactly once however often the file is run.
 */
public class BatchTest extends SandboxCase {
  /** A line per class, 1..n, each an assignment with its own title; no keys: they are derived. */
  public static String lines(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      b.append("{\"path\":\"/api/v2/graph/classes/00000000-0000-4000-8000-00000000000")
          .append(i % 7)
          .append("/assignments\",\"body\":")
          .append("{\"title\":\"Essay ")
          .append(i)
          .append("\",\"description\":\"d\",\"due_date\":\"2026-12-01T23:59:00Z\",")
          .append("\"grading_type\":\"points\"}}\n");
    }
    return b.toString();
  }

  private Path file(String name, String content) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  private static List<JsonObject> results(Cli.Result r) {
    List<JsonObject> all = new ArrayList<>();
    for (String line : r.out().split("\n")) {
      if (!line.isBlank()) {
        all.add(json(line));
      }
    }
    return all;
  }

  private int records() {
    JsonObject records = sandbox.stats().getAsJsonObject("records");
    return records.keySet().stream().mapToInt(k -> records.get(k).getAsInt()).sum();
  }

  @Test
  void everyLineIsCreatedExactlyOnceThroughDropsErrorsAndThrottling() throws Exception {
    Path f = file("plan.jsonl", lines(40));
    sandbox.setFaults(faults(0.25, 0, 0.15, 0.1, Duration.ZERO));

    Cli.Result r =
        cli()
            .run(
                "batch", f.toString(), "--concurrency", "8", "--format", "jsonl", "--retries", "8");

    assertEquals(0, r.code(), r.toString());
    List<JsonObject> results = results(r);
    assertEquals(40, results.size(), r.toString());
    Set<Integer> lines = new HashSet<>();
    for (JsonObject o : results) {
      assertEquals("succeeded", o.get("state").getAsString(), o.toString());
      assertEquals(200, o.get("status").getAsInt());
      assertTrue(o.getAsJsonObject("response").has("$data"), o.toString());
      lines.add(o.get("line").getAsInt());
    }
    assertEquals(40, lines.size());
    assertEquals(
        40, stat("creates"), "one creation per line, however many attempts: " + sandbox.stats());
    assertEquals(40, records());
    assertTrue(
        stat("drops") > 0 && stat("errors") > 0 && stat("throttles") > 0,
        "the faults happened: " + sandbox.stats());
    assertTrue(r.err().contains("Edlink asked to slow down"), r.err());
    List<Entry> entries = entries();
    assertEquals(40, entries.size());
    assertTrue(entries.stream().allMatch(e -> e.state() == EntryState.SUCCEEDED));
    // Outcomes are not forced one by one in a batch: listing reads the grown files and caches them
    // as finished.
    Cli.Result list = cli().run("list", "--state", "succeeded", "--format", "keys");
    assertEquals(40, list.out().lines().count(), list.toString());
    Cli.Result pending =
        cli().run("expiring", "--within", "40d", "--pending-only", "--fail-if-pending");
    assertEquals(0, pending.code(), pending.toString());
  }

  @Test
  void verboseSaysOfEachSuccessWhatPostWouldSay() throws Exception {
    // One wording for a success, whichever command sent it: post's, with the line number.
    Path f = file("plan.jsonl", lines(1));
    Cli.Result sent = cli().run("batch", f.toString(), "-v");
    assertEquals(0, sent.code(), sent.toString());
    String key = entries().get(0).key();
    assertTrue(
        sent.err()
            .matches(
                "(?s).*line 1: 200 succeeded · key "
                    + key
                    + " · 1 attempt · Edlink remembers the key until \\d{4}-\\d\\d-\\d\\d"
                    + " \\d\\d:\\d\\d UTC\n.*"),
        sent.err());

    Cli.Result again = cli().run("batch", f.toString(), "-v");
    assertEquals(0, again.code(), again.toString());
    assertTrue(
        again
            .err()
            .contains(
                "line 1: 200 succeeded · key "
                    + key
                    + " · recorded response from the journal, not sent\n"),
        again.err());
  }

  @Test
  void runningTheSameFileAgainSendsNothing() throws Exception {
    Path f = file("plan.jsonl", lines(12));
    assertEquals(0, cli().run("batch", f.toString()).code());
    int requests = stat("requests");
    byte[] journal = journalBytes();

    // Spaced out, members in another order: the same requests, so the same keys.
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      b.append(
              "{ \"body\": { \"grading_type\": \"points\", \"due_date\": \"2026-12-01T23:59:00Z\","
                  + " \"title\": \"Essay ")
          .append(i)
          .append(
              "\", \"description\": \"d\" }, \"path\":"
                  + " \"/api/v2/graph/classes/00000000-0000-4000-8000-00000000000")
          .append(i % 7)
          .append("/assignments\" }\n");
    }
    Path g = file("again.jsonl", b.toString());
    Cli.Result again = cli().run("batch", g.toString(), "--format", "jsonl");

    assertEquals(0, again.code(), again.toString());
    assertEquals(requests, stat("requests"), "nothing was sent");
    assertEquals(12, stat("creates"));
    assertTrue(
        results(again).stream().allMatch(o -> o.get("from_journal").getAsBoolean()), again.out());
    assertTrue(
        again.err().contains("12 succeeded (12 already in the journal, not sent)"), again.err());
    assertEquals(
        new String(journal, StandardCharsets.ISO_8859_1),
        new String(journalBytes(), StandardCharsets.ISO_8859_1),
        "no record was written");
  }

  /** {@link #ESSAY} as a batch sends it: members sorted. */
  private static final String CANONICAL_ESSAY =
      "{\"description\":\"Chapter 3\",\"due_date\":\"2026-12-01T23:59:00Z\","
          + "\"grading_type\":\"points\",\"title\":\"Essay\"}";

  @Test
  void theBaseUrlSpelledFiveWaysNamesTwoHostsAndTwoKeys() throws Exception {
    Path f = file("one.jsonl", lines(1));
    int port = sandbox.baseUrl().getPort();
    for (String base :
        List.of(
            "http://127.0.0.1:" + port,
            "http://127.0.0.1:" + port + "/",
            "HTTP://127.0.0.1:" + port + "//",
            "http://localhost:" + port,
            "http://LOCALHOST:" + port + "/")) {
      Cli.Result r = cli().env("EDLINK_BASE_URL", base).run("batch", f.toString());
      assertEquals(0, r.code(), base + ": " + r);
    }
    // Names are not resolved: localhost is a second spelling of its own, one key for both cases.
    assertEquals(2, stat("creates"), log.toString());
    assertEquals(2, entries().size());
  }

  @Test
  void aLineKeyedByItsUrlAsSpelledBeforeCanonicalKeysIsNotSentAgain() throws Exception {
    // Journaled the way versions before canonical URLs keyed it: from the URL as spelled.
    String base = "HTTP://127.0.0.1:" + sandbox.baseUrl().getPort();
    String url = base + ASSIGNMENTS;
    byte[] body = CANONICAL_ESSAY.getBytes(StandardCharsets.UTF_8);
    String old = dev.edlinkidem.request.Fingerprint.of("POST", url, body);
    Cli.Result first =
        cli()
            .env("EDLINK_BASE_URL", base)
            .run("post", ASSIGNMENTS, "-d", CANONICAL_ESSAY, "-k", old);
    assertEquals(0, first.code(), first.toString());

    Path f = file("one.jsonl", "{\"path\":\"" + ASSIGNMENTS + "\",\"body\":" + ESSAY + "}\n");
    Cli.Result again =
        cli().env("EDLINK_BASE_URL", base).run("batch", f.toString(), "--format", "jsonl");
    assertEquals(0, again.code(), again.toString());
    assertTrue(again.out().contains(old), "the old key is used: " + again.out());
    assertEquals(1, stat("creates"), log.toString());
  }

  /** {@code n} lines keyed k-01, k-02...; line {@code bad} (from 1) has no title: a 400. */
  private static String keyedLines(int n, int bad) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      b.append("{\"path\":\"")
          .append(ASSIGNMENTS)
          .append("\",\"key\":\"")
          .append(String.format("k-%02d", i))
          .append("\",\"body\":")
          .append(i == bad ? "{\"description\":\"no title\"}" : ESSAY)
          .append("}\n");
    }
    return b.toString();
  }

  @Test
  void oneAnswerInEightThrottledFinishesEveryLineOnceWithoutSlowingToACrawl() throws Exception {
    sandbox.setFaults(faults(0, 0, 0, 0.125, Duration.ZERO));
    Cli.Result r =
        cli()
            .run(
                "batch",
                file("throttled.jsonl", lines(300)).toString(),
                "-c",
                "8",
                "--max-time",
                "60s");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.err().contains("300 succeeded"), r.err());
    assertEquals(300, stat("creates"));
    assertTrue(stat("throttles") > 0, sandbox.stats().toString());
  }

  @Test
  void aLineIsSentToItsCanonicalUrlSoThatItsKeyAndTheRequestAgree() throws Exception {
    String viaB = ASSIGNMENTS.replace("/classes/", "/classes/b/../");
    String a = "{\"path\":\"%s\",\"body\":" + ESSAY + "}\n";
    Cli.Result first = cli().run("batch", file("dots.jsonl", String.format(a, viaB)).toString());
    assertEquals(0, first.code(), first.toString());
    assertTrue(
        log.get(0).contains(" " + ASSIGNMENTS + " "), "sent without its dot segment: " + log);
    Cli.Result again =
        cli().run("batch", file("plain.jsonl", String.format(a, ASSIGNMENTS)).toString());
    assertEquals(0, again.code(), again.toString());
    assertEquals(1, stat("creates"));
    assertEquals(1, sandbox.stats().getAsJsonObject("records").get(ASSIGNMENTS).getAsInt());

    // An empty segment is kept: a line to //api is another request, and fixing it sends it.
    Cli.Result wrong =
        cli()
            .run(
                "batch",
                file("slashes.jsonl", String.format(a, "/" + ASSIGNMENTS.replace("5c2a", "6c2a")))
                    .toString());
    assertEquals(4, wrong.code(), wrong.toString());
    Cli.Result fixed =
        cli()
            .run(
                "batch",
                file("fixed.jsonl", String.format(a, ASSIGNMENTS.replace("5c2a", "6c2a")))
                    .toString());
    assertEquals(0, fixed.code(), fixed.toString());
    assertEquals(2, stat("creates"), log.toString());
  }

  @Test
  void aDamagedEntryUnderTheKeyAnEarlierBuildDerivedRefusesTheLine() throws Exception {
    String base = "http://127.0.0.1:" + sandbox.baseUrl().getPort();
    String spelled = base + ASSIGNMENTS + "/";
    String old =
        dev.edlinkidem.request.Fingerprint.of(
            "POST", spelled, CANONICAL_ESSAY.getBytes(StandardCharsets.UTF_8));
    assertEquals(0, cli().run("post", ASSIGNMENTS + "/", "-d", CANONICAL_ESSAY, "-k", old).code());
    Path entry;
    try (var files = Files.walk(journalDir().resolve("entries"))) {
      entry = files.filter(Files::isRegularFile).findFirst().orElseThrow();
    }
    String text = Files.readString(entry, StandardCharsets.UTF_8);
    Files.writeString(entry, text.replaceFirst("\"method\":\"POST\"", "\"method\":\"POSX\""));

    Path f = file("slash.jsonl", "{\"path\":\"" + ASSIGNMENTS + "/\",\"body\":" + ESSAY + "}\n");
    Cli.Result r = cli().run("batch", f.toString());
    assertNotEquals(0, r.code(), r.toString());
    assertEquals(1, stat("creates"), "not sent again under the new key: " + log);
  }

  @Test
  void concurrencyOneSendsTheLinesInTheFileOrder() throws Exception {
    Cli.Result r =
        cli().run("batch", file("ordered.jsonl", keyedLines(40, 0)).toString(), "-c", "1");
    assertEquals(0, r.code(), r.toString());
    List<String> sent =
        log.stream()
            .filter(l -> l.contains(" key="))
            .map(l -> l.replaceAll(".* key=(k-\\d+) .*", "$1"))
            .toList();
    List<String> expected = new java.util.ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      expected.add(String.format("k-%02d", i));
    }
    assertEquals(expected, sent);
  }

  @Test
  void failFastWithConcurrencyOneSendsNothingAfterTheFirstFailureAndCountsEveryLine()
      throws Exception {
    Path f = file("first-fails.jsonl", keyedLines(51, 1));
    for (int run = 0; run < 5; run++) {
      int before = stat("requests");
      Cli.Result r =
          cli()
              .env("EDLINK_IDEM_JOURNAL", tmp.resolve("journal-" + run).toString())
              .run("batch", f.toString(), "-c", "1", "--fail-fast");
      assertEquals(4, r.code(), r.toString());
      assertEquals(before + 1, stat("requests"), "only line 1 was sent: " + log);
      assertTrue(r.err().contains("batch: 51 lines in"), r.err());
      assertTrue(r.err().contains("1 failed, 50 not sent"), r.err());
    }
    assertEquals(0, stat("creates"));
  }

  @Test
  void linesWithHalfACharacterAreRefusedNotMergedIntoOneRequest() throws Exception {
    // What JavaScript writes when it cuts an emoji in two: three titles that UTF-8 would turn into
    // the same "Quiz ?", and so into one request and one key.
    StringBuilder content = new StringBuilder();
    for (String half : new String[] {"\\ud83d", "\\ud83e", "\\udfff"}) {
      content
          .append("{\"path\":\"")
          .append(ASSIGNMENTS)
          .append("\",\"body\":{\"title\":\"Quiz ")
          .append(half)
          .append("\",\"description\":\"d\",\"due_date\":\"2026-12-01T23:59:00Z\",")
          .append("\"grading_type\":\"points\"}}\n");
    }
    content.append(lines(1)); // and a whole emoji, which is fine
    Cli.Result r = cli().run("batch", file("halves.jsonl", content.toString()).toString());
    assertEquals(2, r.code(), r.toString());
    for (int line = 1; line <= 3; line++) {
      assertTrue(
          r.err().contains("line " + line + ": a string holds a lone UTF-16 surrogate"), r.err());
    }
    assertEquals(1, stat("requests"), "only the whole line went: " + log);
    assertTrue(r.err().contains("\\ud83d"), r.err());
  }

  @Test
  void malformedLinesAreReportedByNumberAndTheOthersAreSent() throws Exception {
    String good = lines(3);
    String[] g = good.split("\n");
    String content =
        g[0]
            + "\n"
            + "{\"path\": \"/api/v2/graph/classes/c/assignments\", \"body\": {\"title\": }\n"
            + "\n"
            + "[1, 2]\n"
            + g[1]
            + "\n"
            + "{\"path\": \"/api/v2/graph/classes/c/assignments\", \"bdy\": {}}\n"
            + "{\"path\": \"/api/v2/graph/classes/c/assignments\", \"key\": \"has space\"}\n"
            + "{\"path\": \"https://elsewhere.example/api/v2/x\"}\n"
            + g[2]
            + "\n";

    Cli.Result r = cli().run("batch", file("mixed.jsonl", content).toString());

    assertEquals(2, r.code(), r.toString());
    assertEquals(3, stat("creates"), "the good lines went");
    String err = r.err();
    assertTrue(err.contains("line 2: not valid JSON"), err);
    assertTrue(err.contains("line 4: not a JSON object"), err);
    assertTrue(err.contains("line 6: unknown member \"bdy\""), err);
    assertTrue(err.contains("line 7: invalid key"), err);
    assertTrue(
        err.contains("line 8: refusing to send the token to https://elsewhere.example"), err);
    assertFalse(err.contains("line 3"), "a blank line is skipped: " + err);
    assertTrue(err.contains("8 lines in"), err);
    assertTrue(err.contains("3 succeeded") && err.contains("5 malformed"), err);
    assertFalse(err.contains("Exception"), err);
  }

  @Test
  void failFastStopsStartingLinesAfterTheFirstProblem() throws Exception {
    String content = "not json\n" + lines(20);

    Cli.Result r =
        cli()
            .run(
                "batch",
                file("bad-first.jsonl", content).toString(),
                "--fail-fast",
                "--concurrency",
                "1");

    assertEquals(2, r.code(), r.toString());
    assertEquals(0, stat("requests"), "nothing after the bad line was sent");
    assertTrue(
        r.err().contains("stopped starting lines: line 1 did not succeed and --fail-fast is on"),
        r.err());
  }

  @Test
  void readsStdinWithDash() throws Exception {
    Cli.Result r = cli().stdin(lines(5)).run("batch", "-", "--format", "jsonl");

    assertEquals(0, r.code(), r.toString());
    assertEquals(5, results(r).size());
    assertEquals(5, stat("creates"));
  }

  @Test
  void aLineRepeatedInTheFileIsSentOnce() throws Exception {
    String one = lines(1);
    Cli.Result r = cli().run("batch", file("twice.jsonl", one + one).toString());

    assertEquals(0, r.code(), r.toString());
    assertEquals(1, stat("creates"));
    assertTrue(r.err().contains("line 2: the same request as line 1"), r.err());
  }

  @Test
  void aKeyGivenToTwoDifferentRequestsIsRefusedForTheSecond() throws Exception {
    String content =
        "{\"path\":\""
            + ASSIGNMENTS
            + "\",\"body\":"
            + ESSAY
            + ",\"key\":\"shared-key-1\"}\n"
            + "{\"path\":\""
            + ASSIGNMENTS
            + "\",\"body\":{\"title\":\"Other\"},\"key\":\"shared-key-1\"}\n";

    Cli.Result r = cli().run("batch", file("clash.jsonl", content).toString());

    assertEquals(3, r.code(), r.toString());
    assertEquals(1, stat("creates"));
    assertTrue(
        r.err().contains("line 2: key shared-key-1 is also on line 1 for a different request"),
        r.err());
  }

  @Test
  void aLineWithItsOwnKeySendsThatKey() throws Exception {
    String content =
        "{\"path\":\"" + ASSIGNMENTS + "\",\"body\":" + ESSAY + ",\"key\":\"ci-run-7-class-1\"}\n";

    Cli.Result r = cli().run("batch", file("keyed.jsonl", content).toString());

    assertEquals(0, r.code(), r.toString());
    assertEquals(EntryState.SUCCEEDED, entry("ci-run-7-class-1").state());
  }

  @Test
  void aRefusedTokenStopsTheBatchAndLeavesTheLineToReplay() throws Exception {
    sandbox.close();
    sandbox =
        dev.edlinkidem.sandbox.SandboxServer.start(
            "127.0.0.1", 0, "the-right-token", dev.edlinkidem.sandbox.Faults.NONE, 42, log::add);

    Cli.Result r =
        cli().run("batch", file("plan.jsonl", lines(30)).toString(), "--concurrency", "2");

    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("Edlink refused the token"), r.err());
    assertTrue(
        r.err().contains("stopped starting lines: Edlink refused the token on line"), r.err());
    assertTrue(
        stat("requests") <= 4, "at most the lines already in flight were sent: " + sandbox.stats());
    assertTrue(
        r.err().contains("pending or not sent: fix the token, then run the same batch again"),
        r.err());
  }

  @Test
  void fiveHundredAndThreeUntilTheRetriesRunOutLeavesLinesPendingAndARerunFinishesThem()
      throws Exception {
    Path f = file("plan.jsonl", lines(6));
    sandbox.setFaults(faults(0, 0, 1.0, 0, Duration.ZERO));

    Cli.Result r = cli().run("batch", f.toString(), "--retries", "0");

    assertEquals(5, r.code(), r.toString());
    assertTrue(r.err().contains("6 pending"), r.err());
    assertEquals(0, stat("creates"));

    sandbox.setFaults(dev.edlinkidem.sandbox.Faults.NONE);
    Cli.Result again = cli().run("batch", f.toString());
    assertEquals(0, again.code(), again.toString());
    assertEquals(6, stat("creates"));
    assertTrue(
        entries().stream()
            .allMatch(
                e -> e.state() == EntryState.SUCCEEDED && "replay".equals(e.outcome().via())));
  }

  @Test
  void badOptionsAndFilesAreUsageErrorsBeforeAnythingIsSent() throws Exception {
    Path f = file("plan.jsonl", lines(2));
    assertEquals(2, cli().run("batch", f.toString(), "--concurrency", "0").code());
    assertEquals(2, cli().run("batch", f.toString(), "--rate", "0").code());
    Cli.Result missing = cli().run("batch", tmp.resolve("nope.jsonl").toString());
    assertEquals(2, missing.code());
    assertTrue(
        missing.err().contains("cannot read") && missing.err().contains("no such file"),
        missing.err());
    Cli.Result noToken = cli().env("EDLINK_TOKEN", null).run("batch", f.toString());
    assertEquals(2, noToken.code());
    assertTrue(noToken.err().contains("no token"), noToken.err());
    assertEquals(0, stat("requests"));
  }

  @Test
  void onATerminalStderrShowsProgressWithTimeLeftAndEndsWithTheSummaryOnItsOwnLine()
      throws Exception {
    sandbox.setFaults(faults(0, 0, 0, 0, Duration.ofMillis(120)));
    Path f = file("plan.jsonl", lines(8));

    Cli.Result r =
        cli()
            .terminal(dev.edlinkidem.cli.Invocation.Terminal.ALL)
            .env("COLUMNS", "200")
            .run("batch", f.toString(), "--concurrency", "1");

    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.err()
            .matches(
                "(?s)\r.*edlink-idem: \\d done · \\d queued · \\d in flight · 0 failed · \\d+/s ·"
                    + " \\d+s left.*"),
        r.err());
    assertTrue(
        r.err().contains("\r\u001b[Kedlink-idem: batch: 8 lines in"),
        "the progress line is cleared first: " + r.err());

    Cli.Result dumb =
        cli()
            .terminal(dev.edlinkidem.cli.Invocation.Terminal.ALL)
            .env("TERM", "dumb")
            .run("batch", f.toString(), "--concurrency", "1");
    assertFalse(dumb.err().contains("\r"), dumb.err());
    Cli.Result piped =
        cli().run("batch", file("more.jsonl", lines(9)).toString(), "--concurrency", "1");
    assertFalse(piped.err().contains("\r"), "no progress in a log file: " + piped.err());
  }

  @Test
  void jsonlReportsAMalformedLineWithItsNumberExitCodeAndError() throws Exception {
    Cli.Result r = cli().run("batch", file("bad.jsonl", "{}\n").toString(), "--format", "jsonl");

    assertEquals(2, r.code());
    JsonObject o = results(r).get(0);
    assertEquals(1, o.get("line").getAsInt());
    assertEquals("malformed", o.get("state").getAsString());
    assertEquals(2, o.get("exit").getAsInt());
    assertTrue(
        o.get("key").isJsonNull() && o.get("status").isJsonNull() && o.get("response").isJsonNull(),
        o.toString());
    assertTrue(o.get("error").getAsString().contains("\"path\" must be a string"), o.toString());
  }

  @Test
  void failFastSendsNothingMoreOnceALineHasFailedAndCountsWhatItDidNotSend() throws Exception {
    // Every line is refused with a 400 (no title): the first answer stops the batch.
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= 40; i++) {
      b.append("{\"path\":\"")
          .append(ASSIGNMENTS)
          .append("\",\"body\":{\"description\":\"d")
          .append(i)
          .append("\"}}\n");
    }
    sandbox.setFaults(faults(0, 0, 0, 0, Duration.ofMillis(50)));

    Cli.Result r =
        cli()
            .run(
                "batch",
                file("bad.jsonl", b.toString()).toString(),
                "--fail-fast",
                "--concurrency",
                "2");

    assertEquals(4, r.code(), r.toString());
    assertTrue(
        stat("requests") <= 4,
        "only what was in flight when the first 400 came back: " + sandbox.stats());
    assertTrue(r.err().contains("not sent"), r.err());
    assertTrue(r.err().contains("lines not yet started were not sent"), r.err());
  }

  @Test
  void aBodyOfNullIsMalformedRatherThanSentAsNull() throws Exception {
    Cli.Result r =
        cli()
            .run(
                "batch",
                file("null.jsonl", "{\"path\":\"" + ASSIGNMENTS + "\",\"body\":null}\n")
                    .toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("line 1: \"body\" is null; leave it out to send no body"), r.err());
    assertEquals(0, stat("requests"));
  }

  @Test
  void aPipeGivenByNameOnATerminalIsReadOnceForItsLinesNotForTheProgressCount() throws Exception {
    Path fifo = tmp.resolve("plan.fifo");
    Process mkfifo;
    try {
      mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (java.io.IOException e) {
      org.junit.jupiter.api.Assumptions.abort("no mkfifo on this machine: " + e.getMessage());
      return;
    }
    assertEquals(0, mkfifo.waitFor());
    Thread writer =
        new Thread(
            () -> {
              try {
                Files.writeString(fifo, lines(5)); // blocks until the batch opens the pipe
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    writer.start();

    // Read twice, the pipe would be empty the second time, or the second open would wait forever.
    Cli.Result r =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () ->
                cli()
                    .terminal(dev.edlinkidem.cli.Invocation.Terminal.ALL)
                    .run("batch", fifo.toString()));

    writer.join(10_000);
    assertEquals(0, r.code(), r.toString());
    assertEquals(5, stat("creates"), r.err());
  }
}
