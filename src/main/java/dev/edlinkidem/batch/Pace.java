package dev.edlinkidem.batch;

import dev.edlinkidem.send.Sender;
import dev.edlinkidem.time.Time;
import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * How many of a batch's attempts are in flight at once ({@code --concurrency}) and how fast they
 * start: no faster than {@code --rate}, and after the server asks to slow down (429, Retry-After)
 * every sender waits out the pause and then goes at half the pace it had, speeding up again a
 * little with every answer that is not another such request. Workers journal their next line while
 * others' requests are in flight; only the requests are counted.
 */
public final class Pace implements Sender.Pace {
  /** Each answer takes 2% off the interval: about 35 answers halve it again. */
  private static final double RECOVERY = 0.98;

  /** The slowest a throttled batch goes: one start every 5 seconds. */
  private static final long SLOWEST = Duration.ofSeconds(5).toNanos();

  /** Starts remembered to tell how fast the batch was going when it was asked to slow down. */
  private static final int REMEMBERED = 32;

  private final Time time;
  private final Semaphore inFlight;
  private volatile boolean stopped;
  private final long floor;
  private final long[] starts = new long[REMEMBERED];
  private int started;
  private long interval;

  /**
   * Ticker readings ({@link Time#nanoTime}), compared by difference: the counter may be negative or
   * wrap.
   */
  private long nextStart;

  private long pausedUntil;
  private long pauses;

  /** The order of the next line to make its first start ({@link #line}), guarded by itself. */
  private final Object turns = new Object();

  private long nextOrder;

  private Pace(long floor, int concurrency, Time time) {
    this.inFlight = new Semaphore(concurrency);
    this.floor = floor;
    this.interval = floor;
    this.time = time;
    this.nextStart = time.nanoTime();
    this.pausedUntil = nextStart;
  }

  /**
   * A pace of at most {@code concurrency} attempts in flight and {@code perSecond} starts a second,
   * or as fast as answers come when that is null.
   */
  public static Pace of(Double perSecond, int concurrency, Time time) {
    if (perSecond != null && !(perSecond > 0)) {
      throw new IllegalArgumentException("the rate must be more than 0");
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("the concurrency must be 1 or more");
    }
    return new Pace(
        perSecond == null ? 0 : Math.max(1, Math.round(1e9 / perSecond)), concurrency, time);
  }

  @Override
  public boolean awaitTurn(Duration atMost) throws InterruptedException {
    long deadline = time.nanoTime() + Math.max(0, atMost.toNanos());
    if (stopped) {
      return false;
    }
    inFlight.acquire();
    boolean started = false;
    try {
      started = !stopped && awaitStart(deadline);
      return started;
    } finally {
      if (!started) {
        inFlight.release();
      }
    }
  }

  /** No attempt starts from now on: the batch is stopping. Attempts under way finish. */
  public void stop() {
    stopped = true;
    synchronized (turns) {
      turns.notifyAll();
    }
  }

  @Override
  public void attemptEnded() {
    inFlight.release();
  }

  /**
   * Waits for this start's turn; false when it would come after {@code deadline}, or the batch
   * stops.
   */
  private boolean awaitStart(long deadline) throws InterruptedException {
    while (true) {
      long wait;
      synchronized (this) {
        long now = time.nanoTime();
        if (pausedUntil - now > 0) {
          wait = pausedUntil - now;
        } else if (nextStart - now > 0) {
          wait = nextStart - now;
        } else {
          nextStart = now + interval;
          starts[started++ % REMEMBERED] = now;
          return true;
        }
        if (now + wait - deadline > 0 || stopped) {
          return false;
        }
      }
      // Woken, look again: another sender may have taken the turn, or a pause may have begun.
      time.sleep(Duration.ofNanos(wait));
    }
  }

  @Override
  public synchronized void slowDown(Duration wait) {
    long now = time.nanoTime();
    long until = now + Math.max(0, wait.toNanos());
    if (until - pausedUntil > 0) {
      pausedUntil = until;
    }
    pauses++;
    interval = Math.min(SLOWEST, Math.max(floor, 2 * Math.max(interval, recentInterval())));
  }

  @Override
  public synchronized void answered() {
    if (interval > floor) {
      long next = (long) (interval * RECOVERY);
      // Below ten microseconds apart the pace no longer holds anyone back.
      interval = next - floor < 10_000 ? floor : next;
    }
  }

  /**
   * The pace of one line, the {@code order}-th handed to a worker (from 0): its first attempt
   * starts after those of every earlier line have started or been given up, so that the file's
   * order is the order of first starts (with {@code --concurrency 1}, the order of the requests);
   * and the place in flight its last attempt took is kept until {@link Line#close}, after the
   * line's result is counted, so that with {@code --fail-fast} no line starts between a line's
   * failing answer and the batch's stopping. Closing is a must, on every path.
   */
  public Line line(long order) {
    return new Line(order);
  }

  /** Waits until {@code order} is the next line to make its first start. */
  private void awaitOrder(long order) throws InterruptedException {
    synchronized (turns) {
      while (nextOrder < order && !stopped) {
        turns.wait();
      }
    }
  }

  /** The line {@code order} has made its first start, or will make none: the next may go. */
  private void passOrder(long order) {
    synchronized (turns) {
      if (nextOrder <= order) {
        nextOrder = order + 1;
        turns.notifyAll();
      }
    }
  }

  /** One line's view of the pace; see {@link Pace#line}. */
  public final class Line implements Sender.Pace, AutoCloseable {
    private final long order;
    private boolean first = true;
    private boolean holding;

    private Line(long order) {
      this.order = order;
    }

    @Override
    public boolean awaitTurn(Duration atMost) throws InterruptedException {
      letGo();
      if (!first) {
        return Pace.this.awaitTurn(atMost);
      }
      try {
        awaitOrder(order);
        return Pace.this.awaitTurn(atMost);
      } finally {
        first = false;
        passOrder(order);
      }
    }

    @Override
    public void attemptEnded() {
      holding = true;
    }

    @Override
    public void retrying() {
      letGo();
    }

    @Override
    public void slowDown(Duration wait) {
      Pace.this.slowDown(wait);
    }

    @Override
    public void answered() {
      Pace.this.answered();
    }

    /** The line is counted: its place in flight, and its turn if it never took it, go. */
    @Override
    public void close() {
      letGo();
      passOrder(order);
    }

    private void letGo() {
      if (holding) {
        holding = false;
        Pace.this.attemptEnded();
      }
    }
  }

  /** How many times the server asked the batch to slow down. */
  public synchronized long pauses() {
    return pauses;
  }

  /** The time now between two starts, in nanoseconds; 0 when nothing holds the batch back. */
  public synchronized long interval() {
    return interval;
  }

  /** The average time between the last starts, or 0 when too few have started to tell. */
  private long recentInterval() {
    int known = Math.min(started, REMEMBERED);
    if (known < 2) {
      return 0;
    }
    long newest = starts[(started - 1) % REMEMBERED];
    long oldest = starts[(started - known) % REMEMBERED];
    return (newest - oldest) / (known - 1);
  }
}
