package dev.edlinkidem.journal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.edlinkidem.request.IdempotencyKey;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The stable JSON shapes of entries for scripts (docs/output-formats.md): the whole entry, as
 * {@code show --format json} and {@code list --format json|jsonl} print it and {@code journal
 * merge} reads it back, and the summary that {@code list} and {@code expiring} use.
 */
public final class EntryJson {
  private EntryJson() {}

  /** The whole entry: request, attempts and response. */
  public static JsonObject full(Entry e, Instant now) {
    JsonObject o = head(EntrySummary.of(e), now);
    JsonObject request = new JsonObject();
    request.addProperty("method", e.request().method());
    request.addProperty("url", e.request().url());
    request.addProperty("fingerprint", e.fingerprint());
    JsonObject headers = new JsonObject();
    e.request().headers().forEach(headers::addProperty);
    request.add("headers", headers);
    putBody(request, e.request().body());
    o.add("request", request);
    JsonArray attempts = new JsonArray();
    for (Attempt a : e.attempts()) {
      JsonObject j = new JsonObject();
      j.addProperty("n", a.number());
      j.addProperty("at", a.at().toString());
      j.addProperty("duration_ms", a.duration().toMillis());
      j.addProperty("result", a.result().label());
      j.add("status", a.status() == 0 ? JsonNull.INSTANCE : new JsonPrimitive(a.status()));
      j.add("error", a.error() == null ? JsonNull.INSTANCE : new JsonPrimitive(a.error()));
      j.add(
          "request_id",
          a.requestId() == null ? JsonNull.INSTANCE : new JsonPrimitive(a.requestId()));
      if (a.edlinkDate() != null) {
        j.addProperty("edlink_date", a.edlinkDate().toString());
      }
      attempts.add(j);
    }
    o.add("attempt_log", attempts);
    if (e.outcome() == null) {
      o.add("response", JsonNull.INSTANCE);
    } else {
      RecordedResponse r = e.outcome().response();
      JsonObject response = new JsonObject();
      response.addProperty("status", r.status());
      response.addProperty("at", e.outcome().at().toString());
      response.addProperty("via", e.outcome().via());
      response.add("headers", headers(r.headers()));
      putBody(response, r.body());
      if (r.truncated()) {
        response.addProperty("body_length", r.length());
      }
      o.add("response", response);
    }
    return o;
  }

  /** Response headers as an object: each name with the list of its values. */
  public static JsonObject headers(Map<String, List<String>> headers) {
    JsonObject o = new JsonObject();
    headers.forEach(
        (name, values) -> {
          JsonArray array = new JsonArray();
          values.forEach(array::add);
          o.add(name, array);
        });
    return o;
  }

  /** The summary fields, the first members of the full shape too. */
  public static JsonObject head(EntrySummary s, Instant now) {
    JsonObject o = new JsonObject();
    o.addProperty("key", s.key());
    o.addProperty("state", s.state().label());
    o.addProperty("expired", s.window().hasEnded(now));
    o.add("status", s.status() == 0 ? JsonNull.INSTANCE : new JsonPrimitive(s.status()));
    o.addProperty("attempts", s.attempts());
    o.addProperty("created", s.created().toString());
    o.addProperty("window_ends", s.window().end().toString());
    o.addProperty("replay_until", s.window().replayDeadline().toString());
    o.addProperty("method", s.method());
    o.addProperty("path", pathOf(s.url()));
    return o;
  }

  public static String pathOf(String url) {
    try {
      URI uri = URI.create(url);
      return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    } catch (IllegalArgumentException e) {
      return url;
    }
  }

  private static void putBody(JsonObject o, byte[] body) {
    String text = Utf8.decode(body);
    if (text != null) {
      o.addProperty("body", text);
    } else {
      o.add("body", JsonNull.INSTANCE);
      o.addProperty("body_base64", Base64.getEncoder().encodeToString(body));
    }
  }

  /**
   * Reads an entry back from its full shape; throws IllegalArgumentException naming what is wrong.
   */
  public static Entry parse(String line) {
    JsonObject o;
    try {
      JsonElement parsed = JsonParser.parseString(line);
      if (!parsed.isJsonObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      o = parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("not JSON");
    }
    try {
      String key = o.get("key").getAsString();
      try {
        IdempotencyKey.check(key);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid key '" + key + "': " + e.getMessage());
      }
      JsonObject request = o.getAsJsonObject("request");
      if (request == null) {
        throw new IllegalArgumentException(
            "no \"request\": export whole entries with list --format jsonl");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      request
          .getAsJsonObject("headers")
          .entrySet()
          .forEach(h -> headers.put(h.getKey(), h.getValue().getAsString()));
      JournaledRequest req =
          new JournaledRequest(
              request.get("method").getAsString(),
              request.get("url").getAsString(),
              headers,
              body(request));
      if (!req.fingerprint().equals(request.get("fingerprint").getAsString())) {
        throw new IllegalArgumentException("the request does not match its fingerprint (edited?)");
      }
      List<Attempt> attempts = new ArrayList<>();
      for (JsonElement el : o.getAsJsonArray("attempt_log")) {
        JsonObject a = el.getAsJsonObject();
        attempts.add(
            new Attempt(
                a.get("n").getAsInt(),
                Instant.parse(a.get("at").getAsString()),
                Duration.ofMillis(a.get("duration_ms").getAsLong()),
                Attempt.Result.valueOf(a.get("result").getAsString().toUpperCase(Locale.ROOT)),
                nullable(a, "status") == null ? 0 : a.get("status").getAsInt(),
                nullable(a, "error") == null ? null : a.get("error").getAsString(),
                nullable(a, "request_id") == null ? null : a.get("request_id").getAsString(),
                nullable(a, "edlink_date") == null
                    ? null
                    : Instant.parse(a.get("edlink_date").getAsString())));
      }
      Outcome outcome = null;
      JsonElement response = nullable(o, "response");
      if (response != null) {
        JsonObject r = response.getAsJsonObject();
        Map<String, List<String>> rh = new LinkedHashMap<>();
        r.getAsJsonObject("headers")
            .entrySet()
            .forEach(
                h -> {
                  List<String> values = new ArrayList<>();
                  h.getValue().getAsJsonArray().forEach(v -> values.add(v.getAsString()));
                  rh.put(h.getKey(), values);
                });
        int status = r.get("status").getAsInt();
        outcome =
            new Outcome(
                status >= 200 && status < 300 ? EntryState.SUCCEEDED : EntryState.FAILED,
                Instant.parse(r.get("at").getAsString()),
                response(status, rh, body(r), nullable(r, "body_length")),
                r.get("via").getAsString());
      }
      return new Entry(
          key,
          Instant.parse(o.get("created").getAsString()),
          req,
          req.fingerprint(),
          attempts,
          outcome);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "a field is missing or malformed ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + ")");
    }
  }

  private static JsonElement nullable(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e == null || e.isJsonNull() ? null : e;
  }

  private static RecordedResponse response(
      int status, Map<String, List<String>> headers, byte[] body, JsonElement length) {
    return new RecordedResponse(
        status,
        headers,
        body,
        length == null ? body.length : Math.max(body.length, length.getAsLong()));
  }

  private static byte[] body(JsonObject o) {
    if (nullable(o, "body_base64") != null) {
      return Base64.getDecoder().decode(o.get("body_base64").getAsString());
    }
    JsonElement body = nullable(o, "body");
    return body == null ? new byte[0] : body.getAsString().getBytes(StandardCharsets.UTF_8);
  }
}
