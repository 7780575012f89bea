package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The key a user means: the key itself, or a unique prefix of at least six characters. */
class KeyResolverTest {
  private static final List<String> KEYS =
      List.of("abcdef-1", "abcdef-2", "zzzzzz-long-key", "short");

  @Test
  void aWholeKeyIsItselfWhateverItsLength() {
    assertEquals("short", KeyResolver.resolve(KEYS, "short"));
    assertEquals("abcdef-1", KeyResolver.resolve(KEYS, "abcdef-1"));
  }

  @Test
  void aUniquePrefixOfSixOrMoreNamesItsKey() {
    assertEquals("zzzzzz-long-key", KeyResolver.resolve(KEYS, "zzzzzz"));
    assertEquals("abcdef-2", KeyResolver.resolve(KEYS, "abcdef-2"));
  }

  @Test
  void aShortUnknownOrAmbiguousPrefixIsRefusedWithWhy() {
    assertEquals(
        "no entry has the key 'zzzzz' (a prefix needs at least 6 characters)",
        assertThrows(KeyResolver.Unresolved.class, () -> KeyResolver.resolve(KEYS, "zzzzz"))
            .getMessage());
    assertEquals(
        "no entry has a key starting with 'qqqqqq'",
        assertThrows(KeyResolver.Unresolved.class, () -> KeyResolver.resolve(KEYS, "qqqqqq"))
            .getMessage());
    assertEquals(
        "'abcdef' is ambiguous: 2 keys start with it (abcdef-1, abcdef-2); give more characters",
        assertThrows(KeyResolver.Unresolved.class, () -> KeyResolver.resolve(KEYS, "abcdef"))
            .getMessage());
  }
}
