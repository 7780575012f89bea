package dev.edlinkidem.edlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.edlinkidem.sandbox.Faults;
import dev.edlinkidem.sandbox.SandboxServer;
import dev.edlinkidem.time.Time;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One refresh per run, shared by every sender, and the tokens of another process that refreshed the
 * same profile first, against the sandbox's token endpoint (which spends a used refresh token).
 */
class UserTokensTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private final List<String> steps = new ArrayList<>();
  private SandboxServer sandbox;
  private TokenEndpoint endpoint;
  private final List<UserTokens.Stored> saved = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    sandbox = SandboxServer.start("127.0.0.1", 0, null, Faults.NONE, 1, line -> {});
    endpoint =
        new TokenEndpoint(
            HttpClient.newHttpClient(),
            sandbox.baseUrl(),
            "test",
            Duration.ofSeconds(10),
            Time.SYSTEM);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  /** A store that answers each load with the next of {@code loads}, then the last saved. */
  private UserTokens.Store store(UserTokens.Stored... loads) {
    Deque<UserTokens.Stored> queue = new ArrayDeque<>(List.of(loads));
    return new UserTokens.Store() {
      @Override
      public void save(String access, String refresh) {
        steps.add("save");
        saved.add(new UserTokens.Stored(access, refresh));
      }

      @Override
      public UserTokens.Stored load() {
        steps.add("load");
        return queue.isEmpty()
            ? (saved.isEmpty() ? null : saved.get(saved.size() - 1))
            : queue.pop();
      }

      @Override
      public java.io.Closeable lock(Duration atMost) {
        steps.add("lock");
        return () -> steps.add("unlock");
      }
    };
  }

  private UserTokens tokens(JsonObject set, UserTokens.Store store) {
    return new UserTokens(
        endpoint,
        "sandbox-client",
        "sandbox-secret",
        set.get("refresh_token").getAsString(),
        set.get("access_token").getAsString(),
        store,
        warning -> {},
        Time.SYSTEM);
  }

  private static UserTokens.Stored stored(JsonObject set) {
    return new UserTokens.Stored(
        set.get("access_token").getAsString(), set.get("refresh_token").getAsString());
  }

  @Test
  void sendersRefusedTogetherShareOneRefreshAndASecondRefusalIsFinal() throws Exception {
    JsonObject set = sandbox.issueUserTokens();
    String first = set.get("access_token").getAsString();
    UserTokens tokens = tokens(set, store(stored(set)));

    Bearer.Renewal a = tokens.renew(first, MINUTE);
    Bearer.Renewal b =
        tokens.renew(first, MINUTE); // a second sender, refused with the same old token

    assertEquals(a.token(), b.token());
    assertEquals(1, sandbox.stats().get("refreshes").getAsInt());
    assertEquals(1, saved.size(), "stored before use");
    assertEquals(a.token(), saved.get(0).accessToken());
    Bearer.Renewal again = tokens.renew(a.token(), MINUTE);
    assertNull(again.token());
    assertTrue(again.whyNot().contains("refused too"), again.whyNot());
  }

  @Test
  void tokensAnotherProcessRefreshedFirstAreUsedWithoutRefreshing() throws Exception {
    JsonObject set = sandbox.issueUserTokens();
    // Another process refreshed the same profile, spending the refresh token this one holds.
    JsonObject theirs = refreshed(set.get("refresh_token").getAsString());
    UserTokens tokens = tokens(set, store(stored(theirs)));

    Bearer.Renewal renewal = tokens.renew(set.get("access_token").getAsString(), MINUTE);

    assertEquals(theirs.get("access_token").getAsString(), renewal.token());
    assertEquals(1, sandbox.stats().get("refreshes").getAsInt(), "theirs only");
  }

  @Test
  void aRefreshLooksAtTheStoreRefreshesAndStoresUnderOneLock() throws Exception {
    JsonObject set = sandbox.issueUserTokens();
    UserTokens tokens = tokens(set, store(stored(set)));

    tokens.renew(set.get("access_token").getAsString(), MINUTE);

    assertEquals(List.of("lock", "load", "save", "unlock"), steps);
  }

  @Test
  void aFailedRefreshIsWhatEverySenderAfterItHears() throws Exception {
    JsonObject set = sandbox.issueUserTokens();
    set.addProperty("refresh_token", "not-one-the-sandbox-issued");
    UserTokens tokens = tokens(set, store(stored(set)));
    String old = set.get("access_token").getAsString();

    Bearer.Renewal first = tokens.renew(old, MINUTE);
    Bearer.Renewal second = tokens.renew(old, MINUTE);

    assertNull(first.token());
    assertTrue(first.whyNot().startsWith("refreshing the user token failed"), first.whyNot());
    assertEquals(first.whyNot(), second.whyNot());
    assertTrue(first.whyNot().contains("config set-client"), first.whyNot());
  }

  @Test
  void noTimeLeftMeansNoRefresh() throws Exception {
    JsonObject set = sandbox.issueUserTokens();
    UserTokens tokens = tokens(set, store(stored(set)));

    Bearer.Renewal renewal = tokens.renew(set.get("access_token").getAsString(), Duration.ZERO);

    assertNull(renewal.token());
    assertTrue(renewal.whyNot().contains("--max-time"), renewal.whyNot());
    assertEquals(0, sandbox.stats().get("refreshes").getAsInt());
  }

  @Test
  void theUserApiIsKnownByItsPathUnderAnyBasePath() {
    assertTrue(EdlinkClient.userApi("https://ed.link/api/v2/my/classes/c/assignments"));
    assertTrue(EdlinkClient.userApi("http://127.0.0.1:9/prefix/api/v2/my/classes/c/assignments"));
    assertFalse(EdlinkClient.userApi("https://ed.link/api/v2/graph/classes/c/assignments"));
    assertFalse(EdlinkClient.userApi("https://ed.link/api/v2/mystery"));
  }

  private JsonObject refreshed(String refreshToken) throws Exception {
    TokenEndpoint.Granted granted =
        endpoint.refresh("sandbox-client", "sandbox-secret", refreshToken, MINUTE);
    JsonObject set = new JsonObject();
    set.addProperty("access_token", granted.accessToken());
    set.addProperty("refresh_token", granted.refreshToken());
    return set;
  }
}
