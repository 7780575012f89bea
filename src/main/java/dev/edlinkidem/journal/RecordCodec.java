package dev.edlinkidem.journal;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * Turns journal records into lines and back. A line is one JSON object whose last member is {@code
 * "crc"}: the CRC-32C of every byte before {@code ,"crc":}, so that a torn or edited record is told
 * apart from a good one. See docs/journal-format.md.
 */
final class RecordCodec {
  /** The version this code writes; it reads this one and every one before it. */
  static final int VERSION = 2;

  private static final int OLDEST = 1;
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
  private static final byte[] CRC_HEAD = ",\"crc\":\"".getBytes(StandardCharsets.US_ASCII);

  /** {@code ,"crc":"} + 8 hex digits + {@code "}}. */
  private static final int CRC_SUFFIX = CRC_HEAD.length + 8 + 2;

  private RecordCodec() {}

  /** A record that cannot be used, and why. */
  static final class BadRecord extends Exception {
    private static final long serialVersionUID = 1L;

    BadRecord(String reason) {
      super(reason);
    }
  }

  static JsonObject begin(String key, Instant at, JournaledRequest request) {
    JsonObject o = head("begin", key, at);
    o.addProperty("method", request.method());
    o.addProperty("url", request.url());
    o.addProperty("fingerprint", request.fingerprint());
    JsonObject headers = new JsonObject();
    request.headers().forEach(headers::addProperty);
    o.add("headers", headers);
    putBody(o, request.body());
    return o;
  }

  static JsonObject attempt(String key, Attempt a) {
    JsonObject o = head("attempt", key, a.at());
    o.addProperty("n", a.number());
    o.addProperty("duration_ms", a.duration().toMillis());
    o.addProperty("result", a.result().label());
    if (a.status() != 0) {
      o.addProperty("status", a.status());
    }
    if (a.error() != null) {
      o.addProperty("error", a.error());
    }
    if (a.requestId() != null) {
      o.addProperty("request_id", a.requestId());
    }
    if (a.edlinkDate() != null) {
      o.addProperty("edlink_date", a.edlinkDate().toString());
    }
    return o;
  }

  static JsonObject outcome(String key, Outcome out) {
    JsonObject o = head("outcome", key, out.at());
    o.addProperty("state", out.state().label());
    o.addProperty("via", out.via());
    o.addProperty("status", out.response().status());
    JsonObject headers = new JsonObject();
    out.response()
        .headers()
        .forEach(
            (name, values) -> {
              JsonArray array = new JsonArray();
              values.forEach(array::add);
              headers.add(name, array);
            });
    o.add("headers", headers);
    putBody(o, out.response().body());
    if (out.response().truncated()) {
      o.addProperty("body_length", out.response().length());
    }
    return o;
  }

  /** Every record of an entry, in order, as the content of its file. */
  static byte[] encodeEntry(Entry e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    encodeEntry(e, out);
    return out.toByteArray();
  }

  /** Every record of an entry, in order, as lines. */
  static void encodeEntry(Entry e, ByteArrayOutputStream out) {
    out.writeBytes(encode(begin(e.key(), e.created(), e.request())));
    for (Attempt a : e.attempts()) {
      out.writeBytes(encode(attempt(e.key(), a)));
    }
    if (e.outcome() != null) {
      out.writeBytes(encode(outcome(e.key(), e.outcome())));
    }
  }

  private static JsonObject head(String type, String key, Instant at) {
    JsonObject o = new JsonObject();
    o.addProperty("v", VERSION);
    o.addProperty("type", type);
    o.addProperty("key", key);
    o.addProperty("at", at.toString());
    return o;
  }

  /** Text bodies stay readable; anything that is not UTF-8 is kept exactly, in base64. */
  private static void putBody(JsonObject o, byte[] body) {
    String text = Utf8.decode(body);
    if (text != null) {
      o.addProperty("body", text);
    } else {
      o.addProperty("body_base64", Base64.getEncoder().encodeToString(body));
    }
  }

  /** One line, newline included. */
  static byte[] encode(JsonObject record) {
    byte[] json = GSON.toJson(record).getBytes(StandardCharsets.UTF_8);
    int prefix = json.length - 1; // everything but the closing brace
    CRC32C crc = new CRC32C();
    crc.update(json, 0, prefix);
    byte[] tail =
        (new String(CRC_HEAD, StandardCharsets.US_ASCII) + crcHex(crc) + "\"}\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] line = new byte[prefix + tail.length];
    System.arraycopy(json, 0, line, 0, prefix);
    System.arraycopy(tail, 0, line, prefix, tail.length);
    return line;
  }

  /**
   * A checksum as its eight lower-case hex digits; not String.format, whose parsing of the pattern
   * was a visible part of a batch's work per record.
   */
  static String crcHex(CRC32C crc) {
    return HEX.toHexDigits((int) crc.getValue());
  }

  private static final HexFormat HEX = HexFormat.of();

  /** Checks a line (without its newline) and parses it. */
  static JsonObject decode(byte[] buf, int from, int to) throws BadRecord {
    int length = to - from;
    if (length < CRC_SUFFIX + 2) {
      throw new BadRecord("too short to be a record");
    }
    int crcAt = to - CRC_SUFFIX;
    for (int i = 0; i < CRC_HEAD.length; i++) {
      if (buf[crcAt + i] != CRC_HEAD[i]) {
        throw new BadRecord("no checksum at the end (torn or edited record)");
      }
    }
    String hex = new String(buf, crcAt + CRC_HEAD.length, 8, StandardCharsets.US_ASCII);
    CRC32C crc = new CRC32C();
    crc.update(buf, from, crcAt - from);
    if (!crcHex(crc).equals(hex)) {
      throw new BadRecord("checksum mismatch (corrupt or edited record)");
    }
    String text = Utf8.decode(Arrays.copyOfRange(buf, from, to));
    if (text == null) {
      throw new BadRecord("not UTF-8");
    }
    JsonElement parsed;
    try {
      parsed = JsonParser.parseString(text);
    } catch (JsonParseException e) {
      throw new BadRecord("not JSON");
    }
    if (!parsed.isJsonObject()) {
      throw new BadRecord("not a JSON object");
    }
    JsonObject o = parsed.getAsJsonObject();
    JsonElement v = o.get("v");
    if (v == null
        || !v.isJsonPrimitive()
        || !v.getAsJsonPrimitive().isNumber()
        || v.getAsDouble() < OLDEST
        || v.getAsDouble() > VERSION
        || v.getAsDouble() != Math.rint(v.getAsDouble())) {
      throw new BadRecord(
          "format version "
              + v
              + " is not one this edlink-idem reads (it reads "
              + OLDEST
              + " to "
              + VERSION
              + ")");
    }
    return o;
  }

  /**
   * What a file of records folds into: its entries in the order they began, the lines that could
   * not be used (with why), and those lines as they were, so that a rewrite can keep them aside.
   */
  record Folded(Map<String, Entry> entries, List<Problem> problems, List<byte[]> unreadable) {}

  /**
   * Folds every line of a file. A line that cannot be used (torn, corrupt, another version, a
   * record whose key does not belong in this file) is reported and skipped, never fatal.
   */
  static Folded foldFile(byte[] bytes, String file, Predicate<String> belongs) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    List<Problem> problems = new ArrayList<>();
    List<byte[]> unreadable = new ArrayList<>();
    int line = 0;
    int start = 0;
    while (start < bytes.length) {
      line++;
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      // A last line that lacks only its newline is whole (its checksum says so) and is read: the
      // next append ends the line first, and would otherwise bring back a record once ignored.
      boolean torn = end == bytes.length;
      if (end > start) {
        JsonObject o = null;
        try {
          o = decode(bytes, start, end);
          JsonElement key = o.get("key");
          if (key != null && key.isJsonPrimitive() && !belongs.test(key.getAsString())) {
            throw new BadRecord("a record of key " + key.getAsString() + " in another key's file");
          }
          fold(o, entries);
        } catch (BadRecord e) {
          String why = torn && o == null ? Problem.TORN : e.getMessage() + ": skipped";
          problems.add(new Problem(file, line, start, why));
          unreadable.add(Arrays.copyOfRange(bytes, start, end));
        }
      }
      start = end + 1;
    }
    return new Folded(entries, List.copyOf(problems), List.copyOf(unreadable));
  }

  /** Folds one decoded record into the entries seen so far. */
  static void fold(JsonObject o, Map<String, Entry> entries) throws BadRecord {
    try {
      String type = o.get("type").getAsString();
      String key = o.get("key").getAsString();
      Instant at = Instant.parse(o.get("at").getAsString());
      Entry entry = entries.get(key);
      switch (type) {
        case "begin" -> {
          if (entry != null) {
            throw new BadRecord("a second begin record for key " + key);
          }
          Map<String, String> headers = new LinkedHashMap<>();
          o.getAsJsonObject("headers")
              .entrySet()
              .forEach(h -> headers.put(h.getKey(), h.getValue().getAsString()));
          JournaledRequest request =
              new JournaledRequest(
                  o.get("method").getAsString(), o.get("url").getAsString(), headers, body(o));
          // The fingerprint is derived from the request, never trusted from the record: an edited
          // URL with the old fingerprint would otherwise pass for the request a post asks for.
          String fingerprint = request.fingerprint();
          if (!fingerprint.equals(o.get("fingerprint").getAsString())) {
            throw new BadRecord("its fingerprint does not match its request (edited?)");
          }
          entries.put(key, new Entry(key, at, request, fingerprint, List.of(), null));
        }
        case "attempt" -> {
          requireBegun(entry, key);
          entries.put(
              key,
              entry.withAttempt(
                  new Attempt(
                      o.get("n").getAsInt(),
                      at,
                      Duration.ofMillis(o.get("duration_ms").getAsLong()),
                      Attempt.Result.valueOf(
                          o.get("result").getAsString().toUpperCase(Locale.ROOT)),
                      o.has("status") ? o.get("status").getAsInt() : 0,
                      o.has("error") ? o.get("error").getAsString() : null,
                      o.has("request_id") ? o.get("request_id").getAsString() : null,
                      o.has("edlink_date")
                          ? Instant.parse(o.get("edlink_date").getAsString())
                          : null)));
        }
        case "outcome" -> {
          requireBegun(entry, key);
          Map<String, List<String>> headers = new LinkedHashMap<>();
          o.getAsJsonObject("headers")
              .entrySet()
              .forEach(
                  h -> {
                    List<String> values = new ArrayList<>();
                    h.getValue().getAsJsonArray().forEach(v -> values.add(v.getAsString()));
                    headers.put(h.getKey(), values);
                  });
          byte[] body = body(o);
          RecordedResponse response =
              new RecordedResponse(
                  o.get("status").getAsInt(),
                  headers,
                  body,
                  o.has("body_length")
                      ? Math.max(body.length, o.get("body_length").getAsLong())
                      : body.length);
          entries.put(
              key,
              entry.withOutcome(
                  new Outcome(
                      EntryState.fromLabel(o.get("state").getAsString()),
                      at,
                      response,
                      o.get("via").getAsString())));
        }
        default -> throw new BadRecord("unknown record type '" + type + "'");
      }
    } catch (RuntimeException e) {
      throw new BadRecord("missing or malformed field (" + e.getMessage() + ")");
    }
  }

  private static void requireBegun(Entry entry, String key) throws BadRecord {
    if (entry == null) {
      throw new BadRecord("record for key " + key + " before its begin record");
    }
  }

  private static byte[] body(JsonObject o) {
    if (o.has("body_base64")) {
      return Base64.getDecoder().decode(o.get("body_base64").getAsString());
    }
    return o.get("body").getAsString().getBytes(StandardCharsets.UTF_8);
  }
}
