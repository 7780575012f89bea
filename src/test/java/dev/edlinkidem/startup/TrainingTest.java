package dev.edlinkidem.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training run behind the launcher's archive: every command in it ends as expected. */
class TrainingTest {
  @TempDir Path tmp;

  @Test
  void everyCommandEndsAsExpected() throws Exception {
    // A step that fails would leave the launcher with an empty archive: no faster start, and no
    // word of why.
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    boolean ok = Training.run(tmp, new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
    assertTrue(ok);
  }
}
