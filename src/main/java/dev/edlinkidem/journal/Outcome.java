package dev.edlinkidem.journal;

import dev.edlinkidem.request.RecordedResponse;
import java.time.Instant;

/**
 * The final answer to a request: succeeded (2xx) or failed (final 4xx), with the response.
 *
 * @param via how the answer was learned: {@code post} or {@code replay} (later: {@code reconcile})
 */
public record Outcome(EntryState state, Instant at, RecordedResponse response, String via) {}
