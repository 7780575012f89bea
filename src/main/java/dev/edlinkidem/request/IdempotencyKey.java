package dev.edlinkidem.request;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Idempotency keys: made at random, derived from text, or checked when a user supplies one. */
public final class IdempotencyKey {
  /** Edlink's limit; a longer key is answered 400 IDEMPOTENCY_KEY_TOO_LONG. */
  public static final int MAX_LENGTH = 255;

  public static final int RANDOM_LENGTH = 32;
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  /** Characters that need no escaping in a query string or a file name. */
  private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._~:-]+");

  private IdempotencyKey() {}

  /** 32 base62 characters from a SecureRandom: about 190 bits, never repeated in practice. */
  public static String random(SecureRandom random) {
    StringBuilder key = new StringBuilder(RANDOM_LENGTH);
    for (int i = 0; i < RANDOM_LENGTH; i++) {
      key.append(BASE62.charAt(random.nextInt(BASE62.length())));
    }
    return key.toString();
  }

  /**
   * The hex SHA-256 of the text's UTF-8 bytes, so that a re-run CI job sends the same key (the same
   * as {@code printf %s TEXT | sha256sum}).
   */
  public static String fromText(String text) {
    return Sha256.hex(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns the key when it is usable, else throws with a one-line reason.
   *
   * @throws InvalidRequestException naming what is wrong with the key
   */
  public static String check(String key) {
    if (key.isEmpty()) {
      throw new InvalidRequestException("the key is empty");
    }
    if (key.length() > MAX_LENGTH) {
      throw new InvalidRequestException(
          "the key has " + key.length() + " characters; Edlink accepts at most " + MAX_LENGTH);
    }
    if (!ALLOWED.matcher(key).matches()) {
      throw new InvalidRequestException(
          "the key may hold only letters, digits and . _ ~ : - (no spaces or other characters)");
    }
    return key;
  }
}
