package dev.edlinkidem.journal;

import dev.edlinkidem.request.JournaledRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One idempotency key's story, folded from its records: the request, every attempt, the outcome.
 */
public record Entry(
    String key,
    Instant created,
    JournaledRequest request,
    String fingerprint,
    List<Attempt> attempts,
    Outcome outcome) {
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
    List<Attempt> more = new ArrayList<>(attempts);
    more.add(attempt);
    return new Entry(key, created, request, fingerprint, more, outcome);
  }

  /**
   * This entry and another journal's record of the same request as one: every attempt of both (each
   * once, in time order), and this entry's outcome, else the other's.
   */
  public Entry foldedWith(Entry other) {
    Map<List<Object>, Attempt> byIdentity = new LinkedHashMap<>();
    for (Attempt a : attempts) {
      byIdentity.put(identity(a), a);
    }
    for (Attempt a : other.attempts) {
      byIdentity.putIfAbsent(identity(a), a);
    }
    List<Attempt> sorted = new ArrayList<>(byIdentity.values());
    sorted.sort(Comparator.comparing(Attempt::at).thenComparingInt(Attempt::number));
    // Numbered again in time order: two journals each had their own attempt 1.
    List<Attempt> all = new ArrayList<>();
    for (Attempt a : sorted) {
      all.add(
          new Attempt(
              all.size() + 1,
              a.at(),
              a.duration(),
              a.result(),
              a.status(),
              a.error(),
              a.requestId()));
    }
    Instant start = created.isBefore(other.created) ? created : other.created;
    return new Entry(
        key, start, request, fingerprint, all, outcome != null ? outcome : other.outcome);
  }

  /** One attempt as two journals would both record it; its number may differ between them. */
  private static List<Object> identity(Attempt a) {
    return List.of(a.at(), a.result(), a.status());
  }

  /** The first final answer wins; a later one (which should not happen) is ignored. */
  public Entry withOutcome(Outcome o) {
    return outcome != null ? this : new Entry(key, created, request, fingerprint, attempts, o);
  }
}
