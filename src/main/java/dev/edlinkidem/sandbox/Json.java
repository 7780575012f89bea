package dev.edlinkidem.sandbox;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/** Strict JSON in, compact JSON out (nulls kept: the request log says {@code "input": null}). */
final class Json {
  private static final Gson GSON =
      new GsonBuilder()
          .serializeNulls()
          .disableHtmlEscaping()
          .setStrictness(Strictness.STRICT)
          .create();

  private Json() {}

  /**
   * The JSON in {@code text}, or null for a blank text; anything but exactly one strict JSON value
   * fails.
   */
  static JsonElement parse(String text) throws JsonParseException {
    if (text.isBlank()) {
      return null;
    }
    try {
      JsonReader reader = new JsonReader(new StringReader(text));
      reader.setStrictness(Strictness.STRICT);
      JsonElement value = GSON.fromJson(reader, JsonElement.class);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new JsonParseException("text after the end of the JSON value");
      }
      return value;
    } catch (IOException e) {
      throw new JsonParseException(e.getMessage(), e);
    }
  }

  static String write(JsonElement value) {
    return GSON.toJson(value);
  }

  static byte[] bytes(JsonElement value) {
    return write(value).getBytes(StandardCharsets.UTF_8);
  }
}
