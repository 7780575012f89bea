package dev.edlinkidem.request;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
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

  public static byte[] bytes(JsonElement value) {
    return COMPACT.toJson(sorted(value)).getBytes(StandardCharsets.UTF_8);
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
