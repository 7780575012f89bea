package dev.edlinkidem.edlink;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What Edlink says around the data: {@code $request}, {@code $errors} and {@code $warnings}. */
public record Envelope(String requestId, List<Notice> errors, List<Notice> warnings) {
  /** One error or warning: its code and its text ({@code message} or {@code description}). */
  public record Notice(String code, String message) {
    /** The warning of an answer Edlink gave again for a key it had seen within its 30 days. */
    public static final String KEY_REPEATED = "IDEMPOTENCY_KEY_REPEATED";

    /**
     * Whether this is Edlink saying it answered from its memory of the key: the first request's
     * response, the request not done again. Not a problem: what the key is for.
     */
    public boolean isKeyRepeated() {
      return KEY_REPEATED.equals(code);
    }

    @Override
    public String toString() {
      return message == null || message.isEmpty() ? code : code + ": " + message;
    }
  }

  public static final Envelope EMPTY = new Envelope(null, List.of(), List.of());

  /** Reads the envelope of a body; a body that is not a JSON object has an empty one. */
  public static Envelope of(byte[] body) {
    JsonElement parsed;
    try {
      parsed = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
    } catch (JsonParseException e) {
      return EMPTY;
    }
    if (!parsed.isJsonObject()) {
      return EMPTY;
    }
    JsonObject o = parsed.getAsJsonObject();
    String id =
        o.has("$request") && o.get("$request").isJsonPrimitive()
            ? o.get("$request").getAsString()
            : null;
    return new Envelope(id, notices(o, "$errors"), notices(o, "$warnings"));
  }

  private static List<Notice> notices(JsonObject o, String field) {
    List<Notice> out = new ArrayList<>();
    if (o.has(field) && o.get(field).isJsonArray()) {
      for (JsonElement e : o.getAsJsonArray(field)) {
        if (e.isJsonObject()) {
          JsonObject n = e.getAsJsonObject();
          // Edlink's error list writes "message"; its warnings guide's sample, "description".
          String message = text(n, "message");
          out.add(
              new Notice(text(n, "code"), message.isEmpty() ? text(n, "description") : message));
        }
      }
    }
    return out;
  }

  private static String text(JsonObject o, String name) {
    return o.has(name) && o.get(name).isJsonPrimitive() ? o.get(name).getAsString() : "";
  }

  /** The errors as one line, for stderr. */
  public String errorLine() {
    return String.join("; ", errors.stream().map(Notice::toString).toList());
  }
}
