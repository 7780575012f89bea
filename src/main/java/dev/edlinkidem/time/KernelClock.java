package dev.edlinkidem.time;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The kernel's wall clock, read as the boot time of /proc/stat plus /proc/uptime rather than asked
 * for: a process whose clock alone is moved (faketime and other LD_PRELOAD shims, a container's
 * time namespace for CLOCK_REALTIME does not exist) still sees the machine's real time here. When
 * this process's clock runs ahead of it, journal times are counted by the kernel's, so that a
 * window can never come out longer than Edlink's. A whole machine's clock set wrong moves both;
 * Edlink's Date header is the witness for that.
 */
public final class KernelClock {
  /** Less than this between the two clocks is noise (the boot time is kept in whole seconds). */
  public static final Duration MARGIN = Duration.ofMinutes(2);

  private static final class Once {
    static final Duration AHEAD = measure(Path.of("/proc/stat"), Path.of("/proc/uptime"));
  }

  private KernelClock() {}

  /**
   * How far this process's clock runs ahead of the kernel's, when by more than {@link #MARGIN};
   * zero otherwise, and where /proc cannot be read. Measured once per process.
   */
  public static Duration processAhead() {
    return Once.AHEAD;
  }

  static Duration measure(Path stat, Path uptime) {
    try {
      Instant kernel =
          kernelNow(
              Files.readString(stat, StandardCharsets.US_ASCII),
              Files.readString(uptime, StandardCharsets.US_ASCII));
      return kernel == null ? Duration.ZERO : ahead(Instant.now(), kernel);
    } catch (IOException | RuntimeException e) {
      return Duration.ZERO; // not Linux, or /proc hidden: only Edlink's Date can tell
    }
  }

  static Duration ahead(Instant process, Instant kernel) {
    Duration d = Duration.between(kernel, process);
    return d.compareTo(MARGIN) > 0 ? d : Duration.ZERO;
  }

  /** The boot time's {@code btime} line plus the uptime's first number; null when absent. */
  static Instant kernelNow(String stat, String uptime) {
    for (String line : stat.split("\n")) {
      if (line.startsWith("btime ")) {
        long boot = Long.parseLong(line.substring(6).trim());
        String up = uptime.trim().split("\\s+")[0];
        long millis = Math.round(Double.parseDouble(up) * 1000);
        return Instant.ofEpochSecond(boot).plusMillis(millis);
      }
    }
    return null;
  }
}
