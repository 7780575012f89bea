package dev.edlinkidem.sandbox;

import com.google.gson.JsonObject;
import java.util.List;

/** One page of a list, and the cursor of the next page, or null on the last page. */
record Page(List<JsonObject> items, String nextCursor) {
  Page {
    items = List.copyOf(items);
  }
}
