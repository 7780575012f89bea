package dev.edlinkidem.journal;

/** Another process (or thread) is sending with this key right now. */
public class KeyInFlightException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String key;

  public KeyInFlightException(String key) {
    super("key " + key + " is being sent by another process right now");
    this.key = key;
  }

  public String key() {
    return key;
  }
}
