package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.torture.Campaign;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash campaign of scripts/torture, trimmed to fit the build: a broken promise turns it red.
 */
class TortureIT {
  @TempDir Path tmp;

  @Test
  void killedAtRandomAndRestartedEveryLineIsCreatedOnceAndNothingIsLost() throws Exception {
    Path jar = Path.of(System.getProperty("edlinkidem.jar", "target/edlink-idem.jar"));
    assertTrue(Files.isRegularFile(jar), "the packaged jar is missing: " + jar);
    long seed = Long.getLong("torture.seed", System.currentTimeMillis() % 100_000);
    Campaign.Report report =
        Campaign.run(
            new Campaign.Settings(
                150,
                12,
                0.2,
                0.1,
                seed,
                tmp,
                jar,
                Path.of(System.getProperty("java.home"), "bin", "java")));
    System.out.println("torture seed " + seed + ":\n" + report);
    assertTrue(report.violations.isEmpty(), "seed " + seed + ": " + report);
    assertEquals(150, report.finalStats.get("creates").getAsInt());
    assertTrue(report.snapshotsChecked >= 12);
  }
}
