package dev.edlinkidem.time;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The kernel's wall clock, read as the boot time of /proc/stat plus /proc/uptime rather than asked
 * for: a process whose clock alone is moved (faketime and other LD_PRELOAD shims) still sees the
 * machine's time here. Where the two disagree, each use takes the safe one: a journal time the
 * earlier (a window never starts late), the window rules' now the later (a deadline is never met
 * late). Where /proc is virtualised (lxcfs mounts its own uptime over /proc/uptime, beside the
 * host's boot time) the reading means nothing and is not used. A whole machine's clock set wrong
 * moves both; Edlink's Date header is the witness for that.
 */
public final class KernelClock {
  /** Less than this between the two clocks is noise (the boot time is kept in whole seconds). */
  public static final Duration MARGIN = Duration.ofMinutes(2);

  private static volatile Duration measured;

  private KernelClock() {}

  /**
   * The kernel's clock minus this process's ({@code process} is its reading now), when they differ
   * by more than {@link #MARGIN}; zero otherwise, and where /proc cannot be read or is virtualised.
   * Measured once per process.
   */
  static Duration offset(Instant process) {
    Duration d = measured;
    if (d == null) {
      d =
          measure(
              Path.of("/proc/stat"),
              Path.of("/proc/uptime"),
              Path.of("/proc/self/mountinfo"),
              process);
      measured = d;
    }
    return d;
  }

  static Duration measure(Path stat, Path uptime, Path mountinfo, Instant process) {
    try {
      if (Files.exists(mountinfo) && mountedOver(Files.readString(mountinfo))) {
        return Duration.ZERO;
      }
      Instant kernel =
          kernelNow(
              Files.readString(stat, StandardCharsets.US_ASCII),
              Files.readString(uptime, StandardCharsets.US_ASCII));
      return kernel == null ? Duration.ZERO : offset(process, kernel);
    } catch (IOException | RuntimeException e) {
      return Duration.ZERO; // not Linux, or /proc hidden: only Edlink's Date can tell
    }
  }

  /** Whether something (lxcfs, a bind mount) is mounted over /proc/uptime or /proc/stat. */
  static boolean mountedOver(String mountinfo) {
    for (String line : mountinfo.split("\n")) {
      String[] f = line.split(" ");
      if (f.length > 4 && (f[4].equals("/proc/uptime") || f[4].equals("/proc/stat"))) {
        return true;
      }
    }
    return false;
  }

  static Duration offset(Instant process, Instant kernel) {
    Duration d = Duration.between(process, kernel);
    return Time.magnitude(d).compareTo(MARGIN) > 0 ? d : Duration.ZERO;
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

  /** The earlier of the two clocks: for the times the journal records. */
  static Instant earlier(Instant process) {
    Duration o = offset(process);
    return o.isNegative() ? process.plus(o) : process;
  }

  /** The later of the two clocks: for the now the window rules compare with. */
  static Instant later(Instant process) {
    Duration o = offset(process);
    return o.isNegative() ? process : process.plus(o);
  }
}
