package dev.edlinkidem.journal;

import dev.edlinkidem.request.JournaledRequest;
import java.time.Duration;
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

  /**
   * The key's window, counted from the moment it was journaled; when an answer's Date showed this
   * machine's clock running ahead of Edlink's by more than the skew margin, counted that much
   * earlier, since Edlink's 30 days run by Edlink's clock. A clock behind Edlink's already gives
   * the earlier end.
   */
  public Window window() {
    Duration ahead = clockAhead();
    return new Window(ahead == null ? created : created.minus(ahead));
  }

  /**
   * How far this machine's clock ran ahead of Edlink's, by the answers' Date headers, when that is
   * more than {@link Window#SKEW_MARGIN}; else null.
   */
  public Duration clockAhead() {
    Duration most = null;
    for (Attempt a : attempts) {
      Duration ahead = a.clockAhead();
      if (ahead != null
          && ahead.compareTo(Window.SKEW_MARGIN) > 0
          && (most == null || ahead.compareTo(most) > 0)) {
        most = ahead;
      }
    }
    return most;
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
              a.requestId(),
              a.edlinkDate()));
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
