package dev.edlinkidem.journal;

import java.util.List;

/**
 * What a prune or a merge did (or, in a dry run, would do).
 *
 * @param changed keys removed (prune) or added or folded (merge)
 * @param skipped keys left alone, each with the reason (in flight elsewhere, a different request)
 * @param bytesBefore the journal's size before
 * @param bytesAfter its size after (as it would be, in a dry run)
 */
public record Compaction(
    List<String> changed, List<Skipped> skipped, long bytesBefore, long bytesAfter) {
  /** A key left alone, and why. */
  public record Skipped(String key, String reason) {}

  public Compaction {
    changed = List.copyOf(changed);
    skipped = List.copyOf(skipped);
  }
}
