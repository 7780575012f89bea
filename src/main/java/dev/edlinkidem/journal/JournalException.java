package dev.edlinkidem.journal;

/** The journal could not be read or written; whatever was about to be sent was not. */
public class JournalException extends Exception {
  private static final long serialVersionUID = 1L;

  public JournalException(String message, Throwable cause) {
    super(message, cause);
  }

  public JournalException(String message) {
    super(message);
  }
}
