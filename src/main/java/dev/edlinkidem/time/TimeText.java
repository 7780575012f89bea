package dev.edlinkidem.time;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** Times as people read them in a terminal or a CI log. */
public final class TimeText {
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private TimeText() {}

  /** {@code 2026-12-22 09:30 UTC}. */
  public static String when(Instant instant) {
    return MINUTE.format(instant);
  }

  /** {@code 2026-12-22 09:30:05 UTC}. */
  public static String precise(Instant instant) {
    return SECOND.format(instant);
  }

  /**
   * Time left in two units at most: {@code 2d 4h}, {@code 5h 20m}, {@code 12m}, {@code <1m}, or
   * {@code expired}.
   */
  public static String left(Duration d) {
    if (d.isNegative() || d.isZero()) {
      return "expired";
    }
    long minutes = d.toMinutes();
    long days = minutes / (24 * 60);
    long hours = minutes / 60 % 24;
    long mins = minutes % 60;
    if (days > 0) {
      return hours > 0 ? days + "d " + hours + "h" : days + "d";
    }
    if (hours > 0) {
      return mins > 0 ? hours + "h " + mins + "m" : hours + "h";
    }
    return minutes > 0 ? mins + "m" : "<1m";
  }

  /**
   * The texts of one table's times, each made once for the minute it names rather than once a row:
   * a hundred thousand rows span a few thousand minutes, and formatting an instant costs more than
   * looking one up. {@code format} must say nothing finer than the minute ({@link #when} does not).
   */
  public static final class ByMinute {
    private final Function<Instant, String> format;
    private final Map<Long, String> texts = new HashMap<>();

    public ByMinute(Function<Instant, String> format) {
      this.format = format;
    }

    public String of(Instant instant) {
      return texts.computeIfAbsent(
          Math.floorDiv(instant.getEpochSecond(), 60), minute -> format.apply(instant));
    }
  }

  /** {@link #left}'s texts for one table, each made once for the whole minutes it says. */
  public static final class Lefts {
    private final Map<Long, String> texts = new HashMap<>();

    public String of(Duration d) {
      if (d.isNegative() || d.isZero()) {
        return left(d);
      }
      return texts.computeIfAbsent(d.toMinutes(), minutes -> left(d));
    }
  }
}
