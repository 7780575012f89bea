package dev.edlinkidem.time;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users write them: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 72h}, {@code 3d}.
 */
public final class DurationSyntax {
  private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private DurationSyntax() {}

  /**
   * Reads a duration.
   *
   * @throws IllegalArgumentException with a one-line message saying how to write one
   */
  public static Duration parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; write it like 500ms, 30s, 10m, 72h or 3d");
    }
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "ms":
        return Duration.ofMillis(n);
      case "s":
        return Duration.ofSeconds(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      default:
        return Duration.ofDays(n);
    }
  }

  /** The duration in the largest unit that writes it exactly, e.g. 90 seconds as {@code 90s}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    long[] units = {86_400_000, 3_600_000, 60_000, 1000};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (ms > 0 && ms % units[i] == 0) {
        return ms / units[i] + names[i];
      }
    }
    return ms == 0 ? "0s" : ms + "ms";
  }
}
