package dev.edlinkidem.cli.option;

import dev.edlinkidem.time.DurationSyntax;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The picocli converter for duration options ({@code --timeout 30s}). */
public final class Durations implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String text) {
    return parse(text);
  }

  public static Duration parse(String text) {
    try {
      return DurationSyntax.parse(text);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  public static String format(Duration d) {
    return DurationSyntax.format(d);
  }
}
