package dev.edlinkidem.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FingerprintTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void sameRequestSameFingerprint() {
    String f = Fingerprint.of("POST", "https://ed.link/api/v2/x", b("{\"a\":1}"));
    assertTrue(f.matches("[0-9a-f]{64}"));
    assertEquals(f, Fingerprint.of("POST", "https://ed.link/api/v2/x", b("{\"a\":1}")));
  }

  @Test
  void methodUrlAndEveryBodyByteCount() {
    String f = Fingerprint.of("POST", "https://ed.link/api/v2/x", b("{\"a\":1}"));
    assertNotEquals(f, Fingerprint.of("PUT", "https://ed.link/api/v2/x", b("{\"a\":1}")));
    assertNotEquals(f, Fingerprint.of("POST", "https://ed.link/api/v2/y", b("{\"a\":1}")));
    assertNotEquals(f, Fingerprint.of("POST", "https://ed.link/api/v2/x", b("{\"a\": 1}")));
    assertNotEquals(f, Fingerprint.of("POST", "https://ed.link/api/v2/x", b("{\"a\":1}\n")));
  }
}
