package dev.edlinkidem.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelClockTest {
  @TempDir Path tmp;

  @Test
  void theKernelsClockIsTheBootTimePlusTheUptime() {
    Instant k =
        KernelClock.kernelNow(
            "cpu  1 2 3\nintr 5\nbtime 1796247138\nprocesses 9\n", "71806.76 1.0\n");
    assertEquals(Instant.ofEpochSecond(1796247138).plusMillis(71806760), k);
    assertNull(KernelClock.kernelNow("cpu 1\n", "5.0 1.0"));
  }

  @Test
  void onlyAProcessClockAheadByMoreThanTheMarginCounts() {
    Instant kernel = Instant.parse("2026-12-03T12:00:00Z");
    assertEquals(Duration.ofDays(20), KernelClock.ahead(kernel.plus(Duration.ofDays(20)), kernel));
    assertEquals(Duration.ZERO, KernelClock.ahead(kernel.plusSeconds(90), kernel));
    assertEquals(Duration.ZERO, KernelClock.ahead(kernel.minus(Duration.ofDays(20)), kernel));
  }

  @Test
  void aProcFileThatCannotBeReadMeansNoCorrection() throws Exception {
    Path stat = Files.writeString(tmp.resolve("stat"), "btime 1000\n");
    assertEquals(Duration.ZERO, KernelClock.measure(stat, tmp.resolve("missing")));
    // A kernel that booted at 1970 + 1000 s, up 5 s: this process is decades ahead of it.
    Path uptime = Files.writeString(tmp.resolve("uptime"), "5.00 1.00\n");
    assertTrue(KernelClock.measure(stat, uptime).toDays() > 365 * 50);
  }

  @Test
  void onThisMachineTheTwoClocksAgree() {
    assertEquals(Duration.ZERO, KernelClock.processAhead(), "no faketime in the build");
  }
}
