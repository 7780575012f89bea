package dev.edlinkidem.cli;

import java.security.SecureRandom;
import java.security.SecureRandomSpi;

/**
 * The platform's default {@link SecureRandom}, made when it is first drawn from. Making one looks
 * up the JDK's security providers, a tenth of a cold command's time, and most commands never draw
 * (a {@code post} with {@code --key} and no retry, {@code list}, {@code --version}).
 */
final class FirstUseSecureRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;

  private final Source source;

  FirstUseSecureRandom() {
    this(new Source());
  }

  private FirstUseSecureRandom(Source source) {
    super(source, null);
    this.source = source;
  }

  /** Whether the default generator has been made, which only a draw or a seed does. */
  boolean made() {
    return source.made();
  }

  /** Hands every call to the default generator, made on the first. */
  private static final class Source extends SecureRandomSpi {
    private static final long serialVersionUID = 1L;

    private SecureRandom made;

    private synchronized SecureRandom generator() {
      if (made == null) {
        made = new SecureRandom();
      }
      return made;
    }

    synchronized boolean made() {
      return made != null;
    }

    @Override
    protected void engineSetSeed(byte[] seed) {
      generator().setSeed(seed);
    }

    @Override
    protected void engineNextBytes(byte[] bytes) {
      generator().nextBytes(bytes);
    }

    @Override
    protected byte[] engineGenerateSeed(int numBytes) {
      return generator().generateSeed(numBytes);
    }
  }
}
