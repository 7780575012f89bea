package dev.edlinkidem.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The tool's version, as Maven wrote it into the jar's resources: for -V and the User-Agent. */
public final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"edlink-idem " + number()};
  }

  public static String number() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("/dev/edlinkidem/version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "dev");
  }

  /** What the tool says it is in every request it sends. */
  public static String userAgent() {
    return "edlink-idem/" + number();
  }
}
