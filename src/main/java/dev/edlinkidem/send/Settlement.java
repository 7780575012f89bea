package dev.edlinkidem.send;

import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.Tombstone;

/**
 * How a key stands before anything is sent, by the rules of {@link KeySettler}: whether it is to be
 * sent, has its answer already, or is refused because sending could act twice.
 *
 * @param entry the key's journal entry, or null when there is none (new) or it could not be read
 *     (in flight)
 * @param tombstone what prune kept of the key's removed entry (tombstoned), else null
 */
public record Settlement(Kind kind, String key, Entry entry, Tombstone tombstone) {
  public Settlement(Kind kind, String key, Entry entry) {
    this(kind, key, entry, null);
  }

  /** The ways a key can stand. */
  public enum Kind {
    /** Nothing is journaled under the key: journal the request, then send it. */
    NEW,
    /** Pending, and inside its window: send it again with the same key and bytes. */
    RESEND,
    /** Succeeded or failed: the recorded answer stands, and nothing is sent. */
    RECORDED,
    /** The key was journaled for another request: refused, nothing sent. */
    REUSED,
    /**
     * Finished, and its window has ended, so Edlink has forgotten the key: a new post with it is
     * refused.
     */
    FORGOTTEN,
    /**
     * Pending past its replay deadline: Edlink may no longer know the key, so sending is refused.
     */
    REPLAY_CLOSED,
    /** Another process is sending the key right now: refused at once. */
    IN_FLIGHT,
    /**
     * Pending, but its journaled request is not one post or batch could have journaled (edited, or
     * merged from elsewhere): never sent.
     */
    UNSENDABLE,
    /**
     * Pending, and dated later than now: a clock was wrong when it was journaled, so its window is
     * not known and sending is refused.
     */
    DATED_AHEAD,
    /**
     * Nothing is journaled, but prune removed the key's entry after its window ended: Edlink has
     * forgotten the key, so a post with it is refused as {@link #FORGOTTEN} is.
     */
    TOMBSTONED;

    /** Whether a request goes out. */
    public boolean sends() {
      return this == NEW || this == RESEND;
    }
  }

  /**
   * How the outcome of a send will be recorded as learned: the first send posts, a later one
   * replays.
   */
  public String via() {
    return kind == Kind.NEW ? "post" : "replay";
  }
}
