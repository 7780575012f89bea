package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input: exit 2, one line on stderr, no stack trace, the journal unchanged, nothing sent. */
class BadInputTest extends SandboxCase {
  private byte[] journalBefore;

  @BeforeEach
  void seedJournal() throws Exception {
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "existing").code());
    journalBefore = journalBytes();
  }

  private void assertRefusedAsUsage(Cli cli, String... args) throws Exception {
    int requestsBefore = stat("requests");
    Cli.Result r = cli.run(args);
    assertEquals(2, r.code(), String.join(" ", args) + "\n" + r);
    assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    assertTrue(r.err().startsWith("edlink-idem: "), r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    assertEquals("", r.out());
    assertEquals(requestsBefore, stat("requests"), "nothing sent");
    assertArrayEquals(journalBefore, journalBytes(), "journal unchanged");
  }

  @Test
  void invalidJson() throws Exception {
    for (String body :
        List.of("{bad", "{\"a\":1", "{\"a\":1} trailing", "", "{'single':1}", "[1,]", "NaN")) {
      assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "-d", body);
    }
  }

  @Test
  void unknownOptionAndMissingPath() throws Exception {
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "--no-such-option");
    assertRefusedAsUsage(cli(), "post");
    assertRefusedAsUsage(cli(), "no-such-command");
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "--retries", "many");
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "--timeout", "10 seconds");
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "--format", "xml");
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "--key", "a", "--key-from", "b");
  }

  @Test
  void invalidKeys() throws Exception {
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "-d", ESSAY, "-k", "k".repeat(256));
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "-d", ESSAY, "-k", "");
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "-d", ESSAY, "-k", "with space");
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "-d", ESSAY, "-k", "clé");
  }

  @Test
  void unreadableBodies() throws Exception {
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "-d", "@" + tmp.resolve("missing.json"));
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "-d", "@" + tmp);
    assertRefusedAsUsage(cli().stdin("not json"), "post", ASSIGNMENTS, "-d", "@-");
  }

  @Test
  void foreignAndInsecureHosts() throws Exception {
    assertRefusedAsUsage(cli(), "post", "https://evil.example.com" + ASSIGNMENTS, "-d", ESSAY);
    assertRefusedAsUsage(cli(), "post", "http://127.0.0.2:1" + ASSIGNMENTS, "-d", ESSAY);
    assertRefusedAsUsage(
        cli(),
        "post",
        "http://evil.example.com" + ASSIGNMENTS,
        "-d",
        ESSAY,
        "--allow-host",
        "evil.example.com");
    assertRefusedAsUsage(
        cli().env("EDLINK_BASE_URL", "http://ed.link"), "post", ASSIGNMENTS, "-d", ESSAY);
    assertRefusedAsUsage(cli(), "post", "api/v2/no-leading-slash", "-d", ESSAY);
    assertRefusedAsUsage(cli(), "post", "/api/v2/has space", "-d", ESSAY);
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS + "?$idempotency=sneaky", "-d", ESSAY);
  }

  @Test
  void noTokenOrABadTokenFile() throws Exception {
    assertRefusedAsUsage(cli().env("EDLINK_TOKEN", null), "post", ASSIGNMENTS, "-d", ESSAY);
    assertRefusedAsUsage(
        cli(), "post", ASSIGNMENTS, "-d", ESSAY, "--token-file", tmp.resolve("nope").toString());
    String empty = Files.writeString(tmp.resolve("empty-token"), "\n").toString();
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "-d", ESSAY, "--token-file", empty);
  }

  @Test
  void badNumbersAndTimes() throws Exception {
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "-d", ESSAY, "--retries", "-1");
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "-d", ESSAY, "--max-time", "0s");
    assertRefusedAsUsage(
        cli().env("EDLINK_IDEM_NOW", "yesterday"),
        "post",
        ASSIGNMENTS,
        "-d",
        ESSAY,
        "-k",
        "existing");
  }

  @Test
  void replayMisuse() throws Exception {
    assertRefusedAsUsage(cli(), "replay");
    assertRefusedAsUsage(cli(), "replay", "nosuchkey");
    assertRefusedAsUsage(cli(), "replay", "exi");
    assertRefusedAsUsage(cli(), "replay", "existing", "--all-pending");
  }

  @Test
  void urlsThatCannotOrMustNotBeUsed() throws Exception {
    assertRefusedAsUsage(
        cli().env("EDLINK_BASE_URL", "http://127.0.0.1:99999"), "post", ASSIGNMENTS, "-d", ESSAY);
    assertRefusedAsUsage(
        cli().env("EDLINK_BASE_URL", "http://user:secret@127.0.0.1:1"),
        "post",
        ASSIGNMENTS,
        "-d",
        ESSAY);
    assertRefusedAsUsage(
        cli().env("EDLINK_BASE_URL", sandbox.baseUrl() + "?x=1"), "post", ASSIGNMENTS, "-d", ESSAY);
    assertRefusedAsUsage(
        cli().env("EDLINK_BASE_URL", "ftp://ed.link"), "post", ASSIGNMENTS, "-d", ESSAY);
    assertRefusedAsUsage(
        cli().env("EDLINK_BASE_URL", "not a url"), "post", ASSIGNMENTS, "-d", ESSAY);
    String withUser = sandbox.baseUrl().toString().replace("http://", "http://user:pw@");
    assertRefusedAsUsage(
        cli(), "post", withUser + ASSIGNMENTS, "-d", ESSAY, "--allow-host", "127.0.0.1");
  }

  @Test
  void aBodyWithoutEndIsCutAtTheLimit() throws Exception {
    java.nio.file.Path zero = java.nio.file.Path.of("/dev/zero");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isReadable(zero), "no /dev/zero on this system");
    assertRefusedAsUsage(cli(), "post", ASSIGNMENTS, "-d", "@/dev/zero");
  }

  @Test
  void oddJournalAndTokenFiles() throws Exception {
    assertRefusedAsUsage(cli(), "--journal", "", "post", ASSIGNMENTS, "-d", ESSAY);
    String binary =
        Files.write(tmp.resolve("binary-token"), new byte[] {(byte) 0xff, (byte) 0xfe, 'a'})
            .toString();
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "--token-file", binary);
    assertEquals(2, r.code(), r.toString());
    assertTrue(
        r.err().contains("characters a header cannot carry") || r.err().contains("not UTF-8"),
        r.err());
  }
}
