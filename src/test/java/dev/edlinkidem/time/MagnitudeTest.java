package dev.edlinkidem.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.edlinkidem.MainSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link Time#magnitude} is {@link Duration#abs()} without {@code BigDecimal}, whose class
 * initialisation a cold command would otherwise pay for a clock a fraction of a second behind.
 */
class MagnitudeTest {
  @Test
  void isTheDurationWithoutItsSign() {
    for (Duration d :
        List.of(
            Duration.ZERO,
            Duration.ofNanos(1),
            Duration.ofNanos(-1),
            Duration.ofMillis(-1500),
            Duration.ofSeconds(-3, 999_999_999),
            Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
            Duration.ofSeconds(-Long.MAX_VALUE))) {
      assertEquals(d.abs(), Time.magnitude(d), d.toString());
    }
  }

  @Test
  void overflowsWhereAbsDoes() {
    Duration least = Duration.ofSeconds(Long.MIN_VALUE);
    assertThrows(ArithmeticException.class, least::abs);
    assertThrows(ArithmeticException.class, () -> Time.magnitude(least));
  }

  /** Duration's abs() and negated(), and BigDecimal's and BigInteger's, are all that match. */
  @Test
  void noMainSourceNegatesADurationThroughBigDecimal() throws IOException {
    Pattern negation = Pattern.compile("\\.(abs|negated)\\(\\)");
    List<String> offenders = new ArrayList<>();
    for (Path source : MainSources.all()) {
      List<String> lines = Files.readAllLines(source);
      for (int i = 0; i < lines.size(); i++) {
        if (negation.matcher(lines.get(i)).find()) {
          offenders.add(MainSources.ROOT.relativize(source) + ":" + (i + 1));
        }
      }
    }
    assertEquals(List.of(), offenders, "use Time.magnitude");
  }
}
