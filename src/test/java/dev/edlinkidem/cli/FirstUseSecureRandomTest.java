package dev.edlinkidem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.request.IdempotencyKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FirstUseSecureRandomTest {
  @Test
  void makesTheDefaultGeneratorOnlyWhenDrawnFrom() {
    FirstUseSecureRandom random = new FirstUseSecureRandom();
    assertFalse(random.made(), "made before any draw");
    byte[] a = new byte[32];
    byte[] b = new byte[32];
    random.nextBytes(a);
    assertTrue(random.made());
    random.nextBytes(b);
    assertFalse(Arrays.equals(a, b), "two draws gave the same 32 bytes");
  }

  @Test
  void theProcesssInvocationDrawsFromOne() {
    FirstUseSecureRandom random =
        assertInstanceOf(FirstUseSecureRandom.class, Invocation.system().random());
    assertFalse(random.made(), "the process made its SecureRandom before a draw");
  }

  @Test
  void drawsKeysAndSeeds() {
    FirstUseSecureRandom random = new FirstUseSecureRandom();
    assertEquals(32, IdempotencyKey.random(random).length());
    assertEquals(16, random.generateSeed(16).length);
  }
}
