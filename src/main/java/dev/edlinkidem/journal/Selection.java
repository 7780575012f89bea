package dev.edlinkidem.journal;

import java.util.Comparator;

/**
 * Which entries a listing asks the journal for, and in which order: those in one state (or any),
 * whose windows started within {@code created} (or at any time), at most {@code limit} of them. A
 * journal with indexes finds them without reading the others.
 *
 * @param state the state asked for; null for any
 * @param created when their windows started; null for any time
 * @param limit the first this many in {@code order}; {@link #NO_LIMIT} for all
 */
public record Selection(EntryState state, Window.Starts created, Order order, int limit) {
  public static final int NO_LIMIT = Integer.MAX_VALUE;

  /** The order of a listing; entries created at the same moment come by key. */
  public enum Order {
    /** Latest created first: {@code list}'s order. */
    NEWEST_FIRST(Comparator.comparing(EntrySummary::created).reversed()),
    /** Earliest created first, so the windows that end soonest: {@code expiring}'s order. */
    OLDEST_FIRST(Comparator.comparing(EntrySummary::created));

    private final Comparator<EntrySummary> comparator;

    Order(Comparator<EntrySummary> byCreated) {
      this.comparator = byCreated.thenComparing(EntrySummary::key);
    }

    public Comparator<EntrySummary> comparator() {
      return comparator;
    }
  }

  public Selection {
    if (order == null) {
      throw new IllegalArgumentException("a selection needs an order");
    }
    if (limit < 1) {
      throw new IllegalArgumentException("a selection's limit must be 1 or more, not " + limit);
    }
  }

  /** Every entry, in {@code order}. */
  public static Selection all(Order order) {
    return new Selection(null, null, order, NO_LIMIT);
  }

  /** Only those in {@code s}; null for any state. */
  public Selection inState(EntryState s) {
    return new Selection(s, created, order, limit);
  }

  /** Only those whose windows started within {@code starts}; null for any time. */
  public Selection createdIn(Window.Starts starts) {
    return new Selection(state, starts, order, limit);
  }

  /** Only the first {@code n} of them. */
  public Selection first(int n) {
    return new Selection(state, created, order, n);
  }

  /** Whether the selection takes {@code s}, leaving the limit aside. */
  public boolean picks(EntrySummary s) {
    return (state == null || s.state() == state)
        && (created == null || created.contains(s.created()));
  }
}
