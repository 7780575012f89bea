package dev.edlinkidem.sandbox;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The few ASN.1 DER encodings an X.509 certificate is made of (ITU-T X.690), each value as its
 * bytes: tag, length, content. Enough for {@link SelfSignedCertificate}; the JDK can parse
 * certificates but offers no public way to write one.
 */
final class Der {
  private static final int BOOLEAN = 0x01;
  private static final int INTEGER = 0x02;
  private static final int BIT_STRING = 0x03;
  private static final int OCTET_STRING = 0x04;
  private static final int OBJECT_IDENTIFIER = 0x06;
  private static final int UTF8_STRING = 0x0c;
  private static final int UTC_TIME = 0x17;
  private static final int GENERALIZED_TIME = 0x18;
  private static final int SEQUENCE = 0x30;
  private static final int SET = 0x31;

  /** RFC 5280 dates up to 2049 as UTCTime, with a two-digit year, and later ones otherwise. */
  private static final int FIRST_GENERALIZED_YEAR = 2050;

  private static final DateTimeFormatter UTC_TIME_FORMAT =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
  private static final DateTimeFormatter GENERALIZED_TIME_FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'");

  private Der() {}

  /** A SEQUENCE of the given values, in order. */
  static byte[] sequence(byte[]... values) {
    return value(SEQUENCE, values);
  }

  /** A SET of the given values (the caller gives them in DER's order; a name has just one). */
  static byte[] set(byte[]... values) {
    return value(SET, values);
  }

  /** An INTEGER. */
  static byte[] integer(BigInteger n) {
    // toByteArray is the shortest two's complement, which is what DER asks for.
    return value(INTEGER, n.toByteArray());
  }

  /** A BOOLEAN; DER writes true as 0xff. */
  static byte[] bool(boolean b) {
    return value(BOOLEAN, new byte[] {(byte) (b ? 0xff : 0x00)});
  }

  /** An OCTET STRING holding {@code content}. */
  static byte[] octetString(byte[] content) {
    return value(OCTET_STRING, content);
  }

  /** A BIT STRING of whole bytes: a leading 0 says no bit of the last byte is unused. */
  static byte[] bitString(byte[] content) {
    byte[] bits = new byte[content.length + 1];
    System.arraycopy(content, 0, bits, 1, content.length);
    return value(BIT_STRING, bits);
  }

  /**
   * A BIT STRING of named bits, such as key usage's, where bit 0 is the first byte's highest bit;
   * trailing zero bits are left out, as DER requires.
   */
  static byte[] namedBits(int... bits) {
    int highest = 0;
    for (int bit : bits) {
      highest = Math.max(highest, bit);
    }
    byte[] content = new byte[1 + highest / 8 + 1];
    for (int bit : bits) {
      content[1 + bit / 8] |= (byte) (0x80 >>> (bit % 8));
    }
    content[0] = (byte) (7 - highest % 8);
    return value(BIT_STRING, content);
  }

  /** An OBJECT IDENTIFIER written in the dotted form, like {@code 2.5.4.3}. */
  static byte[] objectId(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    // The first two arcs share one number.
    writeBase128(content, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      writeBase128(content, Long.parseLong(arcs[i]));
    }
    return value(OBJECT_IDENTIFIER, content.toByteArray());
  }

  /** A UTF8String. */
  static byte[] utf8String(String text) {
    return value(UTF8_STRING, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A certificate's date, to the second, in the form RFC 5280 asks for its year. */
  static byte[] time(Instant instant) {
    ZonedDateTime utc = instant.atZone(ZoneOffset.UTC);
    return utc.getYear() < FIRST_GENERALIZED_YEAR
        ? value(UTC_TIME, UTC_TIME_FORMAT.format(utc).getBytes(StandardCharsets.US_ASCII))
        : value(
            GENERALIZED_TIME,
            GENERALIZED_TIME_FORMAT.format(utc).getBytes(StandardCharsets.US_ASCII));
  }

  /** A context-specific primitive value {@code [number] IMPLICIT}, such as a SAN's names. */
  static byte[] implicit(int number, byte[] content) {
    return value(0x80 | number, content);
  }

  /** A context-specific constructed value {@code [number] EXPLICIT} wrapping {@code values}. */
  static byte[] explicit(int number, byte[]... values) {
    return value(0xa0 | number, values);
  }

  /** Tag, length and the given parts' bytes one after another; the tag fits in one byte. */
  static byte[] value(int tag, byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      content.writeBytes(part);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    writeLength(out, content.size());
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }

  /** Below 128 in one byte; else 0x80 plus how many bytes follow, then the length big-endian. */
  private static void writeLength(ByteArrayOutputStream out, int length) {
    if (length < 0x80) {
      out.write(length);
      return;
    }
    int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
    out.write(0x80 | bytes);
    for (int i = bytes - 1; i >= 0; i--) {
      out.write(length >>> (8 * i));
    }
  }

  /** Seven bits a byte, most significant first, the high bit set on all but the last. */
  private static void writeBase128(ByteArrayOutputStream out, long n) {
    int groups = Math.max(1, (Long.SIZE - Long.numberOfLeadingZeros(n) + 6) / 7);
    for (int i = groups - 1; i >= 0; i--) {
      int group = (int) (n >>> (7 * i)) & 0x7f;
      out.write(i > 0 ? group | 0x80 : group);
    }
  }
}
