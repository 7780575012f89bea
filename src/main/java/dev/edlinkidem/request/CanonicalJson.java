package dev.edlinkidem.request;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * One spelling for each JSON value: members sorted by name at every depth, no spaces, numbers as
 * written. A batch line sends these bytes and derives its key from them, so a file that is
 * re-indented or has its members reordered still names the same requests.
 */
public final class CanonicalJson {
  private static final Gson COMPACT =
      new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

  private CanonicalJson() {}

  /**
   * The value's canonical bytes.
   *
   * @throws IllegalArgumentException when a string in it (a member name included) holds half of a
   *     character, a lone UTF-16 surrogate that UTF-8 cannot carry: it would otherwise be replaced,
   *     and two different values would share bytes and a key
   */
  public static byte[] bytes(JsonElement value) {
    String json = COMPACT.toJson(sorted(value));
    try {
      // Strict where getBytes would write '?': the same encoding pass, refusing instead.
      ByteBuffer b = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(json));
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      return bytes;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "a string in it holds a lone UTF-16 surrogate, half of a character, which UTF-8 cannot"
              + " carry");
    }
  }

  /**
   * The first lone surrogate in any string of the value, as a JSON escape (backslash, u, hex), or
   * null.
   */
  public static String loneSurrogate(JsonElement value) {
    if (value.isJsonObject()) {
      for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
        String lone = loneSurrogate(m.getKey());
        if (lone == null) {
          lone = loneSurrogate(m.getValue());
        }
        if (lone != null) {
          return lone;
        }
      }
      return null;
    }
    if (value.isJsonArray()) {
      for (JsonElement item : value.getAsJsonArray()) {
        String lone = loneSurrogate(item);
        if (lone != null) {
          return lone;
        }
      }
      return null;
    }
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
      return loneSurrogate(value.getAsString());
    }
    return null;
  }

  private static String loneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return String.format("\\u%04x", (int) c);
      }
    }
    return null;
  }

  private static JsonElement sorted(JsonElement value) {
    if (value.isJsonObject()) {
      Map<String, JsonElement> members = new TreeMap<>();
      value.getAsJsonObject().entrySet().forEach(m -> members.put(m.getKey(), m.getValue()));
      JsonObject copy = new JsonObject();
      members.forEach((name, member) -> copy.add(name, sorted(member)));
      return copy;
    }
    if (value.isJsonArray()) {
      JsonArray copy = new JsonArray();
      value.getAsJsonArray().forEach(item -> copy.add(sorted(item)));
      return copy;
    }
    return value;
  }
}
