package dev.edlinkidem.sandbox;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** One answer in Edlink's envelope: a status, a JSON body and any extra headers. */
record Reply(int status, JsonObject body, Map<String, String> headers) {
  Reply {
    body = body.deepCopy();
    headers = Map.copyOf(headers);
  }

  @Override
  public JsonObject body() {
    return body.deepCopy();
  }

  /** {@code {"$data": data, "$request": uuid}} with status 200. */
  static Reply data(JsonElement data) {
    JsonObject body = new JsonObject();
    body.add("$data", data);
    body.addProperty("$request", UUID.randomUUID().toString());
    return new Reply(200, body, Map.of());
  }

  /** A list page: {@code $data} and, when there is a next page, {@code $next}. */
  static Reply list(JsonArray items, String next) {
    JsonObject body = new JsonObject();
    body.add("$data", items);
    if (next != null) {
      body.addProperty("$next", next);
    }
    body.addProperty("$request", UUID.randomUUID().toString());
    return new Reply(200, body, Map.of());
  }

  /** {@code {"$errors": [{"code", "message"}], "$request": uuid}}. */
  static Reply error(int status, String code, String message) {
    JsonObject body = new JsonObject();
    body.add("$errors", notices(code, message));
    body.addProperty("$request", UUID.randomUUID().toString());
    return new Reply(status, body, Map.of());
  }

  /** The same reply with one more entry in {@code $warnings}. */
  Reply withWarning(String code, String message) {
    JsonObject copy = body();
    if (copy.has("$warnings") && copy.get("$warnings").isJsonArray()) {
      copy.getAsJsonArray("$warnings").addAll(notices(code, message));
    } else {
      copy.add("$warnings", notices(code, message));
    }
    return new Reply(status, copy, headers);
  }

  Reply withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new Reply(status, body, more);
  }

  /** The code of the first error, or null for a reply without errors. */
  String errorCode() {
    if (body.has("$errors") && body.get("$errors").isJsonArray()) {
      JsonArray errors = body.getAsJsonArray("$errors");
      if (!errors.isEmpty() && errors.get(0).isJsonObject()) {
        JsonElement code = errors.get(0).getAsJsonObject().get("code");
        return code != null && code.isJsonPrimitive() ? code.getAsString() : null;
      }
    }
    return null;
  }

  private static JsonArray notices(String code, String message) {
    JsonObject notice = new JsonObject();
    notice.addProperty("code", code);
    notice.addProperty("message", message);
    JsonArray list = new JsonArray();
    list.add(notice);
    return list;
  }
}
