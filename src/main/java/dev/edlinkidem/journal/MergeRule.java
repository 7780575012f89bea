package dev.edlinkidem.journal;

import dev.edlinkidem.request.Sendable;

/**
 * What a merge does with one incoming entry, whatever keeps the journal: add it, fold it into the
 * entry here, or leave it out and say why. The rule of {@link Journal#merge}, in one place.
 */
public final class MergeRule {
  private MergeRule() {}

  /** What to do: write {@code entry} (null when nothing changes), or skip with {@code reason}. */
  public record Decision(Entry entry, String reason) {
    public boolean skipped() {
      return reason != null;
    }

    public boolean changes() {
      return entry != null;
    }
  }

  /**
   * @param ours the entry here for the same key, or null
   * @param pruned the key's tombstone here, or null
   */
  public static Decision decide(Entry theirs, Entry ours, Tombstone pruned) {
    String unsendable = Sendable.whyNot(theirs.key(), theirs.request());
    if (unsendable != null) {
      // Merged in, it could be replayed with the token: only what post could journal.
      return new Decision(null, "not a request edlink-idem sends: " + unsendable);
    }
    if (ours == null && pruned != null) {
      // Refused here after its window ended: merged in, the entry would outrank that.
      return new Decision(
          null,
          "pruned here after its window ended "
              + pruned.windowEnd()
              + "; not merged ('prune --tombstones' forgets pruned keys)");
    }
    if (ours == null) {
      return new Decision(theirs, null);
    }
    if (!ours.fingerprint().equals(theirs.fingerprint())) {
      return new Decision(
          null,
          "the same key for a different request ("
              + theirs.request().method()
              + " "
              + theirs.request().url()
              + "); left as it is here");
    }
    Entry folded = ours.foldedWith(theirs);
    return new Decision(folded.equals(ours) ? null : folded, null);
  }
}
