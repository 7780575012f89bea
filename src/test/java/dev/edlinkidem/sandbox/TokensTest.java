package dev.edlinkidem.sandbox;

import static dev.edlinkidem.sandbox.SandboxClient.ASSIGNMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.edlinkidem.sandbox.SandboxClient.Answer;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's tokens as Edlink's: integration tokens on the Graph API, user tokens on the User
 * API, each refused on the other, user tokens expiring by the sandbox's clock and refreshed at the
 * token endpoint.
 */
class TokensTest extends SandboxServerCase {
  private static final String MY_ASSIGNMENTS = "/api/v2/my/classes/" + CLASS_ID + "/assignments";

  @Test
  void aUserTokenWorksOnTheUserApiOnly() throws Exception {
    JsonObject set = client.userTokens();
    String user = set.get("access_token").getAsString();
    assertEquals(3600, set.get("expires_in").getAsInt());
    assertEquals("Bearer", set.get("token_type").getAsString());

    assertEquals(200, client.send("POST", MY_ASSIGNMENTS, ASSIGNMENT, user).status());
    Answer onGraph = client.send("POST", ASSIGNMENTS, ASSIGNMENT, user);
    assertEquals(400, onGraph.status());
    assertEquals("INVALID_TOKEN", onGraph.errorCode());
    Answer integrationOnMy = client.send("GET", MY_ASSIGNMENTS, null, SandboxClient.TOKEN);
    assertEquals(400, integrationOnMy.status());
    assertEquals("INVALID_TOKEN", integrationOnMy.errorCode());
    assertEquals(1, client.stats().getAsJsonObject("records").get(MY_ASSIGNMENTS).getAsInt());
    assertEquals(
        null,
        client.stats().getAsJsonObject("records").get(ASSIGNMENTS),
        "the refused request created nothing");
  }

  @Test
  void aUserTokenExpiresByTheSandboxClockAndIsRefreshed() throws Exception {
    JsonObject set = client.userTokens();
    String user = set.get("access_token").getAsString();
    client.advanceClock("59m");
    assertEquals(200, client.send("GET", MY_ASSIGNMENTS, null, user).status());
    client.advanceClock("1m");

    Answer expired = client.send("GET", MY_ASSIGNMENTS, null, user);
    assertEquals(401, expired.status());
    assertEquals("EXPIRED_TOKEN", expired.errorCode());

    String refresh = set.get("refresh_token").getAsString();
    String json =
        "{\"grant_type\":\"refresh_token\",\"refresh_token\":\""
            + refresh
            + "\",\"client_id\":\"sandbox-client\",\"client_secret\":\"sandbox-secret\"}";
    Answer granted = token(json, "application/json");
    assertEquals(200, granted.status());
    JsonObject renewed = granted.data();
    assertNotEquals(user, renewed.get("access_token").getAsString());
    assertNotEquals(refresh, renewed.get("refresh_token").getAsString(), "rotated");
    assertEquals(
        200,
        client
            .send("GET", MY_ASSIGNMENTS, null, renewed.get("access_token").getAsString())
            .status());
    assertEquals(
        "INVALID_TOKEN", token(json, "application/json").errorCode(), "the old one is spent");
    assertEquals(1, client.stats().get("refreshes").getAsInt());

    String form =
        "grant_type=refresh_token&refresh_token="
            + renewed.get("refresh_token").getAsString()
            + "&client_id=sandbox-client&client_secret=sandbox-secret";
    assertEquals(200, token(form, "application/x-www-form-urlencoded").status(), "a form too");
  }

  @Test
  void theTokenEndpointRefusesWhatItCannotGrant() throws Exception {
    String refresh = client.userTokens().get("refresh_token").getAsString();
    assertEquals(
        "INVALID_TOKEN",
        token(
                "grant_type=refresh_token&refresh_token="
                    + refresh
                    + "&client_id=sandbox-client&client_secret=wrong",
                "application/x-www-form-urlencoded")
            .errorCode());
    assertEquals(
        "MISSING_REQUIRED_FIELD",
        token("{\"grant_type\":\"refresh_token\"}", "application/json").errorCode());
    assertEquals(
        "UNSUPPORTED_OPERATION",
        token("{\"grant_type\":\"authorization_code\",\"code\":\"x\"}", "application/json")
            .errorCode());
    assertEquals(
        200,
        token(
                "grant_type=refresh_token&refresh_token="
                    + refresh
                    + "&client_id=sandbox-client&client_secret=sandbox-secret",
                "application/x-www-form-urlencoded")
            .status(),
        "a refused request does not spend the refresh token");
  }

  @Test
  void aUserRequestIsLoggedWithItsPerson() throws Exception {
    String user = client.userTokens().get("access_token").getAsString();
    client.send("POST", MY_ASSIGNMENTS + "?$idempotency=mine", ASSIGNMENT, user);

    JsonObject record = client.get(LOG).list().get(0).getAsJsonObject();
    assertEquals("mine", record.get("idempotency_key").getAsString());
    assertTrue(record.get("person_id").isJsonPrimitive(), record.toString());
  }

  @Test
  void theClockMovesForwardOnlyAndAResetPutsItBack() throws Exception {
    assertEquals("2h", client.advanceClock("2h").get("ahead").getAsString());
    Answer back = client.send("POST", "/__sandbox/clock", "{\"advance\": \"-1h\"}", null);
    assertEquals(400, back.status());
    assertEquals(
        400, client.send("POST", "/__sandbox/clock", "{\"to\": \"2030-01-01\"}", null).status());
    assertEquals(
        "2h", client.send("GET", "/__sandbox/clock", null, null).body().get("ahead").getAsString());
    assertEquals(
        400,
        client.send("POST", "/__sandbox/clock", "{\"advance\": \"999999999d\"}", null).status(),
        "no further than 100 years");
    assertEquals("2h", client.stats().get("clock_ahead").getAsString());
    client.send("POST", "/__sandbox/reset", null, null);
    assertEquals("0s", client.stats().get("clock_ahead").getAsString());
  }

  @Test
  void aKeyOlderThan30DaysByTheSandboxClockIsNew() throws Exception {
    String url = ASSIGNMENTS + "?$idempotency=month";
    String first = client.post(url, ASSIGNMENT).data().get("id").getAsString();
    client.advanceClock("29d");
    assertEquals(first, client.post(url, ASSIGNMENT).data().get("id").getAsString());
    client.advanceClock("1d");

    Answer after = client.post(url, ASSIGNMENT);
    assertNotEquals(first, after.data().get("id").getAsString());
    assertEquals(null, after.warningCode());
    JsonArray log = client.get(LOG).list();
    assertEquals(2, log.size(), "the repeat of day 29 and today's; the first is forgotten");
    assertEquals(
        after.body().get("$request").getAsString(),
        log.get(1).getAsJsonObject().get("id").getAsString());
  }

  private Answer token(String body, String contentType) throws Exception {
    return client.token(body, contentType);
  }
}
