package dev.edlinkidem.send;

import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.Tombstone;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.Sendable;
import java.time.Instant;
import java.util.Optional;

/**
 * The settle rules, one set for post, replay and batch: given a key, what the journal holds for it
 * and the request asked for, whether to send, to show the recorded answer, or to refuse.
 */
public final class KeySettler {
  private KeySettler() {}

  /**
   * @param journaled the key's entry, read under its lease
   * @param asked the request a post or a batch line asks for, or null for a replay (which sends
   *     what the journal holds)
   * @param now the moment the window rules compare with
   */
  public static Settlement settle(
      String key, Optional<Entry> journaled, JournaledRequest asked, Instant now) {
    return settle(key, journaled, Optional.empty(), asked, now);
  }

  /**
   * @param pruned what prune kept of the key's entry, when it has no entry: read under the lease
   */
  public static Settlement settle(
      String key,
      Optional<Entry> journaled,
      Optional<Tombstone> pruned,
      JournaledRequest asked,
      Instant now) {
    if (journaled.isEmpty()) {
      if (asked == null) {
        throw new IllegalArgumentException("nothing is journaled under " + key + " to replay");
      }
      if (pruned.isPresent()) {
        // Refused as an ended window is, whatever the clock says now: a tombstone's window may
        // look open to a clock that is behind (a what-if date, a restored machine), and Edlink,
        // which forgot the key, would act again.
        return new Settlement(Settlement.Kind.TOMBSTONED, key, null, pruned.get());
      }
      return new Settlement(Settlement.Kind.NEW, key, null);
    }
    Entry entry = journaled.get();
    if (asked != null && !entry.request().sameMeaning(asked)) {
      return new Settlement(Settlement.Kind.REUSED, key, entry);
    }
    if (entry.outcome() != null) {
      // A replay only shows the answer; a post of the same request after the window means to act
      // again.
      boolean forgotten = asked != null && entry.window().hasEnded(now);
      return new Settlement(
          forgotten ? Settlement.Kind.FORGOTTEN : Settlement.Kind.RECORDED, key, entry);
    }
    if (Sendable.whyNot(key, entry.request()) != null) {
      return new Settlement(Settlement.Kind.UNSENDABLE, key, entry);
    }
    if (entry.created().isAfter(now.plus(Window.SKEW_MARGIN))) {
      // Its window would look longer than Edlink's: Edlink may forget the key first.
      return new Settlement(Settlement.Kind.DATED_AHEAD, key, entry);
    }
    if (!entry.window().allowsReplay(now)) {
      return new Settlement(Settlement.Kind.REPLAY_CLOSED, key, entry);
    }
    return new Settlement(Settlement.Kind.RESEND, key, entry);
  }

  /**
   * Settles the key of a post or a batch line as it stands under its lease: its entry, or, when it
   * has none, what prune kept of it.
   */
  public static Settlement settle(
      Journal journal, String key, Optional<Entry> journaled, JournaledRequest asked, Instant now)
      throws JournalException {
    Optional<Tombstone> pruned = journaled.isEmpty() ? journal.tombstone(key) : Optional.empty();
    return settle(key, journaled, pruned, asked, now);
  }

  /** Another process holds the key's lease. */
  public static Settlement inFlight(String key) {
    return new Settlement(Settlement.Kind.IN_FLIGHT, key, null);
  }
}
