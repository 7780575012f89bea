package dev.edlinkidem.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.MainSources;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
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
  void tenThousandKeysAreDistinctBase62AndEvenlySpread() {
    SecureRandom random = new SecureRandom();
    Set<String> seen = new HashSet<>();
    int[] counts = new int[128];
    for (int i = 0; i < 10_000; i++) {
      String key = IdempotencyKey.random(random);
      assertEquals(32, key.length(), key);
      assertTrue(key.matches("[0-9A-Za-z]+"), key);
      assertTrue(seen.add(key), "repeated: " + key);
      key.chars().forEach(c -> counts[c]++);
    }
    // 320,000 characters over 62: about 5,161 each with a standard deviation near 71. A bound
    // of 10% (over 7 deviations) never trips by chance but catches a skewed or short alphabet.
    double expected = 320_000 / 62.0;
    String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (char c : alphabet.toCharArray()) {
      assertTrue(
          Math.abs(counts[c] - expected) < expected * 0.10,
          c + " appeared " + counts[c] + " times");
    }
  }

  @Test
  void randomKeysCanOnlyComeFromASecureRandom() throws Exception {
    List<Method> makers =
        Arrays.stream(IdempotencyKey.class.getDeclaredMethods())
            .filter(m -> m.getName().equals("random"))
            .toList();
    assertEquals(1, makers.size(), "one way to make a random key");
    assertEquals(List.of(SecureRandom.class), List.of(makers.get(0).getParameterTypes()));
    Method invocationRandom =
        Class.forName("dev.edlinkidem.cli.Invocation").getDeclaredMethod("random");
    assertEquals(
        SecureRandom.class,
        invocationRandom.getReturnType(),
        "the randomness every command is handed");
  }

  /**
   * No predictable generator is made anywhere a key could come from. A parameter typed Random (the
   * retry jitter) is fine: the one it is handed is the invocation's SecureRandom. The sandbox's
   * fault dice are seeded on purpose (repeatable faults), and the benchmark fills a journal that is
   * never sent.
   */
  @Test
  void noPredictableRandomnessOutsideTheSandboxAndTheBenchmark() throws IOException {
    Pattern predictable =
        Pattern.compile(
            "new (java\\.util\\.)?Random\\(|Math\\.random|ThreadLocalRandom|SplittableRandom|RandomGenerator\\.");
    Path main = MainSources.ROOT;
    List<Path> sources = MainSources.all();
    for (Path source : sources) {
      if (source.startsWith(main.resolve("sandbox"))) {
        continue;
      }
      assertTrue(
          predictable.matcher(Files.readString(source)).results().findAny().isEmpty(),
          source + " uses a predictable random generator");
    }
  }

  @Test
  void keyFromTextIsTheHexSha256OfTheText() {
    // printf %s abc | sha256sum
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        IdempotencyKey.fromText("abc"));
    assertEquals(
        IdempotencyKey.fromText("job-17/class-3"), IdempotencyKey.fromText("job-17/class-3"));
    assertNotEquals(
        IdempotencyKey.fromText("job-17/class-3"), IdempotencyKey.fromText("job-17/class-4"));
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
    IllegalArgumentException tooLong =
        assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.check("k".repeat(256)));
    assertTrue(tooLong.getMessage().contains("256"));
    for (String bad : new String[] {"has space", "ünïcode", "a/b", "a?b", "a&b", "tab\t", "a$b"}) {
      assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.check(bad), bad);
    }
  }
}
