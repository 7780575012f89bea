package dev.edlinkidem.sandbox;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

/**
 * Processed API requests, newest first, kept 30 days: what {@code GET /api/v2/graph/requests}
 * reads.
 */
final class RequestLog {
  static final Duration KEPT = Duration.ofDays(30);

  private record Entry(long seq, Instant date, JsonObject json) {}

  private final Clock clock;
  private final Deque<Entry> newestFirst = new ArrayDeque<>();
  private long lastSeq;

  RequestLog(Clock clock) {
    this.clock = clock;
  }

  /**
   * Records one request.
   *
   * @param key the idempotency key, or null
   * @param input the parsed body, or null
   */
  synchronized void add(
      String method, String path, int status, String key, JsonElement input, JsonObject output) {
    forgetOld();
    Instant now = clock.instant();
    JsonObject json = new JsonObject();
    json.addProperty("id", UUID.randomUUID().toString());
    json.addProperty("date", now.truncatedTo(ChronoUnit.MILLIS).toString());
    json.addProperty("method", method);
    json.addProperty("path", path);
    json.addProperty("status", status);
    json.add("idempotency_key", key == null ? JsonNull.INSTANCE : new JsonPrimitive(key));
    json.add("input", input == null ? JsonNull.INSTANCE : input.deepCopy());
    json.add("output", output.deepCopy());
    newestFirst.addFirst(new Entry(++lastSeq, now, json));
  }

  /**
   * Up to {@code first} entries, newest first, older than the entry the cursor names (all when the
   * cursor is null). The cursor is an entry's sequence number, so that requests logged between two
   * pages neither repeat nor hide entries.
   */
  synchronized Page page(int first, Long cursor) {
    forgetOld();
    List<JsonObject> items = new ArrayList<>();
    long last = 0;
    boolean more = false;
    for (Entry e : newestFirst) {
      if (cursor != null && e.seq() >= cursor) {
        continue;
      }
      if (items.size() == first) {
        more = true;
        break;
      }
      items.add(e.json().deepCopy());
      last = e.seq();
    }
    return new Page(items, more ? Long.toString(last) : null);
  }

  synchronized void clear() {
    newestFirst.clear();
  }

  private void forgetOld() {
    Instant oldest = clock.instant().minus(KEPT);
    Iterator<Entry> fromOldest = newestFirst.descendingIterator();
    while (fromOldest.hasNext() && !fromOldest.next().date().isAfter(oldest)) {
      fromOldest.remove();
    }
  }
}
