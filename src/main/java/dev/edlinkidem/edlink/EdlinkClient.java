package dev.edlinkidem.edlink;

import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.JournaledRequest;
import dev.edlinkidem.journal.RecordedResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sends one journaled request once, with its key and the token, and reports what came back. */
public final class EdlinkClient {
  private final HttpClient http;
  private final String token;
  private final String userAgent;

  public EdlinkClient(HttpClient http, String token, String userAgent) {
    this.http = http;
    this.token = token;
    this.userAgent = userAgent;
  }

  /** An HTTP client that never follows redirects (a POST must not wander) and verifies TLS. */
  public static HttpClient defaultHttpClient(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout)
        .build();
  }

  /** What one attempt came back with: a response, or the reason there was none. */
  public sealed interface Exchange {
    /** A response arrived. */
    record Response(RecordedResponse response) implements Exchange {}

    /** No response: the connection failed, was closed, or the attempt timed out. */
    record NoResponse(Attempt.Result result, String error) implements Exchange {}
  }

  /** The URL as sent: the journaled URL with the idempotency key added. */
  public static String urlWithKey(String url, String key) {
    return url + (url.contains("?") ? "&" : "?") + "$idempotency=" + key;
  }

  public Exchange send(JournaledRequest request, String key, Duration timeout) throws InterruptedException {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(urlWithKey(request.url(), key)))
        .timeout(timeout)
        .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()))
        .header("Authorization", "Bearer " + token)
        .header("User-Agent", userAgent);
    request.headers().forEach(builder::header);
    try {
      HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Exchange.Response(new RecordedResponse(response.statusCode(), keptHeaders(response), response.body()));
    } catch (HttpTimeoutException e) {
      return new Exchange.NoResponse(Attempt.Result.TIMEOUT, "no response within " + timeout.toMillis() + " ms");
    } catch (ConnectException e) {
      return new Exchange.NoResponse(Attempt.Result.NO_RESPONSE, "cannot connect to " + request.url().replaceFirst("^(\\w+://[^/]+).*", "$1")
          + (e.getMessage() != null ? " (" + e.getMessage() + ")" : ""));
    } catch (IOException e) {
      return new Exchange.NoResponse(Attempt.Result.NO_RESPONSE, describe(e));
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    if (message == null || message.contains("header parser received no bytes") || message.contains("EOF")) {
      return "connection closed without a response";
    }
    return message;
  }

  /** Every header but cookies, which have no business in a journal. */
  private static Map<String, List<String>> keptHeaders(HttpResponse<?> response) {
    Map<String, List<String>> kept = new LinkedHashMap<>();
    response.headers().map().forEach((name, values) -> {
      if (!name.equalsIgnoreCase("set-cookie") && !name.startsWith(":")) {
        kept.put(name, values);
      }
    });
    return kept;
  }
}
