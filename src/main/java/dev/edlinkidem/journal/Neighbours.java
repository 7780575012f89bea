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

  /**
   * Those of {@code around} (keys with their neighbours) whose key shares its first {@code chars}
   * characters ({@code char}s, as {@link String#startsWith} counts them) with a neighbour: with
   * another key at all, since the keys that start alike are next to each other in key order. A key
   * shorter than that is never among them.
   */
  public static Map<String, Neighbours> sharing(Map<String, Neighbours> around, int chars) {
    Map<String, Neighbours> found = new HashMap<>();
    around.forEach(
        (key, next) -> {
          if (key.length() >= chars) {
            String prefix = key.substring(0, chars);
            if (startsWith(next.before(), prefix) || startsWith(next.after(), prefix)) {
              found.put(key, next);
            }
          }
        });
    return found;
  }

  private static boolean startsWith(String key, String prefix) {
    return key != null && key.startsWith(prefix);
  }
}
