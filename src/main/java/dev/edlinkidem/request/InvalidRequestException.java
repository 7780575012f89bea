package dev.edlinkidem.request;

/**
 * A request that cannot be sent as given: its key, or where it would take the token. The message is
 * one line for the user; nothing has been journaled or sent.
 */
public class InvalidRequestException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    super(message);
  }
}
