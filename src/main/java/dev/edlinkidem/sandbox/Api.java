package dev.edlinkidem.sandbox;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Edlink's resources as the sandbox keeps them: assignments, any other collection, and the request
 * log. It answers one request; auth, idempotency and faults happen around it.
 */
final class Api {
  static final String REQUEST_LOG = "/api/v2/graph/requests";
  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 10_000;

  private static final Pattern ASSIGNMENTS =
      Pattern.compile("/api/v2/(?:graph|my)/classes/([^/]+)/assignments");

  /** An assignment, or a class's list of them: the ids in the path must be UUIDs. */
  private static final Pattern ASSIGNMENT_IDS =
      Pattern.compile("/api/v2/(?:graph|my)/classes/([^/]+)/assignments(?:/([^/]+))?");

  /** The shape of a record's id: the sandbox's ids, like Edlink's, are UUIDs. */
  private static final Pattern UUID_SHAPED =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private static final Pattern WHERE = Pattern.compile("line \\d+ column \\d+");
  private static final List<String> ASSIGNMENT_REQUIRED =
      List.of("title", "description", "due_date", "grading_type");

  /** A request the sandbox refuses with 400 and this error code. */
  private static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;

    Invalid(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  private final RecordStore records;
  private final RequestLog log;
  private final Counters counters;
  private final Clock clock;

  Api(RecordStore records, RequestLog log, Counters counters, Clock clock) {
    this.records = records;
    this.log = log;
    this.counters = counters;
    this.clock = clock;
  }

  /**
   * Reads of the request log are not themselves logged, or every read would change what it reads.
   */
  static boolean readsRequestLog(ApiRequest request) {
    String path = path(request);
    return request.method().equals("GET")
        && (path.equals(REQUEST_LOG) || path.startsWith(REQUEST_LOG + "/"));
  }

  /** The request's path without a trailing slash. */
  static String path(ApiRequest request) {
    String path = request.path();
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * The request body as JSON, for the request log: null when empty, a string when it is not JSON.
   */
  static JsonElement input(ApiRequest request) {
    try {
      return Json.parse(request.body());
    } catch (JsonParseException e) {
      return new JsonPrimitive(request.body());
    }
  }

  Reply process(ApiRequest request) {
    try {
      switch (request.method()) {
        case "POST":
          return post(request);
        case "GET":
          return get(request);
        case "PATCH":
          return patch(request);
        case "DELETE":
          return delete(request);
        default:
          return Reply.error(
              405,
              "METHOD_NOT_ALLOWED",
              request.method()
                  + " is not supported by the sandbox; use GET, POST, PATCH or DELETE");
      }
    } catch (Invalid e) {
      return Reply.error(400, e.code, e.getMessage());
    }
  }

  private Reply post(ApiRequest request) {
    String path = path(request);
    if (path.equals(REQUEST_LOG)) {
      return Reply.error(405, "METHOD_NOT_ALLOWED", "the request log is read-only; use GET");
    }
    checkIds(path);
    JsonObject input = bodyObject(request);
    String now = now();
    JsonObject record = input.deepCopy();
    Matcher assignment = ASSIGNMENTS.matcher(path);
    if (assignment.matches()) {
      List<String> missing = new ArrayList<>();
      for (String field : ASSIGNMENT_REQUIRED) {
        if (!input.has(field) || input.get(field).isJsonNull()) {
          missing.add(field);
        }
      }
      if (!missing.isEmpty()) {
        throw new Invalid(
            "MISSING_REQUIRED_FIELD",
            "missing required field"
                + (missing.size() > 1 ? "s" : "")
                + ": "
                + String.join(", ", missing));
      }
      record.addProperty("id", UUID.randomUUID().toString());
      record.addProperty("class_id", assignment.group(1));
      record.addProperty("created_date", now);
      record.addProperty("updated_date", now);
      if (!input.has("state") || input.get("state").isJsonNull()) {
        record.addProperty("state", "open");
      }
    } else {
      record.addProperty("id", UUID.randomUUID().toString());
      record.addProperty("created_date", now);
    }
    records.add(path, record);
    counters.increment(Counters.Counter.CREATES);
    return Reply.data(record);
  }

  private Reply get(ApiRequest request) {
    String path = path(request);
    if (path.equals(REQUEST_LOG)) {
      return requestLog(request, path);
    }
    if (path.startsWith(REQUEST_LOG + "/")) {
      JsonObject logged = log.find(path.substring(REQUEST_LOG.length() + 1));
      return logged != null ? Reply.data(logged) : notFound(path);
    }
    checkIds(path);
    if (records.has(path) || ASSIGNMENTS.matcher(path).matches()) {
      int first = pageSize(request);
      Long cursor = cursor(request);
      return listReply(
          request, path, first, records.page(path, first, cursor == null ? 0 : cursor));
    }
    int slash = path.lastIndexOf('/');
    String last = path.substring(slash + 1);
    JsonObject record = records.find(path.substring(0, slash), last);
    if (record != null) {
      return Reply.data(record);
    }
    if (UUID_SHAPED.matcher(last).matches()) {
      return notFound(path);
    }
    // Not an id, so a collection: one never written to lists as empty, as Edlink's do.
    return listReply(request, path, pageSize(request), new Page(List.of(), null));
  }

  private Reply patch(ApiRequest request) {
    String path = path(request);
    checkIds(path);
    int slash = path.lastIndexOf('/');
    String collection = path.substring(0, slash);
    String id = path.substring(slash + 1);
    if (records.find(collection, id) == null) {
      return notFound(path);
    }
    JsonObject changes = bodyObject(request);
    // The server's own fields are not the client's to change.
    changes.remove("id");
    changes.remove("class_id");
    changes.remove("created_date");
    changes.addProperty("updated_date", now());
    return Reply.data(records.update(collection, id, changes));
  }

  private Reply delete(ApiRequest request) {
    String path = path(request);
    if (path.equals(REQUEST_LOG) || path.startsWith(REQUEST_LOG + "/")) {
      return Reply.error(405, "METHOD_NOT_ALLOWED", "the request log is read-only; use GET");
    }
    checkIds(path);
    int slash = path.lastIndexOf('/');
    if (!records.remove(path.substring(0, slash), path.substring(slash + 1))) {
      return notFound(path);
    }
    // Edlink answers a delete with 200; the sandbox's body is the envelope without data.
    return Reply.data(JsonNull.INSTANCE);
  }

  /** Edlink's ids are UUIDs: a class or assignment id that is not one is {@code INVALID_UUID}. */
  private static void checkIds(String path) {
    Matcher ids = ASSIGNMENT_IDS.matcher(path);
    if (!ids.matches()) {
      return;
    }
    for (int group = 1; group <= ids.groupCount(); group++) {
      String id = ids.group(group);
      if (id != null && !UUID_SHAPED.matcher(id).matches()) {
        throw new Invalid(
            "INVALID_UUID",
            "'"
                + id
                + "' is not a UUID; Edlink's ids look like 3f2b8c1e-9d4a-4b6e-8f1c-2a7d5e9b0c43");
      }
    }
  }

  private static Reply notFound(String path) {
    return Reply.error(404, "NOT_FOUND", "nothing at " + path + " in the sandbox");
  }

  /**
   * The request log as Edlink pages it: {@code $first} (the default) forward from the oldest with
   * {@code $after}, {@code $last} back from the newest with {@code $before}.
   */
  private Reply requestLog(ApiRequest request, String path) {
    boolean fromNewest = request.query().containsKey("$last");
    String sizeName = fromNewest ? "$last" : "$first";
    String cursorName = fromNewest ? "$before" : "$after";
    int size = pageSize(request, sizeName);
    String cursor = request.query().get(cursorName);
    String filter = request.query().get("$filter");
    Page page;
    try {
      page =
          log.page(
              fromNewest,
              size,
              cursor == null || cursor.isEmpty() ? null : cursor,
              idFilter(filter));
    } catch (RequestLog.UnknownCursor e) {
      throw new Invalid("INVALID_CURSOR", e.getMessage());
    }
    JsonArray items = new JsonArray();
    page.items().forEach(items::add);
    String next =
        page.nextCursor() == null
            ? null
            : request.origin()
                + path
                + "?"
                + (filter == null
                    ? ""
                    : "$filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8) + "&")
                + sizeName
                + "="
                + size
                + "&"
                + cursorName
                + "="
                + page.nextCursor();
    return Reply.list(items, next);
  }

  /**
   * The request log's {@code $filter}, documented on {@code id} only: {@code {"id": [{"operator":
   * "equals"|"in"|"not in", "value": ...}]}}, every condition to hold; all ids without one.
   */
  private static Predicate<String> idFilter(String filter) {
    if (filter == null || filter.isEmpty()) {
      return id -> true;
    }
    try {
      JsonElement parsed = JsonParser.parseString(filter);
      if (parsed.isJsonObject()
          && parsed.getAsJsonObject().keySet().equals(Set.of("id"))
          && parsed.getAsJsonObject().get("id").isJsonArray()) {
        Predicate<String> all = id -> true;
        for (JsonElement c : parsed.getAsJsonObject().getAsJsonArray("id")) {
          all = all.and(condition(c));
        }
        return all;
      }
    } catch (RuntimeException malformed) {
      // not JSON, or a condition without its operator or value: refused below
    }
    throw new Invalid(
        "BAD_REQUEST",
        "the sandbox filters the request log on id only, with equals, in or not in; got " + filter);
  }

  private static Predicate<String> condition(JsonElement c) {
    JsonObject o = c.getAsJsonObject();
    String operator = o.get("operator").getAsString();
    JsonElement value = o.get("value");
    switch (operator) {
      case "equals":
        String one = value.getAsString();
        return one::equals;
      case "in":
      case "not in":
        Set<String> ids = new HashSet<>();
        value.getAsJsonArray().forEach(v -> ids.add(v.getAsString()));
        return operator.equals("in") ? ids::contains : id -> !ids.contains(id);
      default:
        throw new IllegalStateException(operator);
    }
  }

  private static Reply listReply(ApiRequest request, String path, int first, Page page) {
    JsonArray items = new JsonArray();
    page.items().forEach(items::add);
    String next =
        page.nextCursor() == null
            ? null
            : request.origin() + path + "?$first=" + first + "&$cursor=" + page.nextCursor();
    return Reply.list(items, next);
  }

  private static JsonObject bodyObject(ApiRequest request) {
    JsonElement body;
    try {
      body = Json.parse(request.body());
    } catch (JsonParseException e) {
      throw new Invalid("BAD_REQUEST", "the body is not valid JSON" + where(e.getMessage()));
    }
    if (body == null) {
      return new JsonObject();
    }
    if (!body.isJsonObject()) {
      throw new Invalid("BAD_REQUEST", "the body must be a JSON object");
    }
    return body.getAsJsonObject();
  }

  private static int pageSize(ApiRequest request) {
    return pageSize(request, "$first");
  }

  /** The page size the query parameter {@code name} asks for, 1 to 10,000; the default without. */
  private static int pageSize(ApiRequest request, String name) {
    String text = request.query().get(name);
    if (text == null) {
      return DEFAULT_PAGE_SIZE;
    }
    try {
      int first = Integer.parseInt(text);
      if (first >= 1 && first <= MAX_PAGE_SIZE) {
        return first;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new Invalid(
        "INVALID_PAGE_SIZE",
        name + " must be a whole number from 1 to " + MAX_PAGE_SIZE + ", got '" + text + "'");
  }

  private static Long cursor(ApiRequest request) {
    String text = request.query().get("$cursor");
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      long cursor = Long.parseLong(text);
      if (cursor >= 0) {
        return cursor;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new Invalid(
        "INVALID_CURSOR", "$cursor '" + text + "' is not a cursor this sandbox gave out");
  }

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /** " (at line L column C)" taken from a parser message, or nothing. */
  private static String where(String message) {
    Matcher m = WHERE.matcher(message == null ? "" : message);
    return m.find() ? " (at " + m.group() + ")" : "";
  }
}
