package dev.edlinkidem.request;

import java.nio.charset.StandardCharsets;

/**
 * SHA-256 of method, URL (without {@code $idempotency}) and body bytes: what makes two requests
 * "the same request" for the purpose of reusing a key. A batch line without a key is given its
 * request's fingerprint as its key.
 */
public final class Fingerprint {
  private static final byte[] NEWLINE = {'\n'};

  private Fingerprint() {}

  public static String of(String method, String url, byte[] body) {
    return Sha256.hex(
        method.getBytes(StandardCharsets.UTF_8),
        NEWLINE,
        url.getBytes(StandardCharsets.UTF_8),
        NEWLINE,
        body);
  }
}
