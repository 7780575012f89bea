package dev.edlinkidem.journal.postgres;

import dev.edlinkidem.journal.JournalException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Calls of one kind from many threads (a batch's workers), run together as one statement in one
 * transaction: the group commit of a write-ahead log. A call waits while a group runs; whoever
 * finds none running takes every call waiting, its own or not, up to {@link #most}, and runs them.
 * So a lone call (a post) runs at once, alone, and calls that come faster than the server answers
 * are answered in groups, each costing the server one statement and one commit rather than one
 * each.
 *
 * <p>The file journal's {@code GroupCommit} groups the forcing of files the same way; this one
 * groups calls of any kind, each with a result of its own.
 *
 * <p>A group never holds two calls that name the same key: the second waits for the next group. A
 * group's {@link Run} must not call this same instance (it would wait for itself).
 *
 * @param <I> what a call asks for
 * @param <O> what it gets
 */
final class GroupedCalls<I, O> {
  /** Runs a group: one result for each call, in the calls' order. */
  interface Run<I, O> {
    List<Result<O>> run(List<I> group);
  }

  /** What one call came to: its value, or the journal's failure to throw from it. */
  record Result<O>(O value, JournalException failure) {
    static <O> Result<O> of(O value) {
      return new Result<>(value, null);
    }

    static <O> Result<O> failed(JournalException failure) {
      return new Result<>(null, failure);
    }
  }

  private final Run<I, O> run;
  private final Function<I, Collection<String>> keysOf;
  private final int most;

  /** Calls not yet in a group, oldest first. Guarded by {@code this}. */
  private final ArrayDeque<Call<I, O>> waiting = new ArrayDeque<>();

  /** Whether a group is running. Guarded by {@code this}. */
  private boolean running;

  /** Groups run so far, and the calls in them. Guarded by {@code this}. */
  private long groups;

  private long calls;

  /**
   * @param keysOf the keys a call names
   * @param most how many calls a group holds at most
   */
  GroupedCalls(Run<I, O> run, Function<I, Collection<String>> keysOf, int most) {
    this.run = run;
    this.keysOf = keysOf;
    this.most = most;
  }

  private static final class Call<I, O> {
    final I asked;
    boolean done;
    Result<O> result;
    Throwable broke;

    Call(I asked) {
      this.asked = asked;
    }
  }

  /**
   * Runs {@code asked} in a group, and returns its value or throws its failure. It waits without
   * heeding interrupts (they are kept for the caller): a call taken into a group may be committed,
   * and its caller must hear so.
   */
  O call(I asked) throws JournalException {
    Call<I, O> mine = new Call<>(asked);
    boolean interrupted = false;
    try {
      synchronized (this) {
        waiting.addLast(mine);
      }
      while (true) {
        List<Call<I, O>> group;
        synchronized (this) {
          while (!mine.done && (running || waiting.isEmpty())) {
            try {
              wait();
            } catch (InterruptedException e) {
              interrupted = true;
            }
          }
          if (mine.done) {
            return outcome(mine);
          }
          group = takeGroup();
          running = true;
          groups++;
          calls += group.size();
        }
        runGroup(group);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Groups run so far and the calls in them, {@code {groups, calls}}. */
  synchronized long[] counts() {
    return new long[] {groups, calls};
  }

  /** Calls waiting for a group. */
  synchronized int waiting() {
    return waiting.size();
  }

  /** The calls waiting longest, at most {@link #most}, no two naming a key. Under the lock. */
  private List<Call<I, O>> takeGroup() {
    List<Call<I, O>> group = new ArrayList<>();
    Set<String> named = new HashSet<>();
    for (Iterator<Call<I, O>> it = waiting.iterator(); it.hasNext() && group.size() < most; ) {
      Call<I, O> c = it.next();
      Collection<String> keys = keysOf.apply(c.asked);
      if (keys.stream().noneMatch(named::contains)) {
        named.addAll(keys);
        group.add(c);
        it.remove();
      }
    }
    return group;
  }

  private void runGroup(List<Call<I, O>> group) {
    List<Result<O>> results = null;
    Throwable broke = null;
    try {
      List<I> asked = new ArrayList<>(group.size());
      for (Call<I, O> c : group) {
        asked.add(c.asked);
      }
      results = run.run(asked);
      if (results.size() != group.size()) {
        throw new IllegalStateException(
            results.size() + " results for a group of " + group.size() + " calls");
      }
    } catch (RuntimeException | Error e) {
      broke = e;
    } finally {
      synchronized (this) {
        for (int i = 0; i < group.size(); i++) {
          Call<I, O> c = group.get(i);
          if (broke != null) {
            c.broke = broke;
          } else {
            c.result = results.get(i);
          }
          c.done = true;
        }
        running = false;
        notifyAll();
      }
    }
  }

  private static <O> O outcome(Call<?, O> c) throws JournalException {
    if (c.broke instanceof RuntimeException e) {
      throw e;
    }
    if (c.broke instanceof Error e) {
      throw e;
    }
    if (c.result.failure() != null) {
      throw c.result.failure();
    }
    return c.result.value();
  }
}
