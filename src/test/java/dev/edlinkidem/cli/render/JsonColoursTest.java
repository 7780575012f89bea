package dev.edlinkidem.cli.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JsonColoursTest {
  private static final String JSON =
      "{\n  \"title\": \"Essay: \\\"draft\\\"\",\n  \"points\": -1.5e3,\n  \"due\": null,\n"
          + "  \"done\": false,\n  \"tags\": [\n    true,\n    \"a:b\"\n  ]\n}";

  @Test
  void withoutItsColoursTheTextIsAsItWas() {
    assertEquals(JSON, JsonColours.paint(JSON).replaceAll("\u001b\\[[0-9;]*m", ""));
  }

  @Test
  void keysStringsNumbersAndLiteralsEachHaveTheirColour() {
    String painted = JsonColours.paint(JSON);
    assertTrue(painted.contains(JsonColours.KEY + "\"title\"" + Style.RESET + ":"), painted);
    assertTrue(
        painted.contains(JsonColours.STRING + "\"Essay: \\\"draft\\\"\"" + Style.RESET), painted);
    assertTrue(painted.contains(JsonColours.NUMBER + "-1.5e3" + Style.RESET), painted);
    assertTrue(painted.contains(JsonColours.LITERAL + "null" + Style.RESET), painted);
    assertTrue(painted.contains(JsonColours.LITERAL + "false" + Style.RESET), painted);
    assertTrue(painted.contains(JsonColours.LITERAL + "true" + Style.RESET), painted);
    assertTrue(
        painted.contains(JsonColours.STRING + "\"a:b\"" + Style.RESET), "a value, not a key");
  }
}
