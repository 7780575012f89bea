package dev.edlinkidem.sandbox;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The records created by POSTs, by collection path, in the order they were created. */
final class RecordStore {
  private final Map<String, List<JsonObject>> collections = new TreeMap<>();

  synchronized void add(String collection, JsonObject record) {
    collections.computeIfAbsent(collection, c -> new ArrayList<>()).add(record.deepCopy());
  }

  synchronized boolean has(String collection) {
    return collections.containsKey(collection);
  }

  /** Up to {@code first} records from position {@code offset}, oldest first. */
  synchronized Page page(String collection, int first, long offset) {
    List<JsonObject> all = collections.getOrDefault(collection, List.of());
    int from = (int) Math.min(offset, all.size());
    int to = Math.min(from + first, all.size());
    List<JsonObject> items = new ArrayList<>();
    for (JsonObject record : all.subList(from, to)) {
      items.add(record.deepCopy());
    }
    return new Page(items, to < all.size() ? Integer.toString(to) : null);
  }

  /** The record with this id in this collection, or null. */
  synchronized JsonObject find(String collection, String id) {
    JsonObject record = stored(collection, id);
    return record == null ? null : record.deepCopy();
  }

  /**
   * Sets the given fields on a record and returns it, or returns null when there is no such record.
   */
  synchronized JsonObject update(String collection, String id, JsonObject changes) {
    JsonObject record = stored(collection, id);
    if (record == null) {
      return null;
    }
    changes.entrySet().forEach(e -> record.add(e.getKey(), e.getValue().deepCopy()));
    return record.deepCopy();
  }

  /** Removes the record with this id; false when there is none. */
  synchronized boolean remove(String collection, String id) {
    JsonObject record = stored(collection, id);
    return record != null && collections.get(collection).remove(record);
  }

  /** Number of records per collection path. */
  synchronized Map<String, Integer> counts() {
    Map<String, Integer> counts = new TreeMap<>();
    collections.forEach((path, records) -> counts.put(path, records.size()));
    return counts;
  }

  synchronized void clear() {
    collections.clear();
  }

  private JsonObject stored(String collection, String id) {
    for (JsonObject record : collections.getOrDefault(collection, List.of())) {
      if (record.has("id")
          && record.get("id").isJsonPrimitive()
          && record.get("id").getAsString().equals(id)) {
        return record;
      }
    }
    return null;
  }
}
