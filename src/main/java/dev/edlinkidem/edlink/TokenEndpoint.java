package dev.edlinkidem.edlink;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Edlink's OAuth token endpoint, {@code POST /api/authentication/token}, as its official SDK uses
 * it to refresh a user token: a JSON body of {@code grant_type=refresh_token}, the refresh token
 * and the application's client id and secret; the answer's {@code $data} holds the new access token
 * and a new refresh token.
 */
public final class TokenEndpoint {
  static final String PATH = "/api/authentication/token";
  private static final int MAX_ANSWER_BYTES = 64 * 1024;

  /** A refresh that was answered with tokens. */
  public record Granted(String accessToken, String refreshToken) {
    @Override
    public String toString() {
      return "Granted[tokens never shown]";
    }
  }

  /** A refresh that gave no token, and why, in one line that names no secret. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String why) {
      super(why, null, false, false);
    }
  }

  private final HttpClient http;
  private final URI url;
  private final String userAgent;
  private final Duration timeout;

  /**
   * @param baseUrl Edlink's base URL: the token goes to the host the requests go to
   */
  public TokenEndpoint(HttpClient http, URI baseUrl, String userAgent, Duration timeout) {
    this.http = http;
    String base = baseUrl.toString();
    this.url =
        URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH);
    this.userAgent = userAgent;
    this.timeout = timeout;
  }

  public Granted refresh(String clientId, String clientSecret, String refreshToken)
      throws Refused, InterruptedException {
    JsonObject body = new JsonObject();
    body.addProperty("grant_type", "refresh_token");
    body.addProperty("refresh_token", refreshToken);
    body.addProperty("client_id", clientId);
    body.addProperty("client_secret", clientSecret);
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("User-Agent", userAgent)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
            .build();
    int status;
    String answer;
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      status = response.statusCode();
      try (InputStream in = response.body()) {
        // A token set is a few hundred bytes; a larger answer is not one.
        answer = new String(in.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new Refused(
          "no answer from " + url + " (" + (e.getMessage() == null ? e : e.getMessage()) + ")");
    }
    JsonObject data = data(answer);
    if (status != 200 || data == null || !text(data, "access_token")) {
      Envelope envelope = Envelope.of(answer.getBytes(StandardCharsets.UTF_8));
      throw new Refused(
          url
              + " answered "
              + status
              + (envelope.errors().isEmpty() ? "" : " " + envelope.errors().get(0).code())
              + (status == 200 ? " without an access token" : ""));
    }
    String access = data.get("access_token").getAsString();
    String refresh = text(data, "refresh_token") ? data.get("refresh_token").getAsString() : null;
    if (!visible(access) || refresh != null && !visible(refresh)) {
      throw new Refused(url + " answered a token with characters a header cannot carry");
    }
    return new Granted(access, refresh);
  }

  private static JsonObject data(String body) {
    try {
      JsonElement json = JsonParser.parseString(body);
      if (json.isJsonObject() && json.getAsJsonObject().get("$data") instanceof JsonObject data) {
        return data;
      }
    } catch (JsonParseException e) {
      // not JSON: no data
    }
    return null;
  }

  /** Visible ASCII only, as a bearer token in a header and a line of the profile must be. */
  private static boolean visible(String token) {
    return token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  private static boolean text(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() && !e.getAsString().isEmpty();
  }
}
