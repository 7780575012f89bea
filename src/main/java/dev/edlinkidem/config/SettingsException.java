package dev.edlinkidem.config;

/**
 * A setting that cannot be used: an unknown profile, a bad value, an unreadable token. Exit 2,
 * nothing sent.
 */
public class SettingsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SettingsException(String message) {
    super(message);
  }
}
