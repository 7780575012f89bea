package dev.edlinkidem.journal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The keys just before and just after a key among a journal's keys in key order ({@link
 * String#compareTo}), either null at an end: what a table needs to cut keys to the shortest
 * prefixes that still tell them apart.
 */
public record Neighbours(String before, String after) {
  /** The neighbours of each of {@code keys} among {@code all}. */
  public static Map<String, Neighbours> of(Collection<String> keys, Collection<String> all) {
    TreeSet<String> sorted = new TreeSet<>(all);
    Map<String, Neighbours> found = new HashMap<>();
    for (String key : keys) {
      found.put(key, new Neighbours(sorted.lower(key), sorted.higher(key)));
    }
    return found;
  }
}
