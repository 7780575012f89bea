package dev.edlinkidem.edlink;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.edlinkidem.net.NetFailure;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.net.ProxyUrl;
import dev.edlinkidem.time.Time;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Edlink's OAuth token endpoint, {@code POST /api/authentication/token}, as its official SDK uses
 * it to refresh a user token: a JSON body of {@code grant_type=refresh_token}, the refresh token
 * and the application's client id and secret; the answer's {@code $data} holds the new access token
 * and a new refresh token.
 */
public final class TokenEndpoint {
  static final String PATH = "/api/authentication/token";
  private static final int MAX_ANSWER_BYTES = 64 * 1024;
  private static final int MAX_TOKEN_CHARS = 8 * 1024;

  /** After a 200 the tool could not use: the refresh token it was given in exchange is gone. */
  private static final String SPENT =
      "; the refresh may have spent the stored refresh token: if the next refresh is refused, store"
          + " a new one with 'edlink-idem config set-client'";

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
    private final boolean unanswered;

    Refused(String why) {
      this(why, false);
    }

    Refused(String why, boolean unanswered) {
      super(why, null, false, false);
      this.unanswered = unanswered;
    }

    /** Whether no answer came: the endpoint, or the way to it, did not answer. */
    public boolean unanswered() {
      return unanswered;
    }
  }

  private final HttpClient http;
  private final Network network;
  private final URI url;
  private final String userAgent;
  private final Duration timeout;
  private final Time time;

  /**
   * @param baseUrl Edlink's base URL: the token goes to the host the requests go to
   * @param time the ticker that keeps a refresh's one deadline, its answer included
   */
  public TokenEndpoint(
      HttpClient http, URI baseUrl, String userAgent, Duration timeout, Time time) {
    this(http, Network.DIRECT, baseUrl, userAgent, timeout, time);
  }

  /**
   * @param http a client {@code network} built
   * @param baseUrl Edlink's base URL: the token goes to the host the requests go to
   * @param time the ticker that keeps a refresh's one deadline, its answer included
   */
  public TokenEndpoint(
      HttpClient http,
      Network network,
      URI baseUrl,
      String userAgent,
      Duration timeout,
      Time time) {
    this.http = http;
    this.network = network;
    this.time = time;
    String base = baseUrl.toString();
    this.url =
        URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH);
    this.userAgent = userAgent;
    this.timeout = timeout;
  }

  /**
   * Exchanges {@code refreshToken} for new tokens, within {@code atMost} (the endpoint's own
   * timeout, or less when less is left), the whole exchange and its answer included.
   */
  public Granted refresh(String clientId, String clientSecret, String refreshToken, Duration atMost)
      throws Refused, InterruptedException {
    Duration limit = atMost.compareTo(timeout) < 0 ? atMost : timeout;
    if (limit.isNegative() || limit.isZero()) {
      throw new Refused("no time was left to refresh it (--max-time)");
    }
    JsonObject body = new JsonObject();
    body.addProperty("grant_type", "refresh_token");
    body.addProperty("refresh_token", refreshToken);
    body.addProperty("client_id", clientId);
    body.addProperty("client_secret", clientSecret);
    HttpRequest request =
        network
            .request(url)
            .timeout(limit)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("User-Agent", userAgent)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
            .build();
    // One deadline for the headers and the answer: a token set is a few hundred bytes, and more
    // than 64 KiB is not one, and is not read.
    long started = time.nanoTime();
    CompletableFuture<HttpResponse<InputStream>> pending =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    int status;
    byte[] bytes;
    try {
      HttpResponse<InputStream> response = pending.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      status = response.statusCode();
      InputStream in = response.body();
      if (in == null) {
        // The proxy's answer to the CONNECT: the tunnel was not opened.
        throw new Refused(notThrough(NetFailure.tunnelRefused(status, proxy(), url)), true);
      }
      CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> readCapped(in));
      try {
        bytes =
            read.get(
                Math.max(1, limit.minus(time.since(started)).toMillis()), TimeUnit.MILLISECONDS);
      } catch (TimeoutException stalled) {
        closeQuietly(in);
        throw stalled;
      }
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new Refused(lost("no answer within " + limit.toMillis() + " ms"), true);
    } catch (InterruptedException e) {
      pending.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      NetFailure failure = network.failure(cause, url);
      if (failure != null) {
        throw new Refused(notThrough(failure), true);
      }
      throw new Refused(
          lost(cause.getMessage() == null ? cause.toString() : cause.getMessage()), true);
    }
    if (bytes.length > MAX_ANSWER_BYTES) {
      throw new Refused(
          url
              + " answered "
              + status
              + " with more than 64 KiB, which is no token set"
              + (status == 200 ? SPENT : ""));
    }
    JsonObject data = data(new String(bytes, StandardCharsets.UTF_8));
    if (status != 200 || data == null || !text(data, "access_token")) {
      Envelope envelope = Envelope.of(bytes);
      // Only the code: a message could quote what was sent, the refresh token among it.
      String code = envelope.errors().isEmpty() ? "" : " " + envelope.errors().get(0).code();
      throw new Refused(
          url
              + " answered "
              + status
              + code
              + (status == 200
                  ? " without an access token" + SPENT
                  : "; if a refresh whose answer was lost spent the stored refresh token, store a"
                      + " new one with 'edlink-idem config set-client'"));
    }
    String access = data.get("access_token").getAsString();
    String refresh = text(data, "refresh_token") ? data.get("refresh_token").getAsString() : null;
    if (!usable(access) || refresh != null && !usable(refresh)) {
      throw new Refused(
          url
              + " answered a token longer than 8 KiB or with characters a header cannot carry"
              + SPENT);
    }
    return new Granted(access, refresh);
  }

  /** A refresh that never reached Edlink: the refresh token was not spent. */
  private String notThrough(NetFailure failure) {
    return "the refresh did not reach " + url + ": " + failure.text();
  }

  private ProxyUrl proxy() {
    return network.proxyFor(url).orElseThrow();
  }

  /** Why there was no answer, and what it may mean for the stored refresh token. */
  private String lost(String why) {
    return "no answer from "
        + url
        + " ("
        + why
        + "); the refresh may have been made, and its answer lost: if later refreshes are refused,"
        + " store a new refresh token with 'edlink-idem config set-client'";
  }

  private static byte[] readCapped(InputStream in) {
    try (in) {
      return in.readNBytes(MAX_ANSWER_BYTES + 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // closing is all that is left to do with a stalled answer
    }
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

  /** Visible ASCII only and at most 8 KiB, as a header and a line of the profile can carry. */
  private static boolean usable(String token) {
    return token.length() <= MAX_TOKEN_CHARS && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  private static boolean text(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() && !e.getAsString().isEmpty();
  }
}
