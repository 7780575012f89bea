package dev.edlinkidem.journal;

/**
 * A new request refused because the journal already holds records of its key, some perhaps
 * unreadable: they may be the key's earlier request, sent and forgotten by the journal, so
 * journaling it as new would send the key again as new. Nothing was sent, and trying again will be
 * refused the same way.
 */
public class KeyHasRecordsException extends JournalException {
  private static final long serialVersionUID = 1L;

  public KeyHasRecordsException(String message) {
    super(message);
  }
}
