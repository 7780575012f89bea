package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.JournalException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A reading that is never stopped would run on: such a failure ends by the timeout. */
@Timeout(60)
class ReadAheadTest {
  private static final int CHUNK = ReadAhead.CHUNK;

  @Test
  void everyItemReachesTheCallerInOrderOnTheCallersThread() throws Exception {
    for (int n : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 50_000}) {
      Set<Thread> readers = new HashSet<>();
      Set<Thread> takers = new HashSet<>();
      List<Integer> taken = new ArrayList<>();
      ReadAhead.<Integer>run(
          "test-read-ahead",
          each -> {
            readers.add(Thread.currentThread());
            for (int i = 0; i < n; i++) {
              each.accept(i);
            }
          },
          i -> {
            takers.add(Thread.currentThread());
            taken.add(i);
          },
          "test");
      assertEquals(n, taken.size(), "items of " + n);
      for (int i = 0; i < n; i++) {
        assertEquals(i, taken.get(i), "item " + i + " of " + n);
      }
      assertEquals(1, readers.size());
      assertNotSame(
          Thread.currentThread(), readers.iterator().next(), "read on a thread of its own");
      assertTrue(takers.isEmpty() || takers.equals(Set.of(Thread.currentThread())));
    }
  }

  @Test
  void aFailedReadingHandsOnWhatItReadThenItsFailure() {
    JournalException lost = new JournalException("cannot read the journal at test: lost");
    List<Integer> taken = new ArrayList<>();
    JournalException thrown =
        assertThrows(
            JournalException.class,
            () ->
                ReadAhead.<Integer>run(
                    "test-read-ahead",
                    each -> {
                      for (int i = 0; i < 2 * CHUNK + 7; i++) {
                        each.accept(i);
                      }
                      throw lost;
                    },
                    taken::add,
                    "test"));
    assertSame(lost, thrown);
    assertEquals(2 * CHUNK + 7, taken.size(), "the items read before the failure");
  }

  @Test
  void aReadingsRuntimeExceptionReachesTheCallerAsItIs() {
    IllegalStateException bug = new IllegalStateException("a bug");
    assertSame(
        bug,
        assertThrows(
            IllegalStateException.class,
            () ->
                ReadAhead.<Integer>run(
                    "test-read-ahead",
                    each -> {
                      throw bug;
                    },
                    i -> {},
                    "test")));
  }

  /**
   * A caller that fails part-way (stdout gone, say) stops a reading that would go on: it reads at
   * most the chunks the queue holds past the one taken, and has ended when the caller's failure
   * reaches it, so that its connection is back before the journal is closed.
   */
  @Test
  void aCallerThatFailsStopsTheReadingAndWaitsForItToEnd() {
    AtomicInteger read = new AtomicInteger();
    AtomicBoolean ended = new AtomicBoolean();
    IllegalStateException full = new IllegalStateException("no room left on the device");
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                ReadAhead.<Integer>run(
                    "test-read-ahead",
                    each -> {
                      try {
                        while (true) {
                          each.accept(read.incrementAndGet());
                        }
                      } finally {
                        ended.set(true);
                      }
                    },
                    i -> {
                      if (i == 3 * CHUNK + 5) {
                        throw full;
                      }
                    },
                    "test"));
    assertSame(full, thrown);
    assertTrue(ended.get(), "the reading had ended");
    assertTrue(read.get() < 16 * CHUNK, "read " + read.get() + " items, not on and on");
  }

  @Test
  void anInterruptedCallerStopsTheReadingAndKeepsItsInterrupt() throws Exception {
    CountDownLatch ended = new CountDownLatch(1);
    try {
      JournalException thrown =
          assertThrows(
              JournalException.class,
              () ->
                  ReadAhead.<Integer>run(
                      "test-read-ahead",
                      each -> {
                        try {
                          while (true) {
                            each.accept(1);
                          }
                        } finally {
                          ended.countDown();
                        }
                      },
                      i -> Thread.currentThread().interrupt(),
                      "test"));
      assertEquals("interrupted while reading the journal at test", thrown.getMessage());
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
    } finally {
      Thread.interrupted();
    }
    assertTrue(ended.await(10, TimeUnit.SECONDS), "the reading ended");
  }
}
