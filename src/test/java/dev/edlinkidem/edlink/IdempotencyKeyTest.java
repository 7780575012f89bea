package dev.edlinkidem.edlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdempotencyKeyTest {
  @Test
  void randomKeysAre32Base62CharactersAndDiffer() {
    SecureRandom random = new SecureRandom();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String key = IdempotencyKey.random(random);
      assertTrue(key.matches("[0-9A-Za-z]{32}"), key);
      seen.add(key);
    }
    assertEquals(1000, seen.size());
  }

  @Test
  void randomKeysUseTheWholeAlphabet() {
    SecureRandom random = new SecureRandom();
    Set<Character> chars = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      for (char c : IdempotencyKey.random(random).toCharArray()) {
        chars.add(c);
      }
    }
    assertEquals(62, chars.size());
  }

  @Test
  void keyFromTextIsTheHexSha256OfTheText() {
    // printf %s abc | sha256sum
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", IdempotencyKey.fromText("abc"));
    assertEquals(IdempotencyKey.fromText("job-17/class-3"), IdempotencyKey.fromText("job-17/class-3"));
    assertNotEquals(IdempotencyKey.fromText("job-17/class-3"), IdempotencyKey.fromText("job-17/class-4"));
  }

  @Test
  void checkAcceptsTheAllowedCharactersUpTo255() {
    assertEquals("a.b_c~d:e-F9", IdempotencyKey.check("a.b_c~d:e-F9"));
    String longest = "k".repeat(255);
    assertEquals(longest, IdempotencyKey.check(longest));
  }

  @Test
  void checkRefusesEmptyTooLongAndOtherCharacters() {
    assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.check(""));
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
        () -> IdempotencyKey.check("k".repeat(256)));
    assertTrue(tooLong.getMessage().contains("256"));
    for (String bad : new String[] {"has space", "ünïcode", "a/b", "a?b", "a&b", "tab\t", "a$b"}) {
      assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.check(bad), bad);
    }
  }
}
