package dev.edlinkidem.cli.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Objects;

/**
 * The value a field holds before parsing, written to the file so that a run need not read it: on
 * JDK 25 the first read of each field by reflection makes method handles, a few milliseconds of a
 * cold command. Values other than null, booleans, whole numbers, strings, enum constants and an
 * empty list are not written; a run reads those from the field.
 */
final class InitialValue {
  private InitialValue() {}

  /** {@code value} as the file holds it, or null when it cannot hold it. */
  static JsonElement written(Object value, Class<?> fieldType) {
    JsonElement written = write(value);
    return written != null && Objects.equals(read(fieldType, written), value) ? written : null;
  }

  private static JsonElement write(Object value) {
    if (value == null) {
      return JsonNull.INSTANCE;
    }
    if (value instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    if (value instanceof Integer || value instanceof Long) {
      return new JsonPrimitive((Number) value);
    }
    if (value instanceof String s) {
      return new JsonPrimitive(s);
    }
    if (value instanceof Enum<?> e) {
      return new JsonPrimitive(e.name());
    }
    if (value instanceof ArrayList<?> list && list.isEmpty()) {
      return new JsonArray();
    }
    return null;
  }

  /** The value the file holds for a field of type {@code type}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Object read(Class<?> type, JsonElement value) {
    if (value.isJsonNull()) {
      return null;
    }
    if (value.isJsonArray()) {
      return new ArrayList<>();
    }
    if (type == boolean.class || type == Boolean.class) {
      return value.getAsBoolean();
    }
    if (type == int.class || type == Integer.class) {
      return value.getAsInt();
    }
    if (type == long.class || type == Long.class) {
      return value.getAsLong();
    }
    if (type.isEnum()) {
      return Enum.valueOf((Class<? extends Enum>) type, value.getAsString());
    }
    return value.getAsString();
  }
}
