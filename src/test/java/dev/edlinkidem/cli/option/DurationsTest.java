package dev.edlinkidem.cli.option;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationsTest {
  @Test
  void parsesEveryUnit() {
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.ofMinutes(10), Durations.parse("10m"));
    assertEquals(Duration.ofHours(72), Durations.parse("72h"));
    assertEquals(Duration.ofDays(3), Durations.parse("3d"));
    assertEquals(Duration.ZERO, Durations.parse("0s"));
  }

  @Test
  void refusesWhatIsNotADuration() {
    for (String bad :
        new String[] {
          "", "10", "s", "-5s", "1.5s", "10 s", "10sec", "3w", "1h30m", "9999999999s"
        }) {
      TypeConversionException e =
          assertThrows(TypeConversionException.class, () -> Durations.parse(bad), bad);
      assertEquals(true, e.getMessage().contains("500ms, 30s, 10m, 72h or 3d"));
    }
  }

  @Test
  void formatsInTheLargestExactUnit() {
    assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
    assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
    assertEquals("10m", Durations.format(Duration.ofMinutes(10)));
    assertEquals("5h", Durations.format(Duration.ofHours(5)));
    assertEquals("3d", Durations.format(Duration.ofDays(3)));
    assertEquals("0s", Durations.format(Duration.ZERO));
  }
}
