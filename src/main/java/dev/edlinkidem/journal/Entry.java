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

  /**
   * This entry and another journal's record of the same request as one: every attempt of both
   * (each once, in time order), and this entry's outcome, else the other's.
   */
  public Entry foldedWith(Entry other) {
    java.util.Map<java.util.List<Object>, Attempt> byIdentity = new java.util.LinkedHashMap<>();
    for (Attempt a : attempts) {
      byIdentity.put(java.util.List.of(a.at(), a.number()), a);
    }
    for (Attempt a : other.attempts) {
      byIdentity.putIfAbsent(java.util.List.of(a.at(), a.number()), a);
    }
    java.util.List<Attempt> all = new java.util.ArrayList<>(byIdentity.values());
    all.sort(java.util.Comparator.comparing(Attempt::at).thenComparingInt(Attempt::number));
    Instant start = created.isBefore(other.created) ? created : other.created;
    return new Entry(key, start, request, fingerprint, all,
        outcome != null ? outcome : other.outcome);
  }

  /** The first final answer wins; a later one (which should not happen) is ignored. */
  public Entry withOutcome(Outcome o) {
    return outcome != null ? this : new Entry(key, created, request, fingerprint, attempts, o);
  }
}
