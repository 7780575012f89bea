package dev.edlinkidem.cli.option;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.edlinkidem.cli.CliException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "-d NAME" where NAME is a file: a hint only when the text itself is not JSON. */
class BodiesHintTest {
  @TempDir Path dir;

  /** Names resolved in the test's directory, as the working directory would resolve them. */
  private UnaryOperator<String> inDir() {
    return name -> dir.resolve(name).toString();
  }

  @Test
  void textThatIsJsonIsSentEvenWhenAFileHasItsName() throws Exception {
    for (String json : new String[] {"42", "null", "true"}) {
      Files.writeString(dir.resolve(json), "not this");
      assertArrayEquals(
          json.getBytes(StandardCharsets.UTF_8),
          Bodies.read(json, InputStream.nullInputStream(), inDir()),
          json);
    }
  }

  @Test
  void aFileNameThatIsNoJsonAsksWhetherTheFileWasMeant() throws Exception {
    Files.writeString(dir.resolve("a.json"), "{}");
    CliException e =
        assertThrows(
            CliException.class,
            () -> Bodies.read("a.json", InputStream.nullInputStream(), inDir()));
    assertEquals(
        "the body from -d is not JSON but the name of a file; did you mean -d @a.json?",
        e.getMessage());
  }
}
