package dev.edlinkidem.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser.ParseContext;
import org.junit.jupiter.api.Test;

class ShellWordsTest {
  private static List<String> words(String line) {
    return new ShellWords().parse(line, line.length(), ParseContext.ACCEPT_LINE).words();
  }

  private static CompletingParsedLine at(String line, int cursor) {
    return (CompletingParsedLine) new ShellWords().parse(line, cursor, ParseContext.COMPLETE);
  }

  private static String unsupported(String line) {
    return ShellWords.unsupported(
        new ShellWords().parse(line, line.length(), ParseContext.ACCEPT_LINE));
  }

  @Test
  void pipesRedirectionsAndListsOutsideQuotesAreNamedAndQuotedOnesAreWords() {
    assertEquals(null, unsupported("keygen -n 3"));
    assertTrue(unsupported("keygen | cat").startsWith("pipes are not supported"));
    assertTrue(unsupported("keygen|cat").startsWith("pipes are not supported"));
    assertTrue(unsupported("list > out").startsWith("redirection is not supported"));
    assertTrue(unsupported("list >out").startsWith("redirection is not supported"));
    assertTrue(unsupported("batch < lines").startsWith("redirection is not supported"));
    assertEquals(
        "';' is not supported in the shell: one command a line", unsupported("keygen; list"));
    assertEquals(
        "'&' is not supported in the shell: one command a line", unsupported("keygen && list"));
    // Quoted or escaped, they are part of a word, as in bash.
    assertEquals(null, unsupported("batch lines --key-from '.id + \"|\"'"));
    assertEquals(null, unsupported("post /x -d \"{\\\"a\\\": \\\"<b>\\\"}\""));
    assertEquals(null, unsupported("post /x -k a\\|b"));
    assertEquals(null, unsupported("batch lines --key-from '.id|'"));
    assertEquals(null, unsupported("post /x -d '|'"));
    assertEquals(
        List.of("batch", "lines", "--key-from", ".id + \"|\""),
        words("batch lines --key-from '.id + \"|\"'"));
  }

  @Test
  void singleQuotesKeepBackslashesAsAPosixShellDoes() {
    assertEquals(
        List.of("post", "/x", "-d", "{\"a\":\"x\\ny\"}"), words("post /x -d '{\"a\":\"x\\ny\"}'"));
  }

  @Test
  void doubleQuotesEscapeOnlyQuotesBackslashesDollarsAndBackquotes() {
    assertEquals(List.of("-d", "{\"a\": \"q\\n\"}"), words("-d \"{\\\"a\\\": \\\"q\\n\\\"}\""));
  }

  @Test
  void piecesNextToEachOtherMakeOneWord() {
    assertEquals(List.of("-d", "{\"a\":\"it's\"}"), words("-d '{\"a\":\"it'\\''s\"}'"));
    assertEquals(List.of("{\"a\":1}"), words("'{\"a\":'\"1}\""));
    assertEquals(List.of("-k", "ab cd"), words("-k a\"b c\"d"));
    assertEquals(List.of("show", "abc def"), words("show abc\\ def"));
    assertEquals(List.of("list", ""), words("list ''"), "an empty quoted word is a word");
  }

  @Test
  void anUnclosedQuoteOrAFinalBackslashAsksForMore() {
    assertEquals(
        "quote", assertThrows(EOFError.class, () -> words("post /x -d '{\"a\":1}")).getMissing());
    assertEquals("dquote", assertThrows(EOFError.class, () -> words("show \"abc")).getMissing());
    assertEquals("newline", assertThrows(EOFError.class, () -> words("list \\")).getMissing());
    assertEquals(
        List.of("post", "/x", "-d", "{\"a\":\n1}"), words("post /x -d '{\"a\":\n1}'"), "continued");
    assertEquals(List.of("list", "--format", "keys"), words("list \\\n--format keys"));
  }

  @Test
  void theCursorsWordAndItsOffsets() {
    ParsedLine end = at("replay abc", 10);
    assertEquals(1, end.wordIndex());
    assertEquals("abc", end.word());
    assertEquals(3, end.wordCursor());
    ParsedLine between = at("replay  --yes", 7);
    assertEquals(List.of("replay", "", "--yes"), between.words());
    assertEquals(1, between.wordIndex());
    ParsedLine after = at("replay ", 7);
    assertEquals(List.of("replay", ""), after.words());
    CompletingParsedLine quoted = at("post -d '@my fi", 15);
    assertEquals("@my fi", quoted.word());
    assertEquals(6, quoted.wordCursor());
    assertEquals(7, quoted.rawWordCursor());
  }

  @Test
  void aCompletedWordIsWrittenBackQuotedAsItWasTyped() {
    assertEquals("@my\\ file.json", at("post -d @my", 11).escape("@my file.json", true).toString());
    assertEquals(
        "'@my file.json'", at("post -d '@my", 12).escape("@my file.json", true).toString());
    assertEquals("\"dir/", at("list --journal \"di", 18).escape("dir/", false).toString());
  }
}
