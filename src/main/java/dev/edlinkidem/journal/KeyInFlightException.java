package dev.edlinkidem.journal;

import java.time.Instant;
import java.util.Optional;

/** Another process (or thread) is sending with this key right now. */
public class KeyInFlightException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String key;
  private final Instant holdEnds;

  public KeyInFlightException(String key) {
    this(key, null);
  }

  /**
   * @param holdEnds when the other process's hold on the key runs out unless it renews it (a lease
   *     with an expiry); null where the hold ends only with that process
   */
  public KeyInFlightException(String key, Instant holdEnds) {
    super("key " + key + " is being sent by another process right now");
    this.key = key;
    this.holdEnds = holdEnds;
  }

  public String key() {
    return key;
  }

  /** When the hold runs out if its process stopped without giving it back. */
  public Optional<Instant> holdEnds() {
    return Optional.ofNullable(holdEnds);
  }
}
