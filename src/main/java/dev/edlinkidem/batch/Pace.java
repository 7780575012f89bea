package dev.edlinkidem.batch;

import dev.edlinkidem.send.Sender;
import dev.edlinkidem.time.Time;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;

/**
 * How many of a batch's attempts are in flight at once ({@code --concurrency}) and how fast they
 * start: no faster than {@code --rate}, and slower when Edlink throttles.
 *
 * <p>A 429 (or a 5xx with {@code Retry-After}) is answered once per round trip, as TCP's congestion
 * control and the AWS SDKs' adaptive retry mode do: a throttled answer to an attempt that started
 * before the batch last slowed down says nothing new, so it changes nothing. A fresh one pauses
 * every sender for its {@code Retry-After}, and cuts the pace to {@link #BETA} of the rate the
 * batch was going at; as answers come, the pace grows back along CUBIC's curve (RFC 9438), flat
 * near that rate, then probing beyond it.
 *
 * <p>Throttling that slowing down does not cure is not the batch's doing: when a fresh 429 comes
 * before {@link #PROBE} answers since the batch started or last resumed, the batch stops reacting
 * (each throttled request still waits out its own {@code Retry-After} before it is sent again),
 * until the 429s are half of the last answers (or of the last {@link #ROUND}, as a limit refuses a
 * round trip), when it reacts again. It also undoes its slowdowns that did not help, newest first:
 * those after which throttled answers were not fewer (their share of the answers to attempts
 * started after the slowdown's pause at least {@link #BETA} of the share the slowdown answered, its
 * round trip's 429s included), unless half its round trip was refused. One that helped, as against
 * a real limit, stands with those before it, and in background the pace grows back along its curve
 * no further than the rate that slowdown measured, where the limit refused. Workers journal their
 * next line while others' requests are in flight; only the requests are counted.
 */
public final class Pace implements Sender.Pace {
  /** What a slowdown keeps of the rate: CUBIC's multiplicative decrease. */
  static final double BETA = 0.7;

  /** CUBIC's constant, in starts per second per cubed second (RFC 9438 and the AWS SDKs: 0.4). */
  static final double C = 0.4;

  /** The slowest a throttled batch goes: one start every 5 seconds. */
  static final double SLOWEST = 0.2;

  /** Answers that must come between resuming and the next 429 for slowing down to have helped. */
  static final int PROBE = 8;

  /** The longest a sender sleeps before it looks again whether the batch has stopped. */
  private static final long LOOK_AGAIN = Duration.ofMillis(50).toNanos();

  /** Starts remembered to tell how fast the batch was going when it was asked to slow down. */
  private static final int REMEMBERED = 32;

  /** The answers in which a limit's refusals are told from random ones, in background. */
  private static final int ROUND = 16;

  /** Slowdowns remembered, newest last, to undo those that did not help. */
  private static final int CUTS = 16;

  private final Time time;
  private final int concurrency;
  private final Semaphore inFlight;
  private volatile boolean stopped;

  /** The fastest --rate allows, in starts a second; infinite without it. */
  private final double ceiling;

  private final long[] starts = new long[REMEMBERED];
  private int started;

  /** The pace now, in starts a second; infinite while nothing holds the batch back. */
  private double rate;

  /** The rate at the last slowdown, and the curve's time to regain it, in seconds. */
  private double wMax;

  private double k;

  /**
   * Ticker readings ({@link Time#nanoTime}), compared by difference: the counter may be negative or
   * wrap.
   */
  private long nextStart;

  private long pausedUntil;

  /** Where the pace's curve starts: the end of the pause of the slowdown it grows back from. */
  private long curveStart;

  private long lastSlowdown;
  private boolean slowedDown;

  /** Since when answers count as evidence that the last slowdown helped, and how many came. */
  private long calmSince;

  private int answeredSinceCalm;
  private boolean background;

  /** A slowdown, remembered to be undone if it did not help. */
  private static final class Cut {
    /** The pace before it, and its curve: the rate it measured, and the time to regain that. */
    final double rateBefore;

    final double wMax;
    final double k;

    /** When its pause ended, where its curve starts. */
    final long resumed;

    /**
     * The throttled share of the last answers it answered, raised by its round trip's 429s as they
     * come; NaN while too few answers have come to tell.
     */
    double share;

    /** Its round trip's 429s: to attempts started before it, answered after it. */
    int roundTrip;

    /** Whether it helped, judged at the next slowdown or on entering background. */
    boolean helped;

    Cut(double rateBefore, double wMax, double k, long resumed, double share) {
      this.rateBefore = rateBefore;
      this.wMax = wMax;
      this.k = k;
      this.resumed = resumed;
      this.share = share;
    }

    /**
     * Whether it helped: {@code after}, the throttled share of the answers since, is fewer than it
     * answered (never while its share is NaN); or its round trip was refused in the main, as a
     * limit refuses and random 429s all but never do (with 12% of them at random, 8 of 16 in flight
     * once in about 10,000 round trips).
     */
    boolean helped(double after, int concurrency) {
      return after < BETA * share || roundTrip >= Math.max(2, concurrency / 2);
    }
  }

  private final ArrayDeque<Cut> cuts = new ArrayDeque<>();

  /** The fastest the pace goes in background: the rate a slowdown that helped measured. */
  private double backgroundCap = Double.POSITIVE_INFINITY;

  /** The last answers, true for a throttled one, to tell when throttling is most of them. */
  private final boolean[] recent;

  private long answers;
  private long pauses;

  /** The order of the next line to make its first start ({@link #line}), guarded by itself. */
  private final Object turns = new Object();

  private long nextOrder;

  private Pace(double ceiling, int concurrency, Time time) {
    this.concurrency = concurrency;
    this.inFlight = new Semaphore(concurrency);
    this.ceiling = ceiling;
    this.rate = ceiling;
    this.time = time;
    this.nextStart = time.nanoTime();
    this.pausedUntil = nextStart;
    this.curveStart = nextStart;
    this.calmSince = nextStart;
    this.recent = new boolean[Math.max(ROUND + 1, 2 * concurrency)];
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
    return new Pace(perSecond == null ? Double.POSITIVE_INFINITY : perSecond, concurrency, time);
  }

  @Override
  public boolean awaitTurn(Duration atMost) throws InterruptedException {
    long deadline = time.nanoTime() + Math.max(0, atMost.toNanos());
    if (stopped) {
      return false;
    }
    inFlight.acquire();
    return startHolding(deadline);
  }

  /**
   * {@link #awaitTurn} for an attempt whose sender still holds the place in flight of its last one:
   * the place is kept, and given back if the attempt may not start.
   */
  private boolean goOn(Duration atMost) throws InterruptedException {
    return startHolding(time.nanoTime() + Math.max(0, atMost.toNanos()));
  }

  /** Waits for a start with a place in flight held: kept if it starts, else given back. */
  private boolean startHolding(long deadline) throws InterruptedException {
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
        if (stopped) {
          return false; // stopped while this one waited out a pause or the rate
        }
        long now = time.nanoTime();
        if (pausedUntil - now > 0) {
          wait = pausedUntil - now;
        } else if (nextStart - now > 0) {
          wait = nextStart - now;
        } else {
          nextStart = now + interval();
          starts[started++ % REMEMBERED] = now;
          return true;
        }
        if (now + wait - deadline > 0) {
          return false;
        }
      }
      // Woken, look again: another sender may have taken the turn, a pause may have begun, or the
      // batch may have stopped, which a long wait would not see for its length.
      time.sleep(Duration.ofNanos(Math.min(wait, LOOK_AGAIN)));
    }
  }

  @Override
  public synchronized void slowDown(Duration wait, long attemptStarted) {
    remember(true);
    long now = time.nanoTime();
    if (slowedDown && attemptStarted - lastSlowdown < 0) {
      // Sent before the batch slowed down: the slowdown already answered it, and it is part of
      // what that slowdown answered.
      Cut last = cuts.peekLast();
      if (last != null) {
        last.roundTrip++;
        double share = knownShare();
        if (!Double.isNaN(share) && !(last.share >= share)) {
          last.share = share;
        }
      }
      return;
    }
    // This one among the answers to attempts started since the last resume.
    double after = 1.0 / (answeredSinceCalm + 1);
    if (background) {
      if (throttledShare() < 0.5 && !lastRoundRefused()) {
        return;
      }
      background = false;
      backgroundCap = Double.POSITIVE_INFINITY;
    } else if (answeredSinceCalm < PROBE && throttledShare() < 0.5) {
      // Throttled at once after resuming (or starting), yet most answers get through: pausing did
      // not help, and will not. Nor did the slowdowns before it after which throttling was as
      // common as before: they came of the same throttling, the server's own.
      background = true;
      Cut last = cuts.peekLast();
      if (last != null) {
        last.helped = last.helped(after, concurrency);
      }
      while (!cuts.isEmpty() && !cuts.peekLast().helped) {
        rate = Math.max(rate, cuts.removeLast().rateBefore);
      }
      Cut stands = cuts.peekLast();
      if (stands != null) {
        // Its curve again, up to the rate the limit refused: growing past it would be probing
        // for the limit, whose refusals background answers only once they fill a round trip.
        wMax = stands.wMax;
        k = stands.k;
        curveStart = stands.resumed;
        backgroundCap = stands.wMax;
        rate = Math.min(rate, backgroundCap);
      }
      return;
    }
    Cut last = cuts.peekLast();
    if (last != null) {
      last.helped = last.helped(after, concurrency);
    }
    pauses++;
    slowedDown = true;
    lastSlowdown = now;
    double before = rate;
    wMax = Math.min(rate, startRate());
    if (wMax != Double.POSITIVE_INFINITY) {
      // Too few starts to tell how fast the batch went, and no --rate: a pause only.
      rate = Math.min(ceiling, Math.max(SLOWEST, BETA * wMax));
      k = Math.cbrt(wMax * (1 - BETA) / C);
    }
    long until = now + Math.max(0, wait.toNanos());
    if (until - pausedUntil > 0) {
      pausedUntil = until;
    }
    calmSince = pausedUntil;
    curveStart = pausedUntil;
    answeredSinceCalm = 0;
    if (cuts.size() == CUTS) {
      cuts.removeFirst();
    }
    cuts.addLast(new Cut(before, wMax, k, pausedUntil, knownShare()));
  }

  @Override
  public synchronized void answered(long attemptStarted) {
    remember(false);
    if (attemptStarted - calmSince >= 0) {
      answeredSinceCalm++;
    }
    double most = Math.min(ceiling, backgroundCap);
    if (slowedDown && rate < most) {
      // CUBIC's window, as a rate: BETA * wMax at the end of the pause, wMax after k seconds.
      double t = (time.nanoTime() - curveStart) / 1e9 - k;
      if (t + k > 0) {
        rate = Math.min(most, Math.max(rate, wMax + C * t * t * t));
      }
    }
  }

  /** How many times the batch slowed down for the server. */
  public synchronized long pauses() {
    return pauses;
  }

  /** The time now between two starts, in nanoseconds; 0 when nothing holds the batch back. */
  public synchronized long interval() {
    return rate == Double.POSITIVE_INFINITY ? 0 : Math.max(1, Math.round(1e9 / rate));
  }

  /** The pace now, in starts a second; infinite when nothing holds the batch back. */
  public synchronized double rate() {
    return rate;
  }

  /** Whether throttling is taken for the server's own, not the batch's pace ({@link Pace}). */
  public synchronized boolean background() {
    return background;
  }

  private void remember(boolean throttled) {
    recent[Math.floorMod(answers++, recent.length)] = throttled;
  }

  /** The share of throttled answers among the last ones, once there are enough to tell; else 0. */
  private double throttledShare() {
    double share = knownShare();
    return Double.isNaN(share) ? 0 : share;
  }

  /**
   * Whether half of the {@link #ROUND} answers before the one just remembered were throttled: a
   * limit refusing a round trip, which random 429s all but never do (at 12% of them, about once in
   * 4,400 such looks). The one just remembered, the 429 asking, is left out: it is always one.
   */
  private boolean lastRoundRefused() {
    if (answers <= ROUND) {
      return false;
    }
    int throttled = 0;
    for (int i = 2; i <= ROUND + 1; i++) {
      throttled += recent[Math.floorMod(answers - i, recent.length)] ? 1 : 0;
    }
    return 2 * throttled >= ROUND;
  }

  /** The share of throttled answers among the last ones; NaN while too few have come to tell. */
  private double knownShare() {
    if (answers < recent.length) {
      return Double.NaN;
    }
    int throttled = 0;
    for (boolean b : recent) {
      throttled += b ? 1 : 0;
    }
    return (double) throttled / recent.length;
  }

  /**
   * The rate of the last starts since the batch started or last resumed (a pause is not the batch's
   * pace), in starts a second; the pace itself when too few have started to tell.
   */
  private double startRate() {
    int known = 0;
    while (known < Math.min(started, REMEMBERED)
        && starts[(started - 1 - known) % REMEMBERED] - calmSince >= 0) {
      known++;
    }
    if (known < 2) {
      return rate;
    }
    long newest = starts[(started - 1) % REMEMBERED];
    long oldest = starts[(started - known) % REMEMBERED];
    long span = newest - oldest;
    // All at one tick: faster than any batch goes.
    return span <= 0 ? Math.min(rate, 1e6) : (known - 1) * 1e9 / span;
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
    return line(order, () -> {});
  }

  /**
   * {@link #line(long)}, and {@code waiting} is told, once, when the line first waits to try again
   * (its worker may then be counted as free). With a concurrency of 1 a line keeps its place while
   * it waits: the lines go strictly one after another.
   */
  public Line line(long order, Runnable waiting) {
    return new Line(order, waiting);
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
    private Runnable waiting;
    private boolean first = true;
    private boolean holding;

    private Line(long order, Runnable waiting) {
      this.order = order;
      this.waiting = waiting;
    }

    @Override
    public boolean awaitTurn(Duration atMost) throws InterruptedException {
      if (holding) {
        // Its place kept (concurrency 1, or a resend after a renewed token): it goes on with it.
        holding = false;
        return Pace.this.goOn(atMost);
      }
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
      if (concurrency == 1) {
        return; // one at a time: the next line waits for this one's answer, retries and all
      }
      letGo();
      if (waiting != null) {
        Runnable w = waiting;
        waiting = null;
        w.run();
      }
    }

    @Override
    public void slowDown(Duration wait, long started) {
      Pace.this.slowDown(wait, started);
    }

    @Override
    public void answered(long started) {
      Pace.this.answered(started);
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
}
