package dev.edlinkidem.edlink;

import dev.edlinkidem.net.NetFailure;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.net.ProxyUrl;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Sends one journaled request once, with its key and the token, and reports what came back. */
public final class EdlinkClient {
  private static final String USER_API = "/api/v2/my/";

  /** The most of an answer's body that is kept (and journaled) unless told otherwise: 8 MiB. */
  public static final int DEFAULT_MAX_BODY = 8 << 20;

  /**
   * The response headers the journal keeps, by name (lower case): what tells what became of the
   * request and when to ask again. Everything else, and above all anything that can carry a
   * credential (a proxy that echoes {@code Authorization}, cookies), is dropped.
   */
  static final Set<String> KEPT_HEADERS =
      Set.of(
          "content-type",
          "content-length",
          "content-encoding",
          "content-language",
          "date",
          "retry-after",
          "x-request-id",
          "request-id",
          "location",
          "etag",
          "last-modified",
          "cache-control",
          "expires",
          "age",
          "vary",
          "server");

  /** Rate-limit headers, whose names vary by server: kept by these prefixes. */
  private static final List<String> KEPT_PREFIXES = List.of("x-ratelimit-", "ratelimit");

  private final HttpClient http;
  private final Network network;
  private final Bearer bearer;
  private final String userAgent;
  private final int maxBody;

  public EdlinkClient(HttpClient http, String token, String userAgent) {
    this(http, Bearer.fixed(token), userAgent);
  }

  public EdlinkClient(HttpClient http, Bearer bearer, String userAgent) {
    this(http, bearer, userAgent, DEFAULT_MAX_BODY);
  }

  /**
   * @param maxBody the most of a body kept: the rest of a longer one is not read, and the response
   *     says it was cut
   */
  public EdlinkClient(HttpClient http, Bearer bearer, String userAgent, int maxBody) {
    this(http, Network.DIRECT, bearer, userAgent, maxBody);
  }

  /**
   * @param http a client {@code network} built
   * @param maxBody the most of a body kept: the rest of a longer one is not read, and the response
   *     says it was cut
   */
  public EdlinkClient(
      HttpClient http, Network network, Bearer bearer, String userAgent, int maxBody) {
    this.http = http;
    this.network = network;
    this.bearer = bearer;
    this.userAgent = userAgent;
    this.maxBody = maxBody;
  }

  /**
   * Whether {@code url} is on Edlink's User API, which takes user tokens (they expire); a base URL
   * with a path of its own before {@code /api/v2/} counts too.
   */
  public static boolean userApi(String url) {
    String path = URI.create(url).getRawPath();
    int api = path == null ? -1 : path.indexOf("/api/v2/");
    return api >= 0 && path.startsWith(USER_API, api);
  }

  /** The token the next attempt will carry. */
  public String token() {
    return bearer.token();
  }

  /**
   * A token to send instead of {@code refused}, which the User API refused, within {@code atMost}.
   */
  public Bearer.Renewal renewToken(String refused, Duration atMost) throws InterruptedException {
    return bearer.renew(refused, atMost);
  }

  /**
   * Ends the selector threads of this process's HttpClients, for a process about to exit. On JDK 17
   * an HttpClient cannot be closed, and the JVM's exit waits up to 300 ms for a thread that sits in
   * native code, as an idle selector does; interrupted, the thread ends at once. Only for the very
   * end: a client whose selector is gone cannot send again.
   */
  public static void stopSelectorsBeforeExit() {
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("HttpClient-")
          && thread.getName().endsWith("-SelectorManager")) {
        thread.interrupt();
        try {
          thread.join(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** What one attempt came back with: a response, or the reason there was none. */
  public sealed interface Exchange {
    /** A response arrived. */
    record Response(RecordedResponse response) implements Exchange {}

    /**
     * No response: the connection failed, was closed, or the attempt timed out.
     *
     * @param timedOut whether the attempt's time ran out (else the connection failed or was closed)
     * @param worthRetrying false when asking again cannot help (an untrusted TLS certificate)
     * @param neverSent true when this attempt's request is known not to have left the machine (the
     *     proxy or the TLS handshake failed first); false when it may have reached Edlink
     */
    record NoResponse(boolean timedOut, String error, boolean worthRetrying, boolean neverSent)
        implements Exchange {
      NoResponse(String error) {
        this(false, error, true, false);
      }

      /** A failure on the way, before the request left. */
      static NoResponse onTheWay(NetFailure failure) {
        return new NoResponse(false, failure.text(), failure.worthRetrying(), true);
      }
    }
  }

  /** The URL as sent: the journaled URL with the idempotency key added. */
  public static String urlWithKey(String url, String key) {
    return url + (url.contains("?") ? "&" : "?") + "$idempotency=" + key;
  }

  /**
   * Builds the request as it will be sent; refuses (IllegalArgumentException) what HTTP cannot
   * send.
   */
  public HttpRequest build(JournaledRequest request, String key, Duration timeout) {
    return build(request, key, timeout, bearer.token());
  }

  private HttpRequest build(JournaledRequest request, String key, Duration timeout, String token) {
    HttpRequest.Builder builder =
        network
            .request(URI.create(urlWithKey(request.url(), key)))
            .timeout(timeout)
            .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()))
            .header("Authorization", "Bearer " + token)
            .header("User-Agent", userAgent);
    request.headers().forEach(builder::header);
    return builder.build();
  }

  /**
   * Sends once. The timeout covers the whole exchange, body included: a server that sends its
   * headers and then stalls must not hang a CI job.
   */
  public Exchange send(JournaledRequest request, String key, Duration timeout)
      throws InterruptedException {
    return send(request, key, timeout, bearer.token());
  }

  /** Sends once with {@code token}. */
  public Exchange send(JournaledRequest request, String key, Duration timeout, String token)
      throws InterruptedException {
    CompletableFuture<HttpResponse<CappedBody.Kept>> pending =
        http.sendAsync(build(request, key, timeout, token), info -> new CappedBody(maxBody));
    try {
      HttpResponse<CappedBody.Kept> response =
          pending.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
      CappedBody.Kept body = response.body();
      if (body == null) {
        // No body handler was called: the answer is the proxy's to the CONNECT (a 407), and the
        // request never went through.
        return notThrough(request, response.statusCode());
      }
      return new Exchange.Response(
          new RecordedResponse(
              response.statusCode(), keptHeaders(response), body.bytes(), body.length()));
    } catch (TimeoutException e) {
      pending.cancel(true);
      return timedOut(timeout);
    } catch (InterruptedException e) {
      pending.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HttpTimeoutException) {
        return timedOut(timeout);
      }
      NetFailure failure = network.failure(cause, URI.create(request.url()));
      if (failure != null) {
        return Exchange.NoResponse.onTheWay(failure);
      }
      if (cause instanceof ConnectException) {
        return new Exchange.NoResponse(
            "cannot connect to "
                + origin(request)
                + (cause.getMessage() != null ? " (" + cause.getMessage() + ")" : ""));
      }
      if (cause instanceof IOException io) {
        return new Exchange.NoResponse(describe(io));
      }
      throw new IllegalStateException("unexpected failure sending to " + origin(request), cause);
    }
  }

  /** The proxy answered the CONNECT with {@code status}, so nothing went through it. */
  private Exchange notThrough(JournaledRequest request, int status) {
    URI url = URI.create(request.url());
    ProxyUrl proxy = network.proxyFor(url).orElse(null);
    if (proxy == null) {
      throw new IllegalStateException(
          "an answer " + status + " from " + origin(request) + " that no body handler saw");
    }
    NetFailure failure = NetFailure.tunnelRefused(status, proxy, url);
    return Exchange.NoResponse.onTheWay(failure);
  }

  private static Exchange timedOut(Duration timeout) {
    return new Exchange.NoResponse(
        true, "no response within " + timeout.toMillis() + " ms", true, false);
  }

  private static String origin(JournaledRequest request) {
    return request.url().replaceFirst("^(\\w+://[^/?#]+).*", "$1");
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    if (message == null
        || message.contains("header parser received no bytes")
        || message.contains("EOF")) {
      return "connection closed without a response";
    }
    return message;
  }

  /** The headers of {@link #KEPT_HEADERS} and the rate-limit ones; no other reaches the journal. */
  private static Map<String, List<String>> keptHeaders(HttpResponse<?> response) {
    Map<String, List<String>> kept = new LinkedHashMap<>();
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (keeps(name)) {
                kept.put(name, values);
              }
            });
    return kept;
  }

  static boolean keeps(String header) {
    String name = header.toLowerCase(Locale.ROOT);
    return KEPT_HEADERS.contains(name) || KEPT_PREFIXES.stream().anyMatch(name::startsWith);
  }
}
