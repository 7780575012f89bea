package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.torture.Hostile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile campaign of {@code scripts/torture --hostile}, trimmed to fit the build: failing
 * fsyncs (strace), planted symlinks, hostile merge sources, skewed clocks (injected and faketime)
 * and huge answers. A class whose tool is missing says so on the console; a broken promise turns
 * the build red.
 */
class HostileCampaignIT {
  @TempDir Path tmp;

  @Test
  void everyHostileClassHoldsItsPromise() throws Exception {
    Path jar = Path.of(System.getProperty("edlinkidem.jar", "target/edlink-idem.jar"));
    assertTrue(Files.isRegularFile(jar), "the packaged jar is missing: " + jar);
    List<Hostile.Tally> tallies =
        Hostile.run(
            new Hostile.Settings(
                false,
                tmp,
                jar,
                Path.of(System.getProperty("java.home"), "bin", "java"),
                Path.of("scripts", "edlink-idem").toAbsolutePath()));
    StringBuilder report = new StringBuilder("hostile campaign (trimmed):\n");
    tallies.forEach(t -> report.append("  ").append(t).append('\n'));
    System.out.print(report);
    for (Hostile.Tally t : tallies) {
      assertTrue(t.violations.isEmpty(), report.toString());
      assertTrue(t.skipped != null || t.cases > 0, t.name + " tried nothing");
    }
  }
}
