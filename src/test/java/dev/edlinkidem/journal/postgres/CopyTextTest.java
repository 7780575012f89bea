package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Rows as PostgreSQL writes them for {@code COPY ... TO STDOUT} in its text format. */
class CopyTextTest {
  private static String[] fields(String row, int count) {
    return CopyText.fields(row.getBytes(StandardCharsets.UTF_8), count);
  }

  @Test
  void fieldsAreBetweenTabsAndTheRowEndsWithANewline() {
    assertArrayEquals(new String[] {"k-1", "12", "pending"}, fields("k-1\t12\tpending\n", 3));
    assertArrayEquals(new String[] {"k-1"}, fields("k-1\n", 1));
  }

  @Test
  void backslashNAloneIsNullAndAnEmptyFieldIsEmpty() {
    assertArrayEquals(new String[] {null, "", "x", null}, fields("\\N\t\tx\t\\N\n", 4));
    assertArrayEquals(new String[] {"\\N", "\\Nx"}, fields("\\\\N\t\\\\Nx\n", 2));
  }

  @Test
  void escapedCharactersComeBackAsTheyWere() {
    assertArrayEquals(
        new String[] {"a\\b", "\t\n\r", "\b\f\u000b", "end\\"},
        fields("a\\\\b\t\\t\\n\\r\t\\b\\f\\v\tend\\\\\n", 4));
  }

  @Test
  void textOutsideAsciiIsReadAsUtf8() {
    assertArrayEquals(new String[] {"élan-中文-😀", "ok"}, fields("élan-中文-😀\tok\n", 2));
  }

  @Test
  void aRowWithFewerFieldsThanAskedIsRefused() {
    assertThrows(IllegalStateException.class, () -> fields("only\n", 2));
  }
}
