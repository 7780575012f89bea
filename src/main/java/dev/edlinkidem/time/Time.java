package dev.edlinkidem.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Where the tool gets time: the wall clock for the moments it records (journal timestamps), and a
 * monotonic ticker with a way to wait for the spans it measures (timeouts, backoff, pace).
 * Everything that waits takes one of these, so that tests can pass one that never sleeps.
 */
public interface Time {
  /**
   * The real clock and the real ticker; sleeping blocks the thread. The clock is the earlier of
   * this process's and the kernel's ({@link KernelClock}): a process moved ahead by faketime must
   * not date its requests later than they were made.
   */
  Time SYSTEM =
      new Time() {
        @Override
        public Instant now() {
          return Clock.systemUTC().instant().minus(KernelClock.processAhead());
        }

        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
          long nanos = Math.max(0, duration.toNanos());
          Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
      };

  /** The wall clock: when something happens, as the journal records it. */
  Instant now();

  /** Nanoseconds on a monotonic counter; only the difference of two readings means anything. */
  long nanoTime();

  /** Waits for {@code duration}; a test's time moves on instead. */
  void sleep(Duration duration) throws InterruptedException;

  /** The time since {@code startNanos}, an earlier {@link #nanoTime()} reading. */
  default Duration since(long startNanos) {
    return Duration.ofNanos(nanoTime() - startNanos);
  }
}
