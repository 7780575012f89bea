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
   * not date its requests later than they were made. The window rules take the later instead (the
   * command line's {@code Invocation.now}).
   */
  Time SYSTEM =
      new Time() {
        @Override
        public Instant now() {
          return KernelClock.earlier(Clock.systemUTC().instant());
        }

        @Override
        public Instant deadlineNow() {
          return KernelClock.later(Clock.systemUTC().instant());
        }

        @Override
        public Duration kernelOffset() {
          return KernelClock.offset(Clock.systemUTC().instant());
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

  /**
   * The now that deadlines (the window rules) are checked against: no earlier than {@link #now}.
   * The system's is the later of this process's clock and the kernel's.
   */
  default Instant deadlineNow() {
    return now();
  }

  /**
   * How far the kernel's clock is from this process's, beyond the noise ({@link KernelClock}); zero
   * for a test's time.
   */
  default Duration kernelOffset() {
    return Duration.ZERO;
  }

  /** Nanoseconds on a monotonic counter; only the difference of two readings means anything. */
  long nanoTime();

  /** Waits for {@code duration}; a test's time moves on instead. */
  void sleep(Duration duration) throws InterruptedException;

  /** The time since {@code startNanos}, an earlier {@link #nanoTime()} reading. */
  default Duration since(long startNanos) {
    return Duration.ofNanos(nanoTime() - startNanos);
  }

  /**
   * {@code d} without its sign, as {@link Duration#abs()} gives it, but negated by subtraction: the
   * JDK's {@code abs} of a negative duration multiplies in {@code BigDecimal}, whose class
   * initialisation took a tenth of a cold {@code post} (a clock behind the kernel's, or Edlink's
   * Date, by a fraction of a second is negative on every other command).
   */
  static Duration magnitude(Duration d) {
    return d.isNegative() ? Duration.ZERO.minus(d) : d;
  }
}
