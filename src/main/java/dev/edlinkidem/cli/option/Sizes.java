package dev.edlinkidem.cli.option;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The picocli converter for sizes in bytes ({@code --max-response 32M}): a whole number with an
 * optional K, M or G (powers of 1024, also written KiB, MiB, GiB), between 1 KiB and 32 MiB. The
 * journal encodes a kept body several times over (JSON, text, checksum), so a larger cap could run
 * a small runner's heap out after the request was sent.
 */
public final class Sizes implements ITypeConverter<Integer> {
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,10})\\s*([kmg]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);
  private static final long MIN = 1024;
  private static final long MAX = 32L << 20;

  @Override
  public Integer convert(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + text + "' is not a size: give bytes, or a number with K, M or G (32M)");
    }
    long bytes = Long.parseLong(m.group(1));
    bytes <<=
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          default -> 0;
        };
    if (bytes < MIN || bytes > MAX) {
      throw new TypeConversionException(
          "'" + text + "' is out of range: give a size from 1K to 32M");
    }
    return (int) bytes;
  }
}
