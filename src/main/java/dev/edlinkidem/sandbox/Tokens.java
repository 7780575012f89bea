package dev.edlinkidem.sandbox;

import com.google.gson.JsonObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The sandbox's tokens, of Edlink's two kinds: integration tokens for the Graph API, which never
 * expire, and user tokens for the User API ({@code /api/v2/my/}), which expire and are refreshed
 * through {@code POST /api/authentication/token}. Each kind is refused where the other belongs.
 */
final class Tokens {
  private static final String USER_API = "/api/v2/my";
  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private final String integrationToken;
  private final String clientId;
  private final String clientSecret;
  private final Duration userTtl;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** A user access token the sandbox issued: whose it is, and when it expires. */
  private record UserToken(String personId, Instant expires) {}

  private final Map<String, UserToken> userTokens = new HashMap<>();

  /** Refresh tokens not yet used, and whose they are: each is good for one refresh. */
  private final Map<String, String> refreshTokens = new HashMap<>();

  /**
   * @param integrationToken the one integration token accepted, or null for any token that is not a
   *     user token
   * @param clientId the application whose client id and secret the token endpoint takes
   */
  Tokens(
      String integrationToken,
      String clientId,
      String clientSecret,
      Duration userTtl,
      Clock clock) {
    this.integrationToken = integrationToken;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.userTtl = userTtl;
    this.clock = clock;
  }

  /** Whether {@code path} is under the User API, which takes user tokens. */
  static boolean userApi(String path) {
    return path.equals(USER_API) || path.startsWith(USER_API + "/");
  }

  /** Null when the request's token may make it; else the answer refusing it. */
  synchronized Reply refusal(ApiRequest request) {
    String token = request.bearerToken();
    if (token == null) {
      return Reply.error(
          400, "INVALID_TOKEN", "send a token in the header Authorization: Bearer <token>");
    }
    UserToken user = userTokens.get(token);
    if (userApi(request.path())) {
      if (user == null) {
        return Reply.error(
            400,
            "INVALID_TOKEN",
            "the User API (/api/v2/my/) takes a user's access token, and this is not one the"
                + " sandbox issued (POST /__sandbox/user-tokens gives one)");
      }
      if (!clock.instant().isBefore(user.expires())) {
        return Reply.error(
            401,
            "EXPIRED_TOKEN",
            "this user token expired at "
                + user.expires().truncatedTo(ChronoUnit.SECONDS)
                + "; refresh it with POST /api/authentication/token");
      }
      return null;
    }
    if (user != null) {
      return Reply.error(
          400,
          "INVALID_TOKEN",
          "the Graph API takes an integration token, and this is a user's access token");
    }
    if (integrationToken != null && !integrationToken.equals(token)) {
      return Reply.error(
          400, "INVALID_TOKEN", "the sandbox was started with --token and this is not that token");
    }
    return null;
  }

  /**
   * A new user's token set, for {@code POST /__sandbox/user-tokens}: what Edlink's OAuth flow ends
   * with, plus the application's client id and secret that refresh it.
   */
  synchronized JsonObject issue() {
    JsonObject set = tokenSet(UUID.randomUUID().toString());
    set.addProperty("client_id", clientId);
    set.addProperty("client_secret", clientSecret);
    return set;
  }

  /**
   * {@code POST /api/authentication/token}: a refresh token, with the application's client id and
   * secret, is exchanged for a new access token and a new refresh token; the old one is spent.
   *
   * @param form the fields of the body, form-encoded or JSON
   */
  synchronized Reply grant(Map<String, String> form) {
    String grantType = form.get("grant_type");
    if (grantType == null) {
      return Reply.error(400, "MISSING_REQUIRED_FIELD", "missing required field: grant_type");
    }
    if (!grantType.equals("refresh_token")) {
      return Reply.error(
          400,
          "UNSUPPORTED_OPERATION",
          "the sandbox grants refresh_token only; a user's first token set comes from"
              + " POST /__sandbox/user-tokens, not from a login");
    }
    for (String field : new String[] {"refresh_token", "client_id", "client_secret"}) {
      if (form.get(field) == null || form.get(field).isEmpty()) {
        return Reply.error(400, "MISSING_REQUIRED_FIELD", "missing required field: " + field);
      }
    }
    if (!form.get("client_id").equals(clientId)
        || !form.get("client_secret").equals(clientSecret)) {
      return Reply.error(
          400, "INVALID_TOKEN", "client_id and client_secret are not the sandbox application's");
    }
    String person = refreshTokens.remove(form.get("refresh_token"));
    if (person == null) {
      return Reply.error(
          400,
          "INVALID_TOKEN",
          "this refresh token is not one the sandbox issued, or it was used already: each"
              + " refresh gives a new refresh token, and the old one is spent");
    }
    return Reply.data(tokenSet(person));
  }

  /** The person a user token belongs to, or null for any other token. */
  synchronized String personOf(String token) {
    UserToken user = token == null ? null : userTokens.get(token);
    return user == null ? null : user.personId();
  }

  synchronized void clear() {
    userTokens.clear();
    refreshTokens.clear();
  }

  private JsonObject tokenSet(String personId) {
    String access = randomToken();
    String refresh = randomToken();
    userTokens.put(access, new UserToken(personId, clock.instant().plus(userTtl)));
    refreshTokens.put(refresh, personId);
    JsonObject set = new JsonObject();
    set.addProperty("access_token", access);
    set.addProperty("refresh_token", refresh);
    set.addProperty("expires_in", userTtl.toSeconds());
    set.addProperty("token_type", "Bearer");
    return set;
  }

  private String randomToken() {
    StringBuilder token = new StringBuilder(32);
    for (int i = 0; i < 32; i++) {
      token.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return token.toString();
  }
}
