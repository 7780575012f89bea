package dev.edlinkidem.batch;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.edlinkidem.edlink.JsonText;
import dev.edlinkidem.request.CanonicalJson;
import dev.edlinkidem.request.CanonicalUrl;
import dev.edlinkidem.request.IdempotencyKey;
import dev.edlinkidem.request.InvalidRequestException;
import dev.edlinkidem.request.JournaledRequest;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A batch file: one request per line as a JSON object, {@code {"path": "...", "body": {...}, "key":
 * "optional"}}. Blank lines are skipped; a line that cannot be sent is handed back as {@link
 * Malformed} with its number and the reason, and the lines after it are still read.
 */
public final class BatchFile implements AutoCloseable {
  /** Edlink's limit on a request, plus room for the line's own path and key. */
  static final int MAX_LINE_BYTES = 32 * 1024 * 1024 + 64 * 1024;

  private static final Set<String> MEMBERS = Set.of("path", "body", "key");

  /** What one line of the file is. */
  public sealed interface Line {
    int number();
  }

  /**
   * A line to send.
   *
   * @param body the canonical bytes of the line's body ({@link CanonicalJson}); empty when it has
   *     none
   * @param key the key the line names, or null when one is to be derived
   */
  public record Request(int number, String path, byte[] body, String key) implements Line {
    /**
     * The key of a line that names none: the fingerprint of the request it sends, to the {@link
     * CanonicalUrl canonical URL} (the hex SHA-256 of the method, that URL and the canonical body),
     * so that the same line sent again, from a re-run job, however its base URL is spelled, has the
     * same key.
     */
    public static String derivedKey(String url, byte[] body) {
      return JournaledRequest.post(CanonicalUrl.of(url), body).fingerprint();
    }

    /** The line's key when it goes to {@code url}: the one it names, else the derived one. */
    public String keyFor(String url) {
      return key != null ? key : derivedKey(url, body);
    }
  }

  /** A line that cannot be sent. */
  public record Malformed(int number, String reason) implements Line {}

  private final InputStream in;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private int number;
  private boolean ended;

  public BatchFile(InputStream in) {
    this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 64 * 1024);
  }

  /** Lines read so far, blank ones included. */
  public int linesRead() {
    return number;
  }

  /** The next line that is not blank, or null at the end of the file. */
  public Line next() throws IOException {
    while (!ended) {
      number++;
      boolean tooLong = readLine();
      if (tooLong) {
        return new Malformed(
            number,
            "the line is longer than "
                + MAX_LINE_BYTES / (1024 * 1024)
                + " MiB; Edlink refuses requests over 32 MB");
      }
      String text;
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(buffer.toByteArray()))
                .toString();
      } catch (CharacterCodingException e) {
        return new Malformed(number, "the line is not UTF-8 text");
      }
      if (!text.isBlank()) {
        return parse(number, text);
      }
    }
    return null;
  }

  /**
   * Reads up to the next newline into the buffer, without it; returns whether the line had to be
   * cut.
   */
  private boolean readLine() throws IOException {
    buffer.reset();
    boolean tooLong = false;
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (buffer.size() < MAX_LINE_BYTES) {
        buffer.write(b);
      } else {
        tooLong = true;
      }
    }
    if (b == -1) {
      ended = true;
    }
    return tooLong;
  }

  /** Understands one line's text: a JSON object with a path, perhaps a body, perhaps a key. */
  static Line parse(int number, String text) {
    JsonElement parsed;
    JsonReader reader = new JsonReader(new StringReader(text));
    reader.setStrictness(Strictness.STRICT);
    try {
      parsed = JsonParser.parseReader(reader);
    } catch (JsonParseException e) {
      return new Malformed(
          number,
          "not valid JSON: "
              + JsonText.whyInvalid(e.getCause() instanceof IOException io ? io : e));
    }
    try {
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        return new Malformed(number, "more than one JSON value on the line");
      }
    } catch (IOException | IllegalStateException e) {
      return new Malformed(number, "more than one JSON value on the line");
    }
    if (!parsed.isJsonObject()) {
      return new Malformed(
          number,
          "not a JSON object: a line is {\"path\": \"...\", \"body\": {...}, \"key\":"
              + " \"optional\"}");
    }
    JsonObject line = parsed.getAsJsonObject();
    for (String name : line.keySet()) {
      if (!MEMBERS.contains(name)) {
        return new Malformed(
            number, "unknown member \"" + name + "\"; a line has \"path\", \"body\" and \"key\"");
      }
    }
    JsonElement path = line.get("path");
    if (path == null
        || !path.isJsonPrimitive()
        || !path.getAsJsonPrimitive().isString()
        || path.getAsString().isEmpty()) {
      return new Malformed(
          number, "\"path\" must be a string such as /api/v2/graph/classes/ID/assignments");
    }
    String key = null;
    JsonElement keyMember = line.get("key");
    if (keyMember != null && !keyMember.isJsonNull()) {
      if (!keyMember.isJsonPrimitive() || !keyMember.getAsJsonPrimitive().isString()) {
        return new Malformed(number, "\"key\" must be a string");
      }
      try {
        key = IdempotencyKey.check(keyMember.getAsString());
      } catch (InvalidRequestException e) {
        return new Malformed(number, "invalid key: " + e.getMessage());
      }
    }
    String lone = CanonicalJson.loneSurrogate(line);
    if (lone != null) {
      // Replaced on the way to UTF-8, it would make distinct lines one request and one key.
      return new Malformed(
          number,
          "a string holds a lone UTF-16 surrogate ("
              + lone
              + "), half of a character (an emoji cut in two?), which cannot be sent as UTF-8");
    }
    JsonElement body = line.get("body");
    if (body != null && body.isJsonNull()) {
      return new Malformed(number, "\"body\" is null; leave it out to send no body");
    }
    byte[] bytes = body == null ? new byte[0] : CanonicalJson.bytes(body);
    return new Request(number, path.getAsString(), bytes, key);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
