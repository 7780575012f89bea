package dev.edlinkidem.sandbox;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** A small HTTP client for the sandbox in tests: real requests with java.net.http. */
final class SandboxClient {
  static final String TOKEN = "test-token";
  static final String ASSIGNMENT =
      "{\"title\":\"Essay\",\"description\":\"500"
          + " words\",\"due_date\":\"2026-12-01T00:00:00Z\",\"grading_type\":\"points\"}";

  /** One answer: status, parsed body, headers. */
  record Answer(int status, JsonObject body, HttpHeaders headers) {
    JsonObject data() {
      return body.getAsJsonObject("$data");
    }

    JsonArray list() {
      return body.getAsJsonArray("$data");
    }

    String errorCode() {
      return body.has("$errors")
          ? body.getAsJsonArray("$errors").get(0).getAsJsonObject().get("code").getAsString()
          : null;
    }

    String warningCode() {
      return body.has("$warnings")
          ? body.getAsJsonArray("$warnings").get(0).getAsJsonObject().get("code").getAsString()
          : null;
    }
  }

  private final HttpClient http;
  private final URI base;

  SandboxClient(URI base) {
    this(
        base,
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build());
  }

  /** A client of the sandbox at {@code base} that sends with {@code http}: one for HTTPS. */
  SandboxClient(URI base, HttpClient http) {
    this.base = base;
    this.http = http;
  }

  Answer post(String pathAndQuery, String body) throws IOException, InterruptedException {
    return send("POST", pathAndQuery, body, TOKEN);
  }

  Answer get(String pathAndQuery) throws IOException, InterruptedException {
    return send("GET", pathAndQuery, null, TOKEN);
  }

  Answer send(String method, String pathAndQuery, String body, String token)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(request(method, pathAndQuery, body, token), HttpResponse.BodyHandlers.ofString());
    return answer(response);
  }

  CompletableFuture<Answer> postAsync(String pathAndQuery, String body) {
    return http.sendAsync(
            request("POST", pathAndQuery, body, TOKEN), HttpResponse.BodyHandlers.ofString())
        .thenApply(SandboxClient::answer);
  }

  /** A GET of a full URL, such as a {@code $next} link. */
  Answer follow(String url) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    return answer(http.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  /** A new user's token set, from {@code POST /__sandbox/user-tokens}. */
  JsonObject userTokens() throws IOException, InterruptedException {
    return send("POST", "/__sandbox/user-tokens", null, null).body();
  }

  /** Moves the sandbox's clock forward, e.g. by "2h". */
  JsonObject advanceClock(String by) throws IOException, InterruptedException {
    return send("POST", "/__sandbox/clock", "{\"advance\": \"" + by + "\"}", null).body();
  }

  /** A POST to the token endpoint, with a body of this content type. */
  Answer token(String body, String contentType) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/api/authentication/token"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return answer(http.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  JsonObject stats() throws IOException, InterruptedException {
    return send("GET", "/__sandbox/stats", null, null).body();
  }

  private HttpRequest request(String method, String pathAndQuery, String body, String token) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      builder.header("Content-Type", "application/json");
    }
    return builder.build();
  }

  private static Answer answer(HttpResponse<String> response) {
    return new Answer(
        response.statusCode(),
        JsonParser.parseString(response.body()).getAsJsonObject(),
        response.headers());
  }

  /** Waits until the condition holds, checking often, and fails after 10 seconds. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting until " + what);
      }
      Thread.sleep(5);
    }
  }
}
