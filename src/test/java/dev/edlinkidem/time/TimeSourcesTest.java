package dev.edlinkidem.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edlinkidem.MainSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The tool takes its time from {@link Time} alone, so that every wait can be tested without
 * sleeping. Only the sandbox (a server with a clock of its own) and the journal's file housekeeping
 * read the system's clocks themselves.
 */
class TimeSourcesTest {
  private static final Pattern SYSTEM_TIME =
      Pattern.compile(
          "System\\.nanoTime|System\\.currentTimeMillis|Thread\\.sleep|Clock\\.system|Instant\\.now\\(|TimeUnit\\.\\w+\\.sleep");

  @Test
  void onlyTimeReadsTheSystemClocks() throws IOException {
    Path main = MainSources.ROOT;
    List<Path> sources = MainSources.all();
    List<String> offenders = new ArrayList<>();
    for (Path source : sources) {
      if (source.startsWith(main.resolve("sandbox"))
          || source.startsWith(main.resolve("journal"))
          || source.equals(main.resolve("time/Time.java"))) {
        continue;
      }
      if (SYSTEM_TIME.matcher(Files.readString(source)).find()) {
        offenders.add(main.relativize(source).toString());
      }
    }
    assertEquals(
        List.of(), offenders, "these read the system's clocks instead of an injected Time");
  }
}
