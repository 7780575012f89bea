package dev.edlinkidem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How config set, unset and set-token change the file: one line, the rest as it was. */
class ConfigFileEditTest {
  private static final String FILE =
      String.join(
          "\n",
          "# my profiles",
          "[default]",
          "base-url = https://ed.link",
          "",
          "; staging first",
          "[staging]",
          "retries = 2",
          "",
          "");

  @Test
  void setReplacesTheLineOfAKeyTheProfileHas() {
    assertEquals(
        FILE.replace("retries = 2", "retries = 5"),
        ConfigFile.set(FILE, "staging", "retries", "5"));
  }

  @Test
  void setAddsAKeyAfterTheProfilesLastSetting() {
    assertEquals(
        FILE.replace("retries = 2\n", "retries = 2\njournal = ~/j\n"),
        ConfigFile.set(FILE, "staging", "journal", "~/j"));
    assertEquals(
        FILE.replace("base-url = https://ed.link\n", "base-url = https://ed.link\nretries = 1\n"),
        ConfigFile.set(FILE, "default", "retries", "1"));
  }

  @Test
  void setAddsAProfileTheFileHasNotAtTheEnd() {
    assertEquals(FILE + "[ci]\nretries = 0\n", ConfigFile.set(FILE, "ci", "retries", "0"));
    assertEquals("[ci]\nretries = 0\n", ConfigFile.set("", "ci", "retries", "0"));
    assertEquals("x = 1\n\n[ci]\n", ConfigFile.withProfile("x = 1", "ci"));
    assertEquals(FILE, ConfigFile.withProfile(FILE, "staging"), "a profile it has stays as is");
  }

  @Test
  void unsetRemovesTheOneLineAndNothingElse() throws Exception {
    String without = ConfigFile.unset(FILE, "staging", "retries");
    assertEquals(FILE.replace("retries = 2\n", ""), without);
    assertEquals(FILE, ConfigFile.unset(FILE, "staging", "journal"), "not set: unchanged");
    assertEquals(FILE, ConfigFile.unset(FILE, "nope", "journal"), "no profile: unchanged");
    ConfigFile parsed = ConfigFile.parse(Path.of("config"), without);
    assertNull(parsed.get("staging", "retries"));
    assertEquals("https://ed.link", parsed.get("default", "base-url"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "retries|many|not a whole number",
        "retries|-1|not a whole number",
        "base-url|ftp://x|must start with https://",
        "base-url|\"https://ed.link\"|the quotes are part of the value",
        "journal|'~/j'|the quotes are part of the value",
        "journal|` `|empty",
        "colour|red|unknown setting 'colour'"
      })
  void aValueThatCannotWorkIsSaidWhy(String key, String value, String why) {
    String problem = ConfigFile.problemWith(key, value);
    assertTrue(problem != null && problem.contains(why), key + " = " + value + ": " + problem);
  }

  @ParameterizedTest
  @CsvSource({"retries,0", "retries,12", "base-url,https://ed.link", "journal,~/j", "token-file,t"})
  void aValueThatWorksIsFine(String key, String value) {
    assertNull(ConfigFile.problemWith(key, value));
  }

  @Test
  void aKeyNamedTwiceEndsAsOneLine() throws Exception {
    String twice = "[default]\nretries = 2\njournal = ~/j\nretries = 3\n";
    String set = ConfigFile.set(twice, "default", "retries", "6");
    assertEquals("[default]\nretries = 6\njournal = ~/j\n", set);
    assertEquals("6", ConfigFile.parse(Path.of("c"), set).get("default", "retries"));
    String unset = ConfigFile.unset(twice, "default", "retries");
    assertEquals("[default]\njournal = ~/j\n", unset);
    assertNull(ConfigFile.parse(Path.of("c"), unset).get("default", "retries"));
  }

  @Test
  void aFileWithCrlfLineEndingsKeepsThem() {
    String crlf = "# mine\r\n[default]\r\nretries = 2\r\n";
    assertEquals(
        "# mine\r\n[default]\r\nretries = 5\r\n", ConfigFile.set(crlf, "default", "retries", "5"));
  }

  @Test
  void aValueWithALineBreakIsRefusedAndABigRetriesIsNot() {
    assertTrue(ConfigFile.problemWith("journal", "/tmp/a\n[ci]").contains("line break"));
    assertTrue(ConfigFile.problemWith("token-file", "/tmp/a\rretries = 9").contains("line break"));
    assertNull(ConfigFile.problemWith("retries", "10000"));
  }
}
