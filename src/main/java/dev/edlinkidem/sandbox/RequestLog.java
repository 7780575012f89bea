package dev.edlinkidem.sandbox;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Processed API requests, kept 30 days, as {@code GET /api/v2/graph/requests} reads them: {@code
 * $first} pages forward from the oldest, {@code $last} back from the newest, each record's {@code
 * id} the answer's {@code $request}, and its {@code path} as received, query string included.
 */
final class RequestLog {
  static final Duration KEPT = Duration.ofDays(30);

  /** A cursor that names no record the log holds: Edlink's {@code INVALID_CURSOR}. */
  static final class UnknownCursor extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnknownCursor(String cursor) {
      super("the cursor '" + cursor + "' names no request in the log", null, false, false);
    }
  }

  private record Entry(String id, Instant date, JsonObject json) {}

  private final Clock clock;

  /** Oldest first; insertion order is the order of arrival. */
  private final Map<String, Entry> byId = new LinkedHashMap<>();

  /** The one integration, application and district of the sandbox, as its log names them. */
  private final String integrationId = UUID.randomUUID().toString();

  private final String developerId = UUID.randomUUID().toString();
  private final String districtId = UUID.randomUUID().toString();

  RequestLog(Clock clock) {
    this.clock = clock;
  }

  /**
   * Records one request, with every field of Edlink's log record.
   *
   * @param started when the request arrived
   * @param input the parsed body, or null
   * @param output the answer, whose {@code $request} becomes the record's id
   * @param personId the person whose user token made the request, or null for an integration's
   */
  synchronized void add(
      ApiRequest request,
      Instant started,
      int status,
      JsonElement input,
      JsonObject output,
      String personId) {
    forgetOld();
    Instant now = clock.instant();
    JsonElement answered = output.get("$request");
    String id =
        answered != null && answered.isJsonPrimitive() && !byId.containsKey(answered.getAsString())
            ? answered.getAsString()
            : UUID.randomUUID().toString();
    JsonObject json = new JsonObject();
    json.addProperty("id", id);
    json.addProperty("date", millis(started));
    json.addProperty("start_date", millis(started));
    json.addProperty("end_date", millis(now));
    json.addProperty("method", request.method());
    json.addProperty("path", request.received());
    json.addProperty("status", status);
    JsonObject properties = new JsonObject();
    properties.addProperty("ip", request.client().ip());
    JsonObject query = new JsonObject();
    request.query().forEach(query::addProperty);
    properties.add("query", query);
    properties.addProperty("api_server", "edlink-idem sandbox");
    properties.addProperty("user_agent", request.client().userAgent());
    json.add("properties", properties);
    json.add("input", input == null ? JsonNull.INSTANCE : input.deepCopy());
    json.add("output", output.deepCopy());
    String key = request.idempotencyKey();
    json.add("idempotency_key", key == null ? JsonNull.INSTANCE : new JsonPrimitive(key));
    json.add("categories", new JsonArray());
    json.add("person_id", personId == null ? JsonNull.INSTANCE : new JsonPrimitive(personId));
    json.addProperty("integration_id", integrationId);
    json.addProperty("developer_id", developerId);
    json.addProperty("district_id", districtId);
    json.add("user_id", JsonNull.INSTANCE);
    byId.put(id, new Entry(id, now, json));
  }

  private static String millis(Instant at) {
    return at.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /**
   * Up to {@code size} records whose id {@code idMatches}: from the oldest, after the record {@code
   * cursor} names, or (when {@code fromNewest}) from the newest, before it. The cursor is a
   * record's id, so that requests logged between two pages neither repeat nor hide records.
   *
   * @throws UnknownCursor when the cursor names no record
   */
  synchronized Page page(boolean fromNewest, int size, String cursor, Predicate<String> idMatches) {
    forgetOld();
    List<Entry> order = new ArrayList<>(byId.values());
    if (fromNewest) {
      Collections.reverse(order);
    }
    int start = 0;
    if (cursor != null) {
      Entry at = byId.get(cursor);
      if (at == null) {
        throw new UnknownCursor(cursor);
      }
      start = order.indexOf(at) + 1;
    }
    List<JsonObject> items = new ArrayList<>();
    String last = null;
    boolean more = false;
    for (Entry e : order.subList(start, order.size())) {
      if (!idMatches.test(e.id())) {
        continue;
      }
      if (items.size() == size) {
        more = true;
        break;
      }
      items.add(e.json().deepCopy());
      last = e.id();
    }
    return new Page(items, more ? last : null);
  }

  /** The record with this id, or null. */
  synchronized JsonObject find(String id) {
    forgetOld();
    Entry e = byId.get(id);
    return e == null ? null : e.json().deepCopy();
  }

  synchronized void clear() {
    byId.clear();
  }

  private void forgetOld() {
    Instant oldest = clock.instant().minus(KEPT);
    Iterator<Entry> fromOldest = byId.values().iterator();
    while (fromOldest.hasNext() && !fromOldest.next().date().isAfter(oldest)) {
      fromOldest.remove();
    }
  }
}
