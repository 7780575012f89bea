package dev.edlinkidem.request;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the one digest the tool uses: for fingerprints, derived keys and the journal's file
 * names.
 */
public final class Sha256 {
  private Sha256() {}

  /** The digest of these byte arrays, one after another. */
  public static byte[] digest(byte[]... parts) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    for (byte[] part : parts) {
      sha.update(part);
    }
    return sha.digest();
  }

  /** The digest in lower-case hex, 64 characters. */
  public static String hex(byte[]... parts) {
    return HexFormat.of().formatHex(digest(parts));
  }
}
