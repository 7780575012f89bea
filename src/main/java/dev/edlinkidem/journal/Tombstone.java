package dev.edlinkidem.journal;

import java.time.Instant;

/**
 * What prune keeps of an entry it removes: enough to refuse the key as its entry would have been
 * refused (its window has ended, and Edlink has forgotten it), so that re-running an old batch
 * after a prune does not act a second time.
 *
 * @param windowEnd when the removed entry's window ended
 * @param prunedAt when prune removed it
 */
public record Tombstone(String key, String fingerprint, Instant windowEnd, Instant prunedAt) {}
