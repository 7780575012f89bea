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
  void onlyADifferenceBeyondTheMarginCounts() {
    Instant kernel = Instant.parse("2026-12-03T12:00:00Z");
    assertEquals(
        Duration.ofDays(-20), KernelClock.offset(kernel.plus(Duration.ofDays(20)), kernel));
    assertEquals(Duration.ZERO, KernelClock.offset(kernel.plusSeconds(90), kernel));
    assertEquals(
        Duration.ofDays(20), KernelClock.offset(kernel.minus(Duration.ofDays(20)), kernel));
  }

  @Test
  void aProcFileThatCannotBeReadOrIsMountedOverMeansNoCorrection() throws Exception {
    Path stat = Files.writeString(tmp.resolve("stat"), "btime 1000\n");
    Path none = tmp.resolve("none");
    assertEquals(
        Duration.ZERO, KernelClock.measure(stat, tmp.resolve("missing"), none, Instant.now()));
    // A kernel that booted at 1970 + 1000 s, up 5 s: this process is decades ahead of it.
    Path uptime = Files.writeString(tmp.resolve("uptime"), "5.00 1.00\n");
    assertTrue(KernelClock.measure(stat, uptime, none, Instant.now()).toDays() < -365 * 50);
    // lxcfs's own uptime over the container's /proc/uptime, beside the host's boot time.
    Path lxcfs =
        Files.writeString(
            tmp.resolve("mountinfo"),
            "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
                + "31 22 0:30 /proc/uptime /proc/uptime rw,nosuid - fuse.lxcfs lxcfs rw\n");
    assertEquals(Duration.ZERO, KernelClock.measure(stat, uptime, lxcfs, Instant.now()));
  }

  @Test
  void eachUseTakesTheSafeClock() {
    Instant now = Instant.parse("2026-12-03T12:00:00Z");
    // On this machine there is no shift, so both are the process's clock.
    assertEquals(now, KernelClock.earlier(now));
    assertEquals(now, KernelClock.later(now));
    assertTrue(KernelClock.mountedOver("31 22 0:30 / /proc/stat rw - fuse.lxcfs lxcfs rw"));
    assertTrue(!KernelClock.mountedOver("22 1 0:21 / /proc rw - proc proc rw"));
  }

  @Test
  void onThisMachineTheTwoClocksAgree() {
    assertEquals(Duration.ZERO, Time.SYSTEM.kernelOffset(), "no faketime in the build");
  }
}
