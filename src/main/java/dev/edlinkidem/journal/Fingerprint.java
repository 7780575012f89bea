package dev.edlinkidem.journal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of method, URL (without {@code $idempotency}) and body bytes: what makes two requests
 * "the same request" for the purpose of reusing a key.
 */
public final class Fingerprint {
  private Fingerprint() {}

  public static String of(String method, String url, byte[] body) {
    MessageDigest sha = sha256();
    sha.update(method.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) '\n');
    sha.update(url.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) '\n');
    sha.update(body);
    return HexFormat.of().formatHex(sha.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
