package dev.edlinkidem.journal;

import java.time.Instant;

/**
 * What listing needs of an entry, without its bodies: enough for {@code list}, {@code expiring} and
 * key completion at any journal size.
 *
 * @param created when the key's window started: when it was journaled, moved back by as much as the
 *     answers' Date headers showed this machine's clock running ahead of Edlink's (see {@link
 *     Entry#window})
 * @param status the final status, else the last attempt's, else 0
 * @param finishedAt when the outcome was recorded, or null while pending
 * @param via how the outcome was learned ({@code post}, {@code replay}, {@code reconcile}), or null
 */
public record EntrySummary(
    String key,
    Instant created,
    EntryState state,
    int status,
    int attempts,
    String method,
    String url,
    Instant finishedAt,
    String via) {

  public static EntrySummary of(Entry e) {
    int status =
        e.outcome() != null
            ? e.outcome().response().status()
            : e.attempts().isEmpty() ? 0 : e.attempts().get(e.attempts().size() - 1).status();
    return new EntrySummary(
        e.key(),
        e.window().start(),
        e.state(),
        status,
        e.attempts().size(),
        e.request().method(),
        e.request().url(),
        e.outcome() == null ? null : e.outcome().at(),
        e.outcome() == null ? null : e.outcome().via());
  }

  public Window window() {
    return new Window(created);
  }
}
