package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.*;

import dev.edlinkidem.cli.render.Table;
import dev.edlinkidem.journal.KeyResolver;
import dev.edlinkidem.journal.Neighbours;
import java.util.*;
import org.junit.jupiter.api.Test;

/**
 * Review of cef9b6c..926e31f: checks that held (pastPrefix at code point boundaries; random keys
 * stay unique).
 */
class NeighboursSharingReviewTest {
  @Test
  void boundaries() {
    assertEquals("a\uE000", PostgresJournal.pastPrefix("a\uD7FF"));
    assertEquals("a" + Character.toString(0x10000), PostgresJournal.pastPrefix("a\uFFFF"));
    assertEquals("b", PostgresJournal.pastPrefix("a" + Character.toString(0x10FFFF)));
    assertNull(PostgresJournal.pastPrefix(Character.toString(0x10FFFF)));
    assertEquals(
        "a" + Character.toString(0x1F601),
        PostgresJournal.pastPrefix("a" + Character.toString(0x1F600)));
  }

  @Test
  void randomAsciiKeysStayUnique() {
    Random r = new Random(7);
    String alphabet = "ab-:.~";
    for (int round = 0; round < 3000; round++) {
      Set<String> all = new TreeSet<>();
      int n = 2 + r.nextInt(12);
      while (all.size() < n) {
        StringBuilder b = new StringBuilder();
        int len = 1 + r.nextInt(12);
        for (int i = 0; i < len; i++) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        all.add(b.toString());
      }
      List<String> shown = new ArrayList<>(all);
      Collections.shuffle(shown, r);
      shown = shown.subList(0, 1 + r.nextInt(shown.size()));
      int w =
          Table.uniqueKeyWidth(
              shown, Neighbours.sharing(Neighbours.of(shown, all), Table.SHARED_PAST_FLOOR));
      for (String k : shown) {
        String cell = k.length() <= w ? k : k.substring(0, w - 1);
        if (cell.length() < KeyResolver.MIN_PREFIX && !cell.equals(k)) fail("short " + cell);
        assertEquals(k, KeyResolver.resolve(new ArrayList<>(all), cell), all + " shown " + cell);
      }
    }
  }
}
