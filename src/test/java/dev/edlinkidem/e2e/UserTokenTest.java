package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.edlinkidem.journal.EntryState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * User tokens through the real command line against the sandbox: a token refused on the User API is
 * refreshed once through the profile's client, the rotated refresh token is stored 0600, the
 * request is sent again with the same key, and no token or secret is ever journaled or printed.
 */
class UserTokenTest extends SandboxCase {
  private static final String MY =
      "/api/v2/my/classes/5c2a0d7e-1f3b-4c8a-9e6d-0b4f7a2c9e15/assignments";

  private Path clientFile() {
    return tmp.resolve(".config/edlink-idem/clients/default");
  }

  /** The command line with the profile's user client and no other token. */
  private Cli user() {
    return cli().env("EDLINK_TOKEN", "");
  }

  private JsonObject storeClient(JsonObject set) {
    Cli.Result stored = user().stdin(set.toString()).run("config", "set-client");
    assertEquals(0, stored.code(), stored.toString());
    return set;
  }

  @Test
  void anExpiredUserTokenIsRefreshedOnceStoredPrivatelyAndTheSameKeySentAgain() throws Exception {
    JsonObject set = storeClient(sandbox.issueUserTokens());
    assertEquals("rw-------", mode(clientFile()));
    sandbox.advanceClock(Duration.ofHours(2));

    Cli.Result posted = user().run("post", MY, "-d", ESSAY, "-k", "mine-1", "-v");

    assertEquals(0, posted.code(), posted.toString());
    assertEquals(1, stat("creates"));
    assertEquals(1, stat("refreshes"));
    assertEquals(EntryState.SUCCEEDED, entry("mine-1").state());
    assertEquals(2, entry("mine-1").attempts().size(), "the refused attempt, then the one sent");
    assertTrue(posted.err().contains("sending again now"), posted.err());
    String stored = Files.readString(clientFile());
    assertFalse(stored.contains(set.get("refresh_token").getAsString()), "rotated");
    assertFalse(stored.contains(set.get("access_token").getAsString()), "renewed");
    assertEquals("rw-------", mode(clientFile()));

    // The stored, rotated refresh token refreshes again: the sandbox spent the first one.
    sandbox.advanceClock(Duration.ofHours(2));
    Cli.Result again = user().run("post", MY, "-d", ESSAY, "-k", "mine-2");
    assertEquals(0, again.code(), again.toString());
    assertEquals(2, stat("refreshes"));

    List<String> secrets = new ArrayList<>(secretsOf(set));
    for (String line : Files.readAllLines(clientFile())) {
      if (!line.startsWith(
          "client-id")) { // the application's id is no secret: config show names it
        secrets.add(line.substring(line.indexOf('=') + 1).strip());
      }
    }
    Cli.Result shown = user().run("show", "mine-1", "--format", "json");
    Cli.Result config = user().run("config", "show");
    assertTrue(config.out().contains("config set-client"), config.out());
    for (String secret : secrets) {
      for (Cli.Result r : List.of(posted, again, shown, config)) {
        assertFalse(r.out().contains(secret) || r.err().contains(secret), r.toString());
      }
      assertFalse(journalText().contains(secret), "a secret in the journal");
    }
  }

  @Test
  void aClientWithoutAnAccessTokenGetsOneBeforeSending() throws Exception {
    JsonObject set = sandbox.issueUserTokens();
    set.remove("access_token");
    storeClient(set);

    Cli.Result posted = user().run("post", MY, "-d", ESSAY, "-k", "first-1");

    assertEquals(0, posted.code(), posted.toString());
    assertEquals(1, stat("refreshes"));
    assertEquals(1, entry("first-1").attempts().size(), "refreshed before the first attempt");
  }

  @Test
  void aRefreshThatGetsNoAnswerIsNoResponseAndSendsNothing() throws Exception {
    JsonObject set = sandbox.issueUserTokens();
    set.remove("access_token");
    storeClient(set);
    int closed;
    try (java.net.ServerSocket gone = new java.net.ServerSocket(0)) {
      closed = gone.getLocalPort();
    }

    Cli.Result posted =
        user()
            .env("EDLINK_BASE_URL", "http://127.0.0.1:" + closed)
            .run("post", MY, "-d", ESSAY, "-k", "silent-1");

    assertEquals(6, posted.code(), "no answer, not a refusal: " + posted);
    assertTrue(
        posted.err().contains("no user token: refreshing the user token failed"), posted.err());
    assertTrue(posted.err().endsWith("nothing was sent\n"), posted.err());
    assertFalse(Files.exists(journalDir()) && journalText().contains("silent-1"));
  }

  @Test
  void aRefreshThatFailsLeavesTheEntryPendingAndSaysWhy() throws Exception {
    JsonObject set = sandbox.issueUserTokens();
    set.addProperty("client_secret", "not-the-secret");
    storeClient(set);
    sandbox.advanceClock(Duration.ofHours(2));

    Cli.Result posted = user().run("post", MY, "-d", ESSAY, "-k", "stuck-1");

    assertEquals(4, posted.code(), posted.toString());
    assertEquals(EntryState.PENDING, entry("stuck-1").state());
    assertTrue(
        posted.err().contains("refreshing the user token failed")
            && posted.err().contains("400 INVALID_TOKEN"),
        posted.err());
    assertEquals(0, stat("creates"));
    assertFalse(posted.err().contains("not-the-secret"), posted.err());
  }

  @Test
  void withoutAClientAnExpiredUserTokenSaysHowToLetItBeRefreshed() throws Exception {
    String expired = sandbox.issueUserTokens().get("access_token").getAsString();
    sandbox.advanceClock(Duration.ofHours(1));

    Cli.Result posted =
        cli().env("EDLINK_TOKEN", expired).run("post", MY, "-d", ESSAY, "-k", "old-1");

    assertEquals(4, posted.code(), posted.toString());
    assertTrue(posted.err().contains("401 EXPIRED_TOKEN"), posted.err());
    assertTrue(posted.err().contains("config set-client"), posted.err());
    assertEquals(EntryState.PENDING, entry("old-1").state());
  }

  @Test
  void anIntegrationTokenIsRefusedOnTheUserApiAndAUserTokenOnTheGraphApi() throws Exception {
    Cli.Result graphOnMy = cli().run("post", MY, "-d", ESSAY, "-k", "kind-1");
    assertEquals(4, graphOnMy.code(), graphOnMy.toString());
    assertTrue(graphOnMy.err().contains("INVALID_TOKEN"), graphOnMy.err());

    String user = sandbox.issueUserTokens().get("access_token").getAsString();
    Cli.Result userOnGraph =
        cli().env("EDLINK_TOKEN", user).run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "kind-2");
    assertEquals(4, userOnGraph.code(), userOnGraph.toString());
    assertTrue(userOnGraph.err().contains("INVALID_TOKEN"), userOnGraph.err());

    assertEquals(0, stat("creates"));
    assertEquals(EntryState.PENDING, entry("kind-1").state());
    assertEquals(EntryState.PENDING, entry("kind-2").state());
  }

  @Test
  void setClientRefusesATokenSetWithoutItsSecrets() {
    Cli.Result refused = user().stdin("{\"client_id\": \"x\"}").run("config", "set-client");
    assertEquals(2, refused.code(), refused.toString());
    assertTrue(refused.err().contains("client_secret"), refused.err());
    assertFalse(Files.exists(clientFile()));
    assertEquals(2, user().stdin("not json").run("config", "set-client").code());
  }

  private static List<String> secretsOf(JsonObject set) {
    List<String> secrets = new ArrayList<>();
    for (String name : List.of("access_token", "refresh_token", "client_secret")) {
      if (set.has(name)) {
        secrets.add(set.get(name).getAsString());
      }
    }
    return secrets;
  }

  private String journalText() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(journalDir())) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        all.append(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
      }
    }
    return all.toString();
  }

  private static String mode(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }
}
