package dev.edlinkidem.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.jline.reader.Parser;
import org.junit.jupiter.api.Test;

class ShellWordsTest {
  private static List<String> words(String line) {
    return new ShellWords().parse(line, line.length(), Parser.ParseContext.ACCEPT_LINE).words();
  }

  @Test
  void singleQuotesKeepBackslashesAsAPosixShellDoes() {
    assertEquals(List.of("post", "/x", "-d", "{\"a\":\"x\\ny\"}"), words("post /x -d '{\"a\":\"x\\ny\"}'"));
  }

  @Test
  void doubleQuotesEscapeOnlyQuotesAndBackslashes() {
    assertEquals(List.of("-d", "{\"a\": \"q\\n\"}"), words("-d \"{\\\"a\\\": \\\"q\\n\\\"}\""));
  }

  @Test
  void aBackslashOutsideQuotesEscapesASpace() {
    assertEquals(List.of("show", "abc def"), words("show abc\\ def"));
  }
}
