package dev.edlinkidem.journal;

import java.time.Instant;
import java.util.List;

/** One idempotency key's story, folded from its records: the request, every attempt, the outcome. */
public record Entry(String key, Instant created, JournaledRequest request, String fingerprint,
    List<Attempt> attempts, Outcome outcome) {
  public Entry {
    attempts = List.copyOf(attempts);
  }

  public EntryState state() {
    return outcome == null ? EntryState.PENDING : outcome.state();
  }

  public Window window() {
    return new Window(created);
  }

  public Entry withAttempt(Attempt attempt) {
    List<Attempt> more = new java.util.ArrayList<>(attempts);
    more.add(attempt);
    return new Entry(key, created, request, fingerprint, more, outcome);
  }

  /** The first final answer wins; a later one (which should not happen) is ignored. */
  public Entry withOutcome(Outcome o) {
    return outcome != null ? this : new Entry(key, created, request, fingerprint, attempts, o);
  }
}
