package dev.edlinkidem.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Encodings checked against X.690's rules and bytes OpenSSL writes for the same values. */
class DerTest {
  @Test
  void objectIdentifiersShareTheFirstTwoArcsAndUseSevenBitsAByte() {
    assertBytes("0603550403", Der.objectId("2.5.4.3"));
    assertBytes("06082a8648ce3d040302", Der.objectId("1.2.840.10045.4.3.2"));
  }

  @Test
  void integersAreShortestTwosComplement() {
    assertBytes("020102", Der.integer(BigInteger.TWO));
    assertBytes("02020080", Der.integer(BigInteger.valueOf(128)));
  }

  @Test
  void lengthsFromOneTwentyEightTakeMoreBytes() {
    assertBytes("047f" + "00".repeat(127), Der.octetString(new byte[127]));
    assertBytes("048180" + "00".repeat(128), Der.octetString(new byte[128]));
    assertBytes("04820100" + "00".repeat(256), Der.octetString(new byte[256]));
  }

  @Test
  void namedBitsLeaveOutTrailingZeros() {
    assertBytes("03020780", Der.namedBits(0));
    assertBytes("030205a0", Der.namedBits(0, 2));
  }

  @Test
  void datesBefore2050AreUtcTimeAndLaterOnesGeneralizedTime() {
    assertBytes("170d" + hex("261122092500Z"), Der.time(Instant.parse("2026-11-22T09:25:00Z")));
    assertBytes("180f" + hex("20500101000000Z"), Der.time(Instant.parse("2050-01-01T00:00:00Z")));
  }

  @Test
  void aBitStringOfWholeBytesStartsWithNoUnusedBits() {
    assertBytes("030300abcd", Der.bitString(new byte[] {(byte) 0xab, (byte) 0xcd}));
  }

  private static String hex(String ascii) {
    return HexFormat.of().formatHex(ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  private static void assertBytes(String expectedHex, byte[] actual) {
    assertArrayEquals(
        HexFormat.of().parseHex(expectedHex), actual, HexFormat.of().formatHex(actual));
  }
}
