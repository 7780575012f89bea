package dev.edlinkidem.journal.postgres;

/**
 * A PostgreSQL journal setting that cannot be used: its URL, or where its password comes from. The
 * message is one line for the user and never holds a password; nothing has been journaled or sent.
 */
public final class PostgresSettingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public PostgresSettingException(String message) {
    super(message);
  }
}
