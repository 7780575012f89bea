package dev.edlinkidem.edlink;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.edlinkidem.net.NetFailure;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.net.ProxyUrl;
import dev.edlinkidem.request.Destination;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Edlink's request log ({@code GET /api/v2/graph/requests}) newest first ({@code $last}, then
 * {@code $next}) to learn what became of requests whose answers were lost, without sending them.
 */
public final class RequestLog {
  /** One logged request that carried an idempotency key. */
  public record Logged(
      String key,
      Instant date,
      String method,
      String path,
      int status,
      String requestId,
      String output) {}

  /** The log could not be read: the token was refused, Edlink failed, or nothing answered. */
  public static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final boolean tokenRefused;
    private final boolean queryRefused;

    Unreadable(int status, String message, boolean tokenRefused) {
      this(status, message, tokenRefused, false);
    }

    Unreadable(int status, String message, boolean tokenRefused, boolean queryRefused) {
      super(message);
      this.status = status;
      this.tokenRefused = tokenRefused;
      this.queryRefused = queryRefused;
    }

    /** Whether Edlink refused the cursor or the page size: asking later gets the same. */
    public boolean queryRefused() {
      return queryRefused;
    }

    /** The HTTP status, or 0 when no response arrived. */
    public int status() {
      return status;
    }

    /** Whether Edlink refused the token (a user token cannot read the log). */
    public boolean tokenRefused() {
      return tokenRefused;
    }
  }

  private static final int PAGE = 1000;

  /** Codes that refuse the query itself, not the token nor the moment. */
  private static final Set<String> QUERY_CODES = Set.of("INVALID_CURSOR", "INVALID_PAGE_SIZE");

  private static final int MAX_PAGES = 100_000;

  /** The most of one page that is read: a thousand records are well under a megabyte each. */
  static final int MAX_PAGE_BYTES = 64 << 20;

  private final HttpClient http;
  private final Network network;
  private final URI base;
  private final String token;
  private final Duration timeout;

  public RequestLog(HttpClient http, URI base, String token, Duration timeout) {
    this(http, Network.DIRECT, base, token, timeout);
  }

  /**
   * @param http a client {@code network} built
   */
  public RequestLog(HttpClient http, Network network, URI base, String token, Duration timeout) {
    this.http = http;
    this.network = network;
    this.base = base;
    this.token = token;
    this.timeout = timeout;
  }

  /**
   * The logged requests carrying any of these keys, reading pages until the log is older than
   * {@code since} (nothing older can be one of them) or every key has a logged success.
   */
  public Map<String, List<Logged>> find(Set<String> keys, Instant since)
      throws Unreadable, InterruptedException {
    return find(keys, since, (pages, requests, keysFound) -> {});
  }

  /** Told after each page: a log read back a month can take many pages. */
  public interface Progress {
    void page(int pagesRead, int requestsRead, int keysFound);
  }

  /** As {@link #find(Set, Instant)}, telling {@code progress} after each page. */
  public Map<String, List<Logged>> find(Set<String> keys, Instant since, Progress progress)
      throws Unreadable, InterruptedException {
    Map<String, List<Logged>> found = new HashMap<>();
    int requests = 0;
    Set<URI> seen = new HashSet<>();
    // $last pages back from the newest; $first would page forward from the oldest.
    URI next = URI.create(base + "/api/v2/graph/requests?$last=" + PAGE);
    for (int page = 0; next != null && page < MAX_PAGES && seen.add(next); page++) {
      JsonObject body = get(next);
      boolean older = false;
      JsonElement data = body.get("$data");
      if (data == null || !data.isJsonArray()) {
        throw new Unreadable(200, "the request log answer has no $data list", false);
      }
      for (JsonElement e : data.getAsJsonArray()) {
        requests++;
        Logged logged;
        try {
          logged = parse(e);
        } catch (RuntimeException bad) {
          // A record with a field of the wrong kind: it may be the key's, so it is not skipped.
          throw new Unreadable(
              200, "the request log holds a record that cannot be read (" + bad + ")", false);
        }
        if (logged == null) {
          continue;
        }
        if (logged.date() != null && logged.date().isBefore(since)) {
          older = true;
        }
        if (logged.key() != null && keys.contains(logged.key())) {
          found.computeIfAbsent(logged.key(), k -> new ArrayList<>()).add(logged);
        }
      }
      progress.page(page + 1, requests, found.size());
      // A logged success settles a key whatever older pages hold; anything else might be
      // outdone by an older record (a later token refusal above the first request's 200).
      if (older || keys.stream().allMatch(k -> succeeded(found.get(k)))) {
        break;
      }
      next = nextPage(body);
    }
    return found;
  }

  private static boolean succeeded(List<Logged> logged) {
    return logged != null
        && logged.stream()
            .anyMatch(
                l ->
                    "POST".equalsIgnoreCase(l.method())
                        && Answer.of(l.status(), Envelope.EMPTY) == Answer.DONE);
  }

  private URI nextPage(JsonObject body) throws Unreadable {
    JsonElement next = body.get("$next");
    if (next == null || next.isJsonNull()) {
      return null;
    }
    // An answer arrived but cannot be followed: a server fault (exit 5), not a lost answer (6).
    String text = next.isJsonPrimitive() ? next.getAsString() : next.toString();
    URI uri;
    try {
      uri = URI.create(text);
      if (!uri.isAbsolute()) {
        uri = base.resolve(uri);
      }
    } catch (IllegalArgumentException e) {
      throw new Unreadable(
          200, "the request log's next page is not a URL (" + quoted(text) + ")", false);
    }
    // The token follows $next only on the base URL's own origin; a host java.net.URI cannot
    // parse (an underscore in it) is no origin at all.
    if (uri.getHost() == null || uri.getScheme() == null || !Destination.sameOrigin(uri, base)) {
      throw new Unreadable(
          200,
          "the request log's next page is not on "
              + Destination.origin(base)
              + " ("
              + quoted(text)
              + "); not following it with the token",
          false);
    }
    return uri;
  }

  /** At most 200 characters of what a server sent, for a message. */
  private static String quoted(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }

  private JsonObject get(URI uri) throws Unreadable, InterruptedException {
    HttpRequest request =
        network
            .request(uri)
            .timeout(timeout)
            .GET()
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json")
            .build();
    HttpResponse<CappedBody.Kept> response;
    try {
      response = http.send(request, info -> new CappedBody(MAX_PAGE_BYTES));
    } catch (IOException e) {
      NetFailure failure = network.failure(e, uri);
      String why =
          failure != null
              ? failure.text()
              : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new Unreadable(0, "no answer from " + base + " (" + why + ")", false);
    }
    CappedBody.Kept kept = response.body();
    if (kept == null) {
      // The proxy's answer to the CONNECT: the tunnel was not opened.
      ProxyUrl proxy = network.proxyFor(uri).orElseThrow();
      throw new Unreadable(
          0,
          "no answer from "
              + base
              + " ("
              + NetFailure.tunnelRefused(response.statusCode(), proxy, uri).text()
              + ")",
          false);
    }
    if (kept.length() > kept.bytes().length) {
      throw new Unreadable(
          response.statusCode(),
          "a page of the request log is longer than " + (MAX_PAGE_BYTES >> 20) + " MiB",
          false);
    }
    String text = new String(kept.bytes(), StandardCharsets.UTF_8);
    Envelope envelope = Envelope.of(kept.bytes());
    if (response.statusCode() / 100 != 2) {
      throw new Unreadable(
          response.statusCode(),
          "Edlink answered "
              + response.statusCode()
              + (envelope.errors().isEmpty() ? "" : " " + envelope.errorLine()),
          Answer.of(response.statusCode(), envelope) == Answer.TOKEN_REFUSED,
          envelope.errors().stream().anyMatch(e -> QUERY_CODES.contains(e.code())));
    }
    try {
      JsonElement parsed = JsonParser.parseString(text);
      if (parsed.isJsonObject()) {
        return parsed.getAsJsonObject();
      }
    } catch (JsonParseException e) {
      // reported below
    }
    throw new Unreadable(
        response.statusCode(), "the request log answer is not a JSON object", false);
  }

  private static Logged parse(JsonElement e) {
    if (!e.isJsonObject()) {
      return null;
    }
    JsonObject o = e.getAsJsonObject();
    String key = text(o, "idempotency_key");
    Instant date = null;
    try {
      String d = text(o, "date");
      date = d == null ? null : Instant.parse(d);
    } catch (DateTimeParseException ignored) {
      // an undated record is still matched by key
    }
    int status =
        o.has("status") && o.get("status").isJsonPrimitive() ? o.get("status").getAsInt() : 0;
    JsonElement output = o.get("output");
    return new Logged(
        key,
        date,
        text(o, "method"),
        text(o, "path"),
        status,
        text(o, "id"),
        output == null || output.isJsonNull() ? null : output.toString());
  }

  private static String text(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonPrimitive()) {
      throw new IllegalArgumentException(name + " is not a string");
    }
    return e.getAsString();
  }
}
