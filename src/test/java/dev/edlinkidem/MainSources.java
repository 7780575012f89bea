package dev.edlinkidem;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The main code's source files, for tests that read the code itself. */
public final class MainSources {
  /** The main code's top package, as a folder relative to the project. */
  public static final Path ROOT = Path.of("src/main/java/dev/edlinkidem");

  private MainSources() {}

  /** Every .java file below {@link #ROOT}; fails the test when they cannot all be found. */
  public static List<Path> all() throws IOException {
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(ROOT)) {
      sources = walk.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertTrue(
        sources.size() > 50, "the main sources were found from " + Path.of("").toAbsolutePath());
    return sources;
  }
}
